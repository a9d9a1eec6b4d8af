using System.Diagnostics;
using Fast.Core.Primitives;
using Fast.Node.Client;

namespace Fast.Node.LoadGen;

/// <summary>
/// Confirmation latency of a sample of sent transactions: the sender notes (signature, send time);
/// a poller asks getSignatureStatuses for every outstanding sample each round and stamps the first
/// time each is seen confirmed. A sample still unconfirmed <see cref="GiveUpAfter"/> after it was
/// sent is given up (counted in <see cref="GaveUp"/>): a transaction the node dropped must not sit
/// at the head of the list and keep later samples from being polled (which once inflated p99).
/// Sender and poller run on different threads; access is locked (a few hundred samples a second,
/// far from any hot path).
/// </summary>
public sealed class LatencySamples(TimeSpan? giveUpAfter = null)
{
    /// <summary>Samples polled per round at most (chunks of 256 per getSignatureStatuses call).</summary>
    public const int MaxPerRound = 4096;

    private readonly object _gate = new();
    private readonly List<(Signature Signature, long SentAt)> _outstanding = [];
    private readonly List<double> _confirmedMs = [];
    private int _gaveUp;

    /// <summary>How long a sample may stay unconfirmed before it is given up (default 30 s: 50 slots of 600 ms).</summary>
    public TimeSpan GiveUpAfter { get; } = giveUpAfter ?? TimeSpan.FromSeconds(30);

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

    /// <summary>Samples that were not confirmed within <see cref="GiveUpAfter"/>.</summary>
    public int GaveUp
    {
        get
        {
            lock (_gate) return _gaveUp;
        }
    }

    public void Sent(in Signature signature) => Sent(signature, Stopwatch.GetTimestamp());

    public void Sent(in Signature signature, long sentAt)
    {
        lock (_gate) _outstanding.Add((signature, sentAt));
    }

    /// <summary>One polling round over every outstanding sample (up to <see cref="MaxPerRound"/>, oldest first).</summary>
    public async Task PollAsync(RpcClient rpc, CancellationToken cancel)
    {
        GiveUpOld(Stopwatch.GetTimestamp());
        List<(Signature Signature, long SentAt)> batch = PollBatch();
        for (int start = 0; start < batch.Count; start += 256)
        {
            List<(Signature Signature, long SentAt)> chunk = batch.GetRange(start, Math.Min(256, batch.Count - start));
            ClientSignatureStatus?[] statuses = await rpc.GetSignatureStatusesAsync([.. chunk.Select(c => c.Signature)], cancel).ConfigureAwait(false);
            long now = Stopwatch.GetTimestamp();
            List<bool> confirmed = [.. statuses.Select(s => s is { ConfirmationStatus: "confirmed" or "finalized" })];
            Record(chunk, confirmed, now);
        }
    }

    /// <summary>Stamps the samples of <paramref name="chunk"/> seen confirmed at <paramref name="now"/>.</summary>
    internal void Record(List<(Signature Signature, long SentAt)> chunk, IReadOnlyList<bool> confirmed, long now)
    {
        lock (_gate)
        {
            HashSet<Signature> done = [];
            for (int i = 0; i < chunk.Count; i++)
            {
                if (!confirmed[i]) continue;
                _confirmedMs.Add(Stopwatch.GetElapsedTime(chunk[i].SentAt, now).TotalMilliseconds);
                done.Add(chunk[i].Signature);
            }
            if (done.Count > 0) _outstanding.RemoveAll(s => done.Contains(s.Signature));
        }
    }

    /// <summary>Gives up samples sent more than <see cref="GiveUpAfter"/> before <paramref name="now"/> (samples are added in send order).</summary>
    internal void GiveUpOld(long now)
    {
        long limit = (long)(GiveUpAfter.TotalSeconds * Stopwatch.Frequency);
        lock (_gate)
        {
            int old = 0;
            while (old < _outstanding.Count && now - _outstanding[old].SentAt > limit) old++;
            if (old == 0) return;
            _outstanding.RemoveRange(0, old);
            _gaveUp += old;
        }
    }

    /// <summary>The outstanding samples a round would poll now, oldest first.</summary>
    internal List<(Signature Signature, long SentAt)> PollBatch()
    {
        lock (_gate) return _outstanding.GetRange(0, Math.Min(MaxPerRound, _outstanding.Count));
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
