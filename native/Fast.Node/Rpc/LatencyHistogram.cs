namespace Fast.Node.Rpc;

/// <summary>
/// A latency histogram for /metrics (<see cref="PrometheusText.Histogram"/>): fixed bucket bounds in
/// milliseconds, a count per bucket, the sum and the count. Recorded by one thread, read by any (each
/// field is read on its own, so a scrape may see one record half-counted — harmless for a histogram).
/// </summary>
public sealed class LatencyHistogram
{
    /// <summary>Bucket upper bounds, milliseconds: a 600 ms slot's fractions and multiples.</summary>
    public static readonly double[] SlotBoundsMs = [25, 50, 100, 200, 300, 400, 600, 800, 1200, 1800, 2400, 4800];

    private readonly double[] _boundsMs;
    private readonly long[] _counts; // per bucket, not cumulative; the last is +Inf
    private long _count;
    private long _sumMicroseconds;

    public LatencyHistogram(double[]? boundsMs = null)
    {
        _boundsMs = boundsMs ?? SlotBoundsMs;
        _counts = new long[_boundsMs.Length + 1];
    }

    public IReadOnlyList<double> BoundsMs => _boundsMs;

    public long Count => Volatile.Read(ref _count);

    public double SumMs => Volatile.Read(ref _sumMicroseconds) / 1000.0;

    /// <summary>Records one latency (negative ones count as 0).</summary>
    public void Record(double ms)
    {
        if (!(ms > 0)) ms = 0;
        int bucket = 0;
        while (bucket < _boundsMs.Length && ms > _boundsMs[bucket]) bucket++;
        Interlocked.Increment(ref _counts[bucket]);
        Interlocked.Add(ref _sumMicroseconds, (long)(ms * 1000));
        Interlocked.Increment(ref _count);
    }

    /// <summary>Records at or below bucket <paramref name="bucket"/>'s bound (cumulative; the last bucket is +Inf).</summary>
    public long CumulativeCount(int bucket)
    {
        long total = 0;
        for (int i = 0; i <= bucket && i < _counts.Length; i++) total += Volatile.Read(ref _counts[i]);
        return total;
    }
}
