using System.Diagnostics;
using FASTER.core;

using AccountSession = FASTER.core.ClientSession<FASTER.core.SpanByte, FASTER.core.SpanByte, FASTER.core.SpanByte,
    Fast.Storage.Accounts.AccountReadOutput, long, Fast.Storage.Accounts.AccountStoreFunctions>;

namespace Fast.Storage.Accounts;

/// <summary>
/// Checkpoints of the accounts store, written without holding up the owner thread.
/// <para>
/// <see cref="TryBeginCheckpoint"/> starts a FASTER fold-over checkpoint of the hybrid log (and, now
/// and then, of the hash index) and returns as soon as the owner's session has crossed into the next
/// CPR version; a thread-pool task then waits for the flush and the metadata. FASTER's concurrent
/// prefix recovery puts every operation the owner session issued before the version switch — the
/// accounts of the root just flushed and its root record, nothing later — in the checkpoint, and no
/// operation after it, even when later records reach the disk first. So the root record always
/// describes exactly the accounts its checkpoint holds, and writes of later roots go on while the
/// checkpoint is written. Readers' sessions on other threads are idle outside their operations and
/// never hold the switch up for longer than one read.
/// </para>
/// <para>
/// The index is checkpointed only when the log has grown by <see cref="AccountsDbOptions.IndexBytes"/>
/// since the last index checkpoint (and on the first checkpoint after open): recovery loads the last
/// index checkpoint and replays the log from it to the last log checkpoint, so this bounds that
/// replay by the index size while writing the index no more often than the log itself grows.
/// The last two index checkpoints and the last log checkpoint are kept (AccountsDb.Recovery.cs deletes older ones once a newer one is durable).
/// Durable means FASTER completed it and every one of its files was written without error
/// (<see cref="AccountsCheckpointFiles"/>: FASTER itself reports a checkpoint done after a failed write).
/// </para>
/// </summary>
public sealed partial class AccountsDb
{
    private CheckpointRun? _inFlight;
    private bool _stuck; // a checkpoint never completed: FASTER cannot be disposed under it
    private long _indexCheckpointTail = -1;
    private long _indexCheckpointBegin = -1; // the log's begin at the last index checkpoint
    private long _truncatedUntil;

    /// <summary>Checkpoints begun since open (the synchronous ones included).</summary>
    public int CheckpointCount { get; private set; }

    /// <summary>True while a checkpoint begun by <see cref="TryBeginCheckpoint"/> is still being written.</summary>
    public bool CheckpointInProgress => _inFlight is { IsCompleted: false };

    /// <summary>The last checkpoint that became durable since open (null before the first one).</summary>
    public CheckpointReport? LastCheckpoint { get; private set; }

    /// <summary>Bytes of hybrid log between its begin and its tail (what a scan or compaction covers).</summary>
    public long LogBytes => _store.Log.TailAddress - _store.Log.BeginAddress;

    /// <summary>
    /// Starts a checkpoint of everything written so far (the last <see cref="WriteRoot"/> included) and
    /// returns without waiting for it to be durable; false when the previous one is still being
    /// written (try again later). Throws if the previous one failed. Owner thread; allocates once.
    /// </summary>
    public bool TryBeginCheckpoint()
    {
        ThrowIfDisposed();
        if (_inFlight is not null)
        {
            if (!_inFlight.IsCompleted)
            {
                if (_inFlight.Elapsed > Options.CheckpointTimeout) ThrowStuck(_inFlight);
                return false;
            }
            Observe(_inFlight);
        }
        long started = Stopwatch.GetTimestamp();
        long begin = _store.Log.BeginAddress;
        // After a compaction moved the begin, the index is checkpointed too, so recovery never replays from below the begin.
        bool withIndex = _indexCheckpointTail < 0 || _store.Log.TailAddress - _indexCheckpointTail >= Options.IndexBytes || begin != _indexCheckpointBegin;
        long tail = _store.Log.TailAddress;
        long version = _store.SystemState.Version; // the checkpoint's version; the owner leaves it below
        Guid token;
        bool initiated = withIndex
            ? _store.TryInitiateFullCheckpoint(out token, CheckpointType.FoldOver)
            : _store.TryInitiateHybridLogCheckpoint(out token, CheckpointType.FoldOver);
        if (!initiated) return false;
        if (withIndex)
        {
            _indexCheckpointTail = tail;
            _indexCheckpointBegin = begin;
        }
        EnterNextVersion(version);
        CheckpointRun run = new(RootSlot ?? 0, withIndex, started, begin, token);
        run.Start(_store);
        _inFlight = run;
        CheckpointCount++;
        return true;
    }

    /// <summary>
    /// If the checkpoint in flight has become durable, reports it (once) and returns true. Throws if it
    /// failed. Owner thread.
    /// </summary>
    public bool TryCompleteCheckpoint(out CheckpointReport report)
    {
        report = default;
        if (_inFlight is not { IsCompleted: true } run) return false;
        Observe(run);
        report = run.Report;
        return true;
    }

    /// <summary>Waits until the checkpoint in flight (if any) is durable; throws if it failed. Owner thread.</summary>
    public void WaitForCheckpoint()
    {
        if (_inFlight is not CheckpointRun run) return;
        if (!run.Wait(Options.CheckpointTimeout - run.Elapsed)) ThrowStuck(run);
        Observe(run);
    }

    /// <summary>A checkpoint that never became durable: its flush failed (FASTER does not report it), so the device is full or failing.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void ThrowStuck(CheckpointRun run) =>
        throw new StorageException($"{Options.Directory}: the accounts checkpoint of root {run.Report.Slot} is not durable after {run.Elapsed.TotalSeconds:0} s; the device is full or failing");

    /// <summary>
    /// Takes a full checkpoint (index + hybrid log, fold-over) of everything written so far and waits
    /// until it is durable (after the one in flight, if any). For start-up and shutdown. Owner thread.
    /// </summary>
    public CheckpointReport Checkpoint()
    {
        ThrowIfDisposed();
        FlushOwnerIndex();
        WaitForCheckpoint();
        long started = Stopwatch.GetTimestamp();
        long tail = _store.Log.TailAddress;
        long begin = _store.Log.BeginAddress;
        Task<(bool, Guid)> taking = _store.TakeFullCheckpointAsync(CheckpointType.FoldOver).AsTask();
        if (!taking.Wait(Options.CheckpointTimeout))
        {
            _stuck = true;
            throw new StorageException($"{Options.Directory}: the accounts checkpoint of root {RootSlot ?? 0} is not durable after {Options.CheckpointTimeout.TotalSeconds:0} s; the device is full or failing");
        }
        (bool ok, Guid token) = taking.GetAwaiter().GetResult();
        if (!ok) ThrowHelper.ThrowStorage("FASTER refused the checkpoint (another one is in progress)");
        ThrowIfCheckpointFilesFailed(RootSlot ?? 0);
        DeleteOutdatedCheckpoints(token, withIndex: true);
        _indexCheckpointTail = tail;
        _indexCheckpointBegin = begin;
        TruncateCompacted(begin);
        CheckpointCount++;
        CheckpointReport report = new(RootSlot ?? 0, true, Stopwatch.GetElapsedTime(started));
        LastCheckpoint = report;
        return report;
    }

    private void Observe(CheckpointRun run)
    {
        _inFlight = null;
        if (run.Failure is Exception failure)
        {
            _indexCheckpointTail = -1;
            _indexCheckpointBegin = -1;
            throw new StorageException($"the accounts checkpoint of root {run.Report.Slot} failed: {failure.Message}", failure);
        }
        if (_checkpointFiles.Failure is not null)
        {
            _indexCheckpointTail = -1;
            _indexCheckpointBegin = -1;
            ThrowIfCheckpointFilesFailed(run.Report.Slot);
        }
        LastCheckpoint = run.Report;
        DeleteOutdatedCheckpoints(run.Token, run.WithIndex);
        TruncateCompacted(run.BeginAddress);
    }

    /// <summary>
    /// A checkpoint file that could not be written (disk full, failing device: FASTER reports the checkpoint
    /// done regardless) means the checkpoint is not durable: an error, and the checkpoint before it is kept.
    /// </summary>
    private void ThrowIfCheckpointFilesFailed(ulong slot)
    {
        if (_checkpointFiles.Failure is string failure)
        {
            throw new StorageException($"{Options.Directory}: the accounts checkpoint of root {slot} is not durable ({failure}; the device is full or failing)");
        }
    }

    /// <summary>
    /// Deletes the log files below <paramref name="durableBegin"/>, the begin a durable checkpoint recorded
    /// (compaction moved it; nothing compacts while a checkpoint is unobserved, so it is still the begin).
    /// </summary>
    private void TruncateCompacted(long durableBegin)
    {
        if (durableBegin <= _truncatedUntil || _store.Log.BeginAddress != durableBegin) return;
        _store.Log.Truncate();
        _truncatedUntil = durableBegin;
    }

    /// <summary>
    /// Refreshes the owner's session until it works in the version after <paramref name="checkpointVersion"/>,
    /// so its next write is not part of the checkpoint. Takes as long as the slowest read in progress
    /// on another thread (a protected session that has not yet seen the new phase).
    /// </summary>
    private void EnterNextVersion(long checkpointVersion)
    {
        AccountSession session = _sessions.Value!;
        SpinWait spin = default;
        while (true)
        {
            session.Refresh();
            if (session.Version > checkpointVersion) return;
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>One background checkpoint: FASTER's completion driven on the thread pool, and what it took.</summary>
    private sealed class CheckpointRun(ulong slot, bool withIndex, long startedTimestamp, long beginAddress, Guid token)
    {
        /// <summary>The checkpoint's token (its folders under checkpoints/).</summary>
        public Guid Token { get; } = token;

        public bool WithIndex { get; } = withIndex;

        /// <summary>The log's begin when the checkpoint started (what it records).</summary>
        public long BeginAddress { get; } = beginAddress;

        private Task? _task;

        public CheckpointReport Report { get; private set; } = new(slot, withIndex, TimeSpan.Zero);

        public Exception? Failure { get; private set; }

        public bool IsCompleted => _task!.IsCompleted;

        public void Start(FasterKV<SpanByte, SpanByte> store) => _task = Task.Run(() => CompleteAsync(store));

        public bool Wait(TimeSpan timeout)
        {
            if (!_task!.Wait(timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero)) return false;
            _task.GetAwaiter().GetResult();
            return true;
        }

        /// <summary>Time since the checkpoint started.</summary>
        public TimeSpan Elapsed => Stopwatch.GetElapsedTime(startedTimestamp);

        private async Task CompleteAsync(FasterKV<SpanByte, SpanByte> store)
        {
            try
            {
                await store.CompleteCheckpointAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Failure = e; // rethrown on the owner thread by Observe
            }
            Report = Report with { Duration = Stopwatch.GetElapsedTime(startedTimestamp) };
        }
    }
}

/// <summary>A checkpoint that became durable: the root slot it holds, whether it included the hash index, and how long it took from start to durable.</summary>
public readonly record struct CheckpointReport(ulong Slot, bool WithIndex, TimeSpan Duration);
