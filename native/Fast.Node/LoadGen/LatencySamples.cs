using System.Diagnostics;
using Fast.Core.Primitives;
using Fast.Node.Client;

namespace Fast.Node.LoadGen;

/// <summary>
/// Confirmation latency of a sample of sent transactions: the sender notes (signature, send time);
/// a poller asks getSignatureStatuses for outstanding samples and stamps the first time each is
/// seen confirmed. Sender and poller run on different threads; access is locked (a few hundred
/// samples a second, far from any hot path).
/// </summary>
public sealed class LatencySamples
{
    private readonly object _gate = new();
    private readonly List<(Signature Signature, long SentAt)> _outstanding = [];
    private readonly List<double> _confirmedMs = [];

    public int Confirmed
    {
        get
        {
            lock (_gate) return _confirmedMs.Count;
        }
    }

    public int Outstanding
    {
        get
        {
            lock (_gate) return _outstanding.Count;
        }
    }

    public void Sent(in Signature signature)
    {
        long now = Stopwatch.GetTimestamp();
        lock (_gate) _outstanding.Add((signature, now));
    }

    /// <summary>One polling round: asks for up to 1,024 outstanding samples (in chunks of 256).</summary>
    public async Task PollAsync(RpcClient rpc, CancellationToken cancel)
    {
        List<(Signature Signature, long SentAt)> batch;
        lock (_gate) batch = _outstanding.Take(1024).ToList();
        for (int start = 0; start < batch.Count; start += 256)
        {
            List<(Signature Signature, long SentAt)> chunk = batch.GetRange(start, Math.Min(256, batch.Count - start));
            ClientSignatureStatus?[] statuses = await rpc.GetSignatureStatusesAsync([.. chunk.Select(c => c.Signature)], cancel).ConfigureAwait(false);
            long now = Stopwatch.GetTimestamp();
            lock (_gate)
            {
                for (int i = 0; i < chunk.Count; i++)
                {
                    if (statuses[i] is { ConfirmationStatus: "confirmed" or "finalized" })
                    {
                        _confirmedMs.Add(Stopwatch.GetElapsedTime(chunk[i].SentAt, now).TotalMilliseconds);
                        _outstanding.Remove(chunk[i]);
                    }
                }
            }
        }
    }

    /// <summary>The p-th percentile (0–100) of confirmed latencies in ms, or NaN when none confirmed.</summary>
    public double Percentile(double p)
    {
        double[] sorted;
        lock (_gate) sorted = [.. _confirmedMs];
        if (sorted.Length == 0) return double.NaN;
        Array.Sort(sorted);
        int index = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Length - 1)];
    }
}
