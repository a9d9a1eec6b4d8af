namespace Fast.Exec.Scheduling;

/// <summary>What the scheduler has done (for benchmarks and diagnostics).</summary>
public struct SchedulerStats
{
    public long Batches;
    public long ScheduledTransactions;

    /// <summary>Thread CPU time the coordinator spent scheduling (admitting, locking, completing) the sampled batches (one in 16): the serial part.</summary>
    public long SchedulingNanoseconds;

    /// <summary>Thread CPU time the workers spent executing the sampled batches: the parallel part.</summary>
    public long ExecutionNanoseconds;

    /// <summary>Transactions in the sampled batches (divide the two times above by this).</summary>
    public long SampledTransactions;

    /// <summary>The part of <see cref="ExecutionNanoseconds"/> and <see cref="SampledTransactions"/> run on helper threads (not the coordinator).</summary>
    public long HelperExecutionNanoseconds;
    public long HelperSampledTransactions;

    /// <summary>Times a transaction had to wait for a later batch because of a conflict.</summary>
    public long Deferrals;

    /// <summary>Transactions answered AlreadyProcessed without executing.</summary>
    public long AlreadyProcessed;

    public readonly double AverageBatchSize => Batches == 0 ? 0 : ScheduledTransactions / (double)Batches;

    /// <summary>The counters accumulated since <paramref name="earlier"/> (a snapshot of the same scheduler).</summary>
    public readonly SchedulerStats Since(in SchedulerStats earlier) => new()
    {
        Batches = Batches - earlier.Batches,
        ScheduledTransactions = ScheduledTransactions - earlier.ScheduledTransactions,
        SchedulingNanoseconds = SchedulingNanoseconds - earlier.SchedulingNanoseconds,
        ExecutionNanoseconds = ExecutionNanoseconds - earlier.ExecutionNanoseconds,
        SampledTransactions = SampledTransactions - earlier.SampledTransactions,
        HelperExecutionNanoseconds = HelperExecutionNanoseconds - earlier.HelperExecutionNanoseconds,
        HelperSampledTransactions = HelperSampledTransactions - earlier.HelperSampledTransactions,
        Deferrals = Deferrals - earlier.Deferrals,
        AlreadyProcessed = AlreadyProcessed - earlier.AlreadyProcessed,
    };

    /// <summary>
    /// The speedup N workers could reach on N idle cores given the measured serial (scheduling) and
    /// parallel (execution) work: (S + E) / max(S, (S + E) / N) — Amdahl with the coordinator also executing.
    /// </summary>
    public readonly double IdealSpeedup(int workers)
    {
        double total = SchedulingNanoseconds + ExecutionNanoseconds;
        return total == 0 ? 1 : total / Math.Max(SchedulingNanoseconds, total / workers);
    }
}
