using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Fast.Core.Primitives;

namespace Fast.Node.Rpc.Dashboard;

/// <summary>
/// The processed slot of every other cluster node, for the dashboard's node table: gossip carries no
/// slots, so while a dashboard is open (a state request within <see cref="IdleAfterMs"/>) a background
/// loop on the thread pool asks each node that gossips an RPC address for <c>getSlot</c> once per
/// <see cref="PeriodMs"/>, at most <see cref="Concurrency"/> at a time, each within
/// <see cref="RequestTimeoutMs"/>, and at most <see cref="DashboardState.MaxNodes"/> nodes. Nothing on
/// the node's pipeline waits for it; answers older than <see cref="StaleAfterMs"/> are not shown. Only
/// an RPC address on the node's own gossip IP is asked, and an answer longer than
/// <see cref="MaxAnswerBytes"/> is refused.
/// </summary>
public sealed class PeerSlots : IAsyncDisposable
{
    public const int PeriodMs = 2000;
    public const int IdleAfterMs = 30_000;
    public const int StaleAfterMs = 10_000;
    public const int RequestTimeoutMs = 1000;
    public const int Concurrency = 8;

    private static readonly byte[] GetSlotBody = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":1,"method":"getSlot","params":[{"commitment":"processed"}]}""");

    private readonly Func<IReadOnlyList<ClusterNode>> _nodes;
    private readonly Pubkey _self;
    private readonly ConcurrentDictionary<Pubkey, (ulong Slot, long AtMs)> _slots = new();
    /// <summary>A getSlot answer is tens of bytes; a longer one is refused while it is read, never buffered whole.</summary>
    public const int MaxAnswerBytes = 4096;

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromMilliseconds(RequestTimeoutMs), MaxResponseContentBufferSize = MaxAnswerBytes };
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private long _wantedAtMs = long.MinValue / 2;

    public PeerSlots(Func<IReadOnlyList<ClusterNode>> nodes, Pubkey self)
    {
        _nodes = nodes;
        _self = self;
    }

    /// <summary>Answers of successful polls (tests and /metrics may read it).</summary>
    public long Answers => Interlocked.Read(ref _answers);

    private long _answers;

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>The last slot <paramref name="node"/> reported within <see cref="StaleAfterMs"/>, else null; marks the dashboard as watched.</summary>
    public ulong? SlotOf(Pubkey node)
    {
        long now = Environment.TickCount64;
        Volatile.Write(ref _wantedAtMs, now);
        return _slots.TryGetValue(node, out (ulong Slot, long AtMs) known) && now - known.AtMs <= StaleAfterMs ? known.Slot : null;
    }

    private async Task RunAsync(CancellationToken stop)
    {
        using PeriodicTimer timer = new(TimeSpan.FromMilliseconds(PeriodMs));
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                if (Environment.TickCount64 - Volatile.Read(ref _wantedAtMs) > IdleAfterMs) continue;
                List<(Pubkey Identity, Uri Url)> targets = [];
                foreach (ClusterNode node in _nodes())
                {
                    if (targets.Count >= DashboardState.MaxNodes) break;
                    if (node.Identity == _self || node.Rpc is null || !IPEndPoint.TryParse(node.Rpc, out IPEndPoint? rpc)) continue;
                    // Only a node's own address: an RPC address gossiped on another host than the node's gossip
                    // address is not asked (a peer cannot point this node's requests at a third party).
                    if (node.Gossip is null || !IPEndPoint.TryParse(node.Gossip, out IPEndPoint? gossip) || !gossip.Address.Equals(rpc.Address)) continue;
                    targets.Add((node.Identity, new Uri(string.Create(CultureInfo.InvariantCulture, $"http://{rpc}/"))));
                }
                await Parallel.ForEachAsync(targets, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = stop },
                    async (target, token) => await PollAsync(target.Identity, target.Url, token).ConfigureAwait(false)).ConfigureAwait(false);
                foreach (Pubkey gone in _slots.Keys.Where(k => !targets.Exists(t => t.Identity == k)).ToList()) _slots.TryRemove(gone, out _);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task PollAsync(Pubkey identity, Uri url, CancellationToken stop)
    {
        try
        {
            using ByteArrayContent body = new(GetSlotBody);
            body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using HttpResponseMessage response = await _http.PostAsync(url, body, stop).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) return;
            byte[] answer = await response.Content.ReadAsByteArrayAsync(stop).ConfigureAwait(false);
            using var doc = JsonDocument.Parse(answer);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("result", out JsonElement result) && result.TryGetUInt64(out ulong slot))
            {
                _slots[identity] = (slot, Environment.TickCount64);
                Interlocked.Increment(ref _answers);
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or IOException)
        {
            // A node that does not answer in time shows no slot; the next round asks again.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null) await _loop.ConfigureAwait(false);
        _stop.Dispose();
        _http.Dispose();
    }
}
