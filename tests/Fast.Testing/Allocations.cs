namespace Fast.Testing;

/// <summary>Measures managed allocation on the current thread, for zero-allocation hot-path tests.</summary>
public static class Allocations
{
    /// <summary>Bytes allocated by <paramref name="calls"/> runs of <paramref name="action"/>, after one warm-up run.</summary>
    public static long Measure(int calls, Action action)
    {
        action();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < calls; i++) action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    /// <summary>
    /// The steady-state cost of <paramref name="action"/> where other threads take part (workers, a
    /// background flush): the fewest bytes any of <paramref name="rounds"/> rounds of
    /// <paramref name="calls"/> runs allocated, after one warm-up run. A per-call allocation shows
    /// in every round; what does not is a one-off — a pool or queue reaching a new high-water mark
    /// because a helper thread was starved by a loaded machine, or the few kilobytes the runtime
    /// charged the thread now and then under load in our measurements (no GC in between, with or
    /// without tiered compilation, at arbitrary code points).
    /// </summary>
    public static long SteadyState(int rounds, int calls, Action action)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 2);
        action();
        long fewest = long.MaxValue;
        for (int round = 0; round < rounds; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < calls; i++) action();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return fewest;
    }
}
