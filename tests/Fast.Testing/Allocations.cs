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
}
