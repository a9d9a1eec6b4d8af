using System.Diagnostics;

namespace Fast.Node.Bench;

/// <summary>
/// Measures several operations side by side: rounds alternate between them so that machine noise
/// (a shared, 2-core box) hits each alike, and each rate is the median over rounds. An operation
/// is a batch function that returns how many units of work it did.
/// </summary>
public static class Throughput
{
    public const int DefaultRounds = 5;

    /// <summary>Units per second for each operation, interleaved over <paramref name="rounds"/> rounds totalling about <paramref name="seconds"/>.</summary>
    public static double[] Interleaved(double seconds, int rounds, params Func<long>[] operations)
    {
        double[][] rates = InterleavedRounds(seconds, rounds, operations);
        double[] medians = new double[operations.Length];
        for (int i = 0; i < operations.Length; i++) medians[i] = Median(rates[i]);
        return medians;
    }

    /// <summary>Like <see cref="Interleaved"/>, but every round's rate: <c>[operation][round]</c>.</summary>
    public static double[][] InterleavedRounds(double seconds, int rounds, params Func<long>[] operations)
    {
        if (operations.Length == 0) return [];
        rounds = Math.Max(1, rounds);
        double slice = Math.Max(0.01, seconds / (rounds * operations.Length));
        double[][] rates = new double[operations.Length][];
        for (int i = 0; i < operations.Length; i++)
        {
            rates[i] = new double[rounds];
            operations[i](); // warm-up: JIT, caches, lazy native initialisation
        }
        for (int round = 0; round < rounds; round++)
        {
            for (int i = 0; i < operations.Length; i++) rates[i][round] = RateFor(slice, operations[i]);
        }
        return rates;
    }

    /// <summary>
    /// The median over rounds of <c>rates[round] / reference[round]</c>: each ratio compares two
    /// measurements taken moments apart, so a neighbour that steals the CPU for a while skews few
    /// of them (more robust on a shared machine than the ratio of the two medians).
    /// </summary>
    public static double MedianRatio(double[] rates, double[] reference)
    {
        double[] ratios = new double[Math.Min(rates.Length, reference.Length)];
        for (int i = 0; i < ratios.Length; i++) ratios[i] = rates[i] / reference[i];
        return Median(ratios);
    }

    /// <summary>Runs <paramref name="operation"/> for about <paramref name="seconds"/>; units per second.</summary>
    public static double RateFor(double seconds, Func<long> operation)
    {
        long units = 0;
        long budget = (long)(seconds * Stopwatch.Frequency);
        long start = Stopwatch.GetTimestamp();
        long elapsed;
        do
        {
            units += operation();
            elapsed = Stopwatch.GetTimestamp() - start;
        }
        while (elapsed < budget);
        return units * (double)Stopwatch.Frequency / elapsed;
    }

    /// <summary>
    /// Bytes allocated on this thread per unit of work over <paramref name="calls"/> calls, in steady
    /// state: the fewest of 3 rounds. A per-call allocation shows in every round; the few kilobytes a
    /// loaded runtime now and then charges a thread do not (`bench fec` once printed 4.5 B per set
    /// that way in a full test run).
    /// </summary>
    public static double AllocatedPerUnit(int calls, Func<long> operation)
    {
        operation();
        double fewest = double.MaxValue;
        for (int round = 0; round < 3; round++)
        {
            long units = 0;
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < calls; i++) units += operation();
            long after = GC.GetAllocatedBytesForCurrentThread();
            fewest = Math.Min(fewest, units == 0 ? 0 : (after - before) / (double)units);
        }
        return fewest;
    }

    public static double Median(double[] values)
    {
        double[] sorted = (double[])values.Clone();
        Array.Sort(sorted);
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
