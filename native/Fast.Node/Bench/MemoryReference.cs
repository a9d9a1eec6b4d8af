using System.Diagnostics;
using Fast.Core.Platform;

namespace Fast.Node.Bench;

/// <summary>
/// How this machine's memory scales across cores for random reads beyond the caches: the ceiling
/// of any memory-bound parallel speedup (Sealevel over a working set larger than the caches is one).
/// Random 8-byte reads (independent, so several are in flight) over a 64 MiB buffer, on 1 thread
/// and then on N pinned threads at once; the ratio is aggregate reads/s ÷ single-thread reads/s.
/// </summary>
public static class MemoryReference
{
    private const int BufferBytes = 64 << 20;

    public static (double SingleReadsPerSecond, double ParallelReadsPerSecond) RandomReads(int threads, double seconds)
    {
        ulong[] data = new ulong[BufferBytes / sizeof(ulong)];
        for (int i = 0; i < data.Length; i++) data[i] = (ulong)i * 0x9E3779B97F4A7C15;
        double single = Rate(data, 1, seconds / 2);
        double parallel = Rate(data, threads, seconds / 2);
        return (single, parallel);
    }

    private static double Rate(ulong[] data, int threads, double seconds)
    {
        long total = 0;
        using Barrier start = new(threads + 1);
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int core = t % Environment.ProcessorCount;
            ulong seed = 0x2545F4914F6CDD1DUL * (ulong)(t + 1);
            workers[t] = new Thread(() =>
            {
                CpuAffinity.TryPinCurrentThread(core, out _);
                start.SignalAndWait();
                long reads = Reads(data, seed, seconds);
                Interlocked.Add(ref total, reads);
            }) { IsBackground = true, Name = $"bench-memory-{t}" };
            workers[t].Start();
        }
        start.SignalAndWait();
        foreach (Thread w in workers) w.Join();
        return total / seconds;
    }

    private static long Reads(ulong[] data, ulong state, double seconds)
    {
        int mask = data.Length - 1;
        long reads = 0;
        ulong sink = 0;
        long deadline = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            for (int i = 0; i < 4096; i++)
            {
                // xorshift64: independent addresses, so the core keeps several misses in flight.
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                sink += data[(int)state & mask];
            }
            reads += 4096;
        }
        GC.KeepAlive(sink);
        return reads;
    }
}
