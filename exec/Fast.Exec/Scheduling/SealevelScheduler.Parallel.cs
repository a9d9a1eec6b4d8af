using Fast.Exec.Banking;

namespace Fast.Exec.Scheduling;

/// <summary>
/// Work between slots on the execution threads: a <see cref="ParallelJob"/> round (e.g. a freezing
/// bank's accounts-delta hash) shared by the coordinator and the idle helpers, which look for one
/// before they look for batches (SealevelScheduler.Workers.cs).
/// </summary>
public sealed partial class SealevelScheduler
{
    private ParallelJob? _parallel;
    private int _parallelBusy;

    /// <summary>
    /// Runs a round of <paramref name="job"/>'s <paramref name="parts"/> on this thread and the idle
    /// helpers (waking parked ones) and returns when all are done; rethrows a part's failure. Between
    /// <see cref="Execute(Bank, ReadOnlySpan{VerifiedTransaction}, Span{TransactionResult})"/> calls, from
    /// the thread that executes on this scheduler. If another thread is already running a round here,
    /// this one runs its parts alone. Allocates nothing.
    /// </summary>
    internal void RunParallel(ParallelJob job, int parts)
    {
        if (_helperCount == 0 || _stopping || Interlocked.CompareExchange(ref _parallelBusy, 1, 0) != 0)
        {
            job.RunSerially(parts);
            return;
        }
        try
        {
            job.Start(parts);
            Interlocked.Exchange(ref _parallel, job); // a full fence before reading _sleepers: a helper going to sleep either is counted or sees the job
            int sleepers = Volatile.Read(ref _sleepers);
            if (sleepers > 0) _wake.Release(sleepers);
            job.Help();
            SpinWait spin = default;
            while (!job.IsDone) spin.SpinOnce(sleep1Threshold: -1);
        }
        finally
        {
            Volatile.Write(ref _parallel, null);
            Volatile.Write(ref _parallelBusy, 0);
        }
        job.ThrowIfFailed();
    }
}
