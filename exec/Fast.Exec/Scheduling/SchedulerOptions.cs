namespace Fast.Exec.Scheduling;

/// <summary>How the <see cref="SealevelScheduler"/> runs.</summary>
public sealed record SchedulerOptions
{
    /// <summary>
    /// Threads that execute transactions: the thread calling <c>SealevelScheduler.Execute</c>
    /// (which also schedules) plus <c>Workers − 1</c> helper threads the scheduler owns.
    /// </summary>
    public int Workers { get; init; } = 2;

    /// <summary>Most transactions in one batch (a batch is one queue hand-off).</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>How many transactions past the oldest unscheduled one the scheduler looks at for non-conflicting work.</summary>
    public int Window { get; init; } = 2048;

    /// <summary>Batches handed out and not yet completed, at most (default 4 per worker: enough queued that no helper waits while the coordinator executes a batch itself).</summary>
    public int MaxBatchesInFlight { get; init; }

    /// <summary>Core for each helper thread (helper i pins to <c>HelperCores[i % Count]</c>); null or empty: not pinned.</summary>
    public IReadOnlyList<int>? HelperCores { get; init; }

    /// <summary>
    /// How long an idle helper spins for work before it parks (parking costs a futex wake — an IPI on a
    /// VM — when work comes back). Longer suits dedicated cores fed back to back; shorter suits shared machines.
    /// </summary>
    public TimeSpan IdleSpin { get; init; } = TimeSpan.FromMicroseconds(200);

    /// <summary>
    /// A bank this scheduler executed hashes its accounts delta on these workers when it freezes (see
    /// Banking.AccountsDeltaHash); false: on the freezing thread alone (the same hash).
    /// </summary>
    public bool FreezeOnWorkers { get; init; } = true;

    /// <summary>
    /// When the previous block's loads waited on the disk this many times or more (accounts outside
    /// FASTER's memory), the next block's accounts are preloaded first: every first touch not in an
    /// unflushed ancestor starts its FASTER read, and all pending reads are awaited together — the
    /// device serves them in parallel instead of one worker waiting per miss. 0: never preload.
    /// </summary>
    public int PreloadAfterDiskReads { get; init; } = 64;

    /// <summary>
    /// Accounts one execution thread reads together in a preload (one part of the block's cold accounts):
    /// their FASTER reads are all started before the thread waits for the pending ones, so each thread
    /// keeps this many disk reads in flight. Larger amortises the wait; smaller spreads a small block
    /// over more threads.
    /// </summary>
    public int PreloadReadsInFlight { get; init; } = 1024;

    /// <summary>
    /// Whether a preload's parts run on the coordinator and its idle helpers together (true), or on the
    /// coordinator alone, one part after another (false: the reference the bench compares against).
    /// </summary>
    public bool PreloadOnWorkers { get; init; } = true;

    /// <summary>
    /// Whether each preload part's disk reads reach the kernel together (one io_uring call per part,
    /// where the accounts device can: <see cref="Fast.Storage.Accounts.AccountsDb.BeginReadBatch"/>)
    /// rather than as one pread each (false: the reference the bench compares against).
    /// </summary>
    public bool PreloadBatchedReads { get; init; } = true;

    internal int EffectiveBatchesInFlight => MaxBatchesInFlight > 0 ? MaxBatchesInFlight : Math.Max(2, Workers * 4);
}
