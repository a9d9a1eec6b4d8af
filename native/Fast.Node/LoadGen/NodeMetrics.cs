using System.Globalization;

namespace Fast.Node.LoadGen;

/// <summary>
/// What bench-tps reads from one scrape of the node's /metrics (Prometheus text): transactions
/// waiting in its stage queues (all of them, and the sigverify queue alone), its resident memory,
/// its drop counters by stage and reason, and its processed slot. A value the node does not export
/// reads as NaN (queues: 0).
/// </summary>
public sealed record NodeMetrics(double Queued, double ResidentBytes, IReadOnlyDictionary<string, double> Drops, double SigverifyQueued = 0, double ProcessedSlot = double.NaN)
{
    /// <summary>The drop counter fast_dropped_total{stage,reason}, or 0 when absent.</summary>
    public double Dropped(string stage, string reason) => Drops.TryGetValue(stage + "/" + reason, out double value) ? value : 0;

    /// <summary>Every drop counter summed.</summary>
    public double DroppedTotal => Drops.Values.Sum();

    public static NodeMetrics Parse(string text)
    {
        double queued = 0, sigverify = 0;
        double resident = double.NaN, processedSlot = double.NaN;
        Dictionary<string, double> drops = [];
        foreach (string line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            int space = line.LastIndexOf(' ');
            if (space <= 0 || !double.TryParse(line.AsSpan(space + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double value)) continue;
            ReadOnlySpan<char> name = line.AsSpan(0, space);
            if (name.StartsWith("fast_queue_depth{", StringComparison.Ordinal))
            {
                queued += value;
                if (Label(name, "queue") == "sigverify") sigverify += value;
            }
            else if (name.SequenceEqual("fast_process_resident_bytes"))
            {
                resident = value;
            }
            else if (name.StartsWith("fast_slot{", StringComparison.Ordinal) && Label(name, "commitment") == "processed")
            {
                processedSlot = value;
            }
            else if (name.StartsWith("fast_dropped_total{", StringComparison.Ordinal)
                     && Label(name, "stage") is { } stage && Label(name, "reason") is { } reason)
            {
                drops[stage + "/" + reason] = value;
            }
        }
        return new NodeMetrics(queued, resident, drops, sigverify, processedSlot);
    }

    private static string? Label(ReadOnlySpan<char> name, string label)
    {
        string key = label + "=\"";
        int start = name.IndexOf(key, StringComparison.Ordinal);
        if (start < 0) return null;
        ReadOnlySpan<char> rest = name[(start + key.Length)..];
        int end = rest.IndexOf('"');
        return end < 0 ? null : rest[..end].ToString();
    }
}

/// <summary>
/// The node's resident memory over a bench-tps run, from a /metrics scrape about every second:
/// the first sample, the largest, and the last. Touched by the controller task only.
/// </summary>
public sealed class ResidentMemoryTrack
{
    public double Start { get; private set; } = double.NaN;
    public double Max { get; private set; } = double.NaN;
    public double End { get; private set; } = double.NaN;
    public int Samples { get; private set; }

    public void Add(double residentBytes)
    {
        if (double.IsNaN(residentBytes) || residentBytes <= 0) return;
        if (Samples == 0) Start = residentBytes;
        Max = double.IsNaN(Max) ? residentBytes : Math.Max(Max, residentBytes);
        End = residentBytes;
        Samples++;
    }
}

/// <summary>Scrapes the node's /metrics (same host and port as its JSON-RPC); null when it does not answer within 2 s.</summary>
public sealed class NodeMetricsReader(string rpcUrl) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly Uri _uri = new(new Uri(rpcUrl), "/metrics");

    public async Task<NodeMetrics?> ReadAsync(CancellationToken cancel)
    {
        try
        {
            return NodeMetrics.Parse(await _http.GetStringAsync(_uri, cancel).ConfigureAwait(false));
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancel.IsCancellationRequested))
        {
            return null;
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>
/// The sigverify queues and processed slots of every validator bench-tps sends to: with transfers
/// going straight to each slot's leader, the node behind <c>--url</c> sees only its own turns, so the
/// controller also backs off on the fullest sigverify queue anywhere, and counts the seconds any
/// validator's processed slot trails the highest by more than <see cref="BenchTps.MaxReplayLagSlots"/>.
/// Only sigverify's queue: a validator's banking queue holds what it keeps for its
/// coming turn (Gulf Stream), which is not a backlog (counting it made the controller hold a quiet
/// 4-validator devnet at 1,683 TPS with p50 529 ms). One reader per advertised RPC URL, scraped
/// together; a validator that does not answer counts as empty and is left out of the slot spread.
/// Controller task only.
/// </summary>
public sealed class ClusterQueues : IDisposable
{
    private readonly Dictionary<string, NodeMetricsReader> _readers = [];

    /// <summary>
    /// One scrape of every validator in <paramref name="rpcUrls"/>: the most packets waiting for
    /// sigverify on any, and the highest processed slot minus the lowest (0 with fewer than two answers).
    /// </summary>
    public async Task<(double MaxSigverifyQueued, double ProcessedSlotSpread)> ScrapeAsync(IReadOnlyList<string> rpcUrls, CancellationToken cancel)
    {
        if (rpcUrls.Count == 0) return (0, 0);
        var reads = new Task<NodeMetrics?>[rpcUrls.Count];
        for (int i = 0; i < rpcUrls.Count; i++)
        {
            if (!_readers.TryGetValue(rpcUrls[i], out NodeMetricsReader? reader)) _readers[rpcUrls[i]] = reader = new NodeMetricsReader(rpcUrls[i]);
            reads[i] = reader.ReadAsync(cancel);
        }
        NodeMetrics?[] all = await Task.WhenAll(reads).ConfigureAwait(false);
        double[] slots = [.. all.Where(m => m is not null && !double.IsNaN(m.ProcessedSlot)).Select(m => m!.ProcessedSlot)];
        double spread = slots.Length >= 2 ? slots.Max() - slots.Min() : 0;
        return (all.Max(m => m?.SigverifyQueued ?? 0), spread);
    }

    public void Dispose()
    {
        foreach (NodeMetricsReader reader in _readers.Values) reader.Dispose();
    }
}
