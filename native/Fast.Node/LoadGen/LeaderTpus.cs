using System.Net;
using System.Text.Json;
using Fast.Node.Client;

namespace Fast.Node.LoadGen;

/// <summary>
/// Where bench-tps sends a transfer: the TPU of the slot's scheduled leader, from the node's
/// getLeaderSchedule (this epoch and the next) and getClusterNodes, so a transfer goes straight to
/// the validator that will put it in a block instead of through the node behind <c>--url</c> and
/// its Gulf Stream forward (one signature check per hop: on a 4-validator devnet the forward cost a
/// second and third check of every transfer). <see cref="Targets"/> gives the leader of the current
/// slot and, when a different validator leads the next slot, that one too (a transfer sent at the
/// end of a leader's 4 slots still lands). A slot whose leader has no known TPU falls back to the
/// node's own. Refreshed by the controller; read by the sender threads (an immutable snapshot).
/// </summary>
public sealed class LeaderTpus
{
    private sealed record Snapshot(ulong FirstSlot, IPEndPoint?[] BySlot);

    private readonly IPEndPoint _fallback;
    private Snapshot _snapshot = new(0, []);
    private string[] _rpcUrls = [];

    public LeaderTpus(IPEndPoint fallback) => _fallback = fallback;

    /// <summary>The last slot whose leader is known (0 before the first refresh).</summary>
    public ulong KnownUntil
    {
        get
        {
            Snapshot s = Volatile.Read(ref _snapshot);
            return s.BySlot.Length == 0 ? 0 : s.FirstSlot + (ulong)s.BySlot.Length - 1;
        }
    }

    /// <summary>The JSON-RPC URLs the validators advertise (for their /metrics: the controller backs off when any leader's queues fill).</summary>
    public IReadOnlyList<string> RpcUrls => Volatile.Read(ref _rpcUrls);

    /// <summary>Validators with a TPU among the known leaders (for the report).</summary>
    public int DistinctLeaders => Volatile.Read(ref _snapshot).BySlot.Where(e => e is not null).Distinct().Count();

    /// <summary>
    /// Writes the destinations of a transfer sent during <paramref name="slot"/> (1 or 2, distinct) and
    /// returns how many.
    /// </summary>
    public int Targets(ulong slot, Span<IPEndPoint> destinations)
    {
        IPEndPoint now = Leader(slot);
        destinations[0] = now;
        IPEndPoint next = Leader(slot + 1);
        if (next.Equals(now)) return 1;
        destinations[1] = next;
        return 2;
    }

    /// <summary>Sets the schedule directly: the TPU of the leader of each slot from <paramref name="firstSlot"/> on (tests).</summary>
    internal void Set(ulong firstSlot, IPEndPoint?[] bySlot) => Volatile.Write(ref _snapshot, new Snapshot(firstSlot, bySlot));

    private IPEndPoint Leader(ulong slot)
    {
        Snapshot s = Volatile.Read(ref _snapshot);
        if (slot < s.FirstSlot || slot - s.FirstSlot >= (ulong)s.BySlot.Length) return _fallback;
        return s.BySlot[slot - s.FirstSlot] ?? _fallback;
    }

    /// <summary>
    /// Reads the schedule of the node's current epoch and the next one (when the node already knows it)
    /// and every validator's TPU. False when the node answers no schedule (the fallback keeps being used).
    /// </summary>
    public async Task<bool> RefreshAsync(RpcClient rpc, CancellationToken cancel)
    {
        Dictionary<string, IPEndPoint> tpus = [];
        List<string> rpcUrls = [];
        JsonElement nodes = await rpc.CallAsync("getClusterNodes", null, cancel).ConfigureAwait(false);
        foreach (JsonElement node in nodes.EnumerateArray())
        {
            if (node.TryGetProperty("rpc", out JsonElement rpcAddress) && rpcAddress.GetString() is string rpcText && IPEndPoint.TryParse(rpcText, out IPEndPoint? rpcEndpoint))
            {
                rpcUrls.Add($"http://{rpcEndpoint}/");
            }
            if (node.TryGetProperty("pubkey", out JsonElement key) && node.TryGetProperty("tpu", out JsonElement tpu)
                && key.GetString() is string identity && tpu.GetString() is string text && IPEndPoint.TryParse(text, out IPEndPoint? endpoint))
            {
                tpus[identity] = endpoint;
            }
        }
        JsonElement info = await rpc.CallAsync("getEpochInfo", null, cancel).ConfigureAwait(false);
        ulong epochStart = info.GetProperty("absoluteSlot").GetUInt64() - info.GetProperty("slotIndex").GetUInt64();
        ulong slotsInEpoch = info.GetProperty("slotsInEpoch").GetUInt64();
        if (slotsInEpoch == 0 || slotsInEpoch > 1_000_000) return false;

        var bySlot = new IPEndPoint?[2 * slotsInEpoch];
        int filled = 0;
        for (int epoch = 0; epoch < 2; epoch++)
        {
            ulong first = epochStart + (ulong)epoch * slotsInEpoch;
            JsonElement schedule = await rpc.CallAsync("getLeaderSchedule", w => w.WriteNumberValue(first), cancel).ConfigureAwait(false);
            if (schedule.ValueKind != JsonValueKind.Object)
            {
                if (epoch == 0) return false;
                break;
            }
            foreach (JsonProperty leader in schedule.EnumerateObject())
            {
                tpus.TryGetValue(leader.Name, out IPEndPoint? endpoint);
                foreach (JsonElement index in leader.Value.EnumerateArray())
                {
                    ulong i = index.GetUInt64();
                    if (i >= slotsInEpoch) continue;
                    bySlot[(ulong)epoch * slotsInEpoch + i] = endpoint;
                }
            }
            filled = epoch + 1;
        }
        Volatile.Write(ref _snapshot, new Snapshot(epochStart, filled == 2 ? bySlot : bySlot[..(int)slotsInEpoch]));
        Volatile.Write(ref _rpcUrls, [.. rpcUrls]);
        return true;
    }
}
