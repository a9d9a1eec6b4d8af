using System.Diagnostics;
using Fast.Core.Platform;
using Fast.Storage.Accounts;

namespace Fast.Exec.Banking;

/// <summary>
/// The background root flush (<see cref="BankForksOptions.FlushInBackground"/>): <see cref="SetRoot"/>
/// marks the path up to the new root rooted, prunes, and hands a root job to the "root-flush"
/// thread, which writes the path's overlays into FASTER oldest first (marking each bank
/// <see cref="Bank.IsFlushed"/> when done), then the root record, then runs the compaction slice
/// and starts a checkpoint when one is due — the inline order, so a checkpoint always holds whole
/// roots and a crash mid-flush recovers the last checkpoint. Until a bank is flushed its overlay stays
/// attached and its descendants read through it (Bank.LoadBelow); the owner thread retires flushed
/// overlays at a later root (after the usual grace period, so a reader that saw one unflushed still
/// reads valid memory). Jobs live in a fixed ring of <see cref="BankForksOptions.MaxPendingRootFlushes"/>:
/// a root that finds it full waits for the oldest flush (back-pressure), and nothing is allocated per root.
/// <para>Threads: <see cref="SetRoot"/>, <see cref="WaitForRootFlush"/> and <see cref="Dispose"/> on the
/// owner thread; the root-flush thread is then the only writer of the <see cref="AccountsDb"/>. The
/// ring's counters are guarded by a monitor.</para>
/// </summary>
public sealed partial class BankForks
{
    private readonly object _flushGate = new();
    private RootJob[] _jobs = [];
    private long _enqueuedJobs;
    private long _finishedJobs;
    private long _collectedJobs;
    private bool _stopFlushing;
    private Exception? _flushFailure;
    private Thread? _flushThread;
    private FlushTotals _collected;

    /// <summary>Roots handed to the background flush that it has not finished (0 with an inline flush).</summary>
    public int PendingRootFlushes
    {
        get
        {
            lock (_flushGate) return (int)(_enqueuedJobs - _finishedJobs);
        }
    }

    /// <summary>
    /// Waits until every root handed to the background flush is in FASTER (its overlays written and its
    /// root record saved) and retires the flushed overlays; rethrows a flush failure. A no-op with an
    /// inline flush. Owner thread: call before checkpointing or closing the store yourself.
    /// </summary>
    public void WaitForRootFlush()
    {
        if (_flushThread is null) return;
        lock (_flushGate)
        {
            while (_finishedJobs < _enqueuedJobs && _flushFailure is null) Monitor.Wait(_flushGate);
        }
        ThrowIfFlushFailed();
        CollectFinishedJobs();
    }

    /// <summary>Finishes the outstanding background flushes (if it can) and stops the root-flush thread. Does not close the store.</summary>
    public void Dispose()
    {
        if (_flushThread is null) return;
        lock (_flushGate)
        {
            _stopFlushing = true; // the thread drains the ring first
            Monitor.PulseAll(_flushGate);
        }
        _flushThread.Join();
        _flushThread = null;
        if (_flushFailure is null) CollectFinishedJobs();
    }

    private void StartFlushThread()
    {
        _jobs = new RootJob[Math.Max(1, Options.MaxPendingRootFlushes)];
        for (int i = 0; i < _jobs.Length; i++) _jobs[i] = new RootJob();
        _flushThread = new Thread(FlushLoop) { IsBackground = true, Name = "root-flush" };
        _flushThread.Start();
    }

    /// <summary>A free job slot, after retiring what finished; waits for the oldest flush when all are in use. Owner thread, outside the root lock.</summary>
    private RootJob TakeFreeJob()
    {
        CollectFinishedJobs();
        lock (_flushGate)
        {
            while (_enqueuedJobs - _collectedJobs == _jobs.Length && _finishedJobs == _collectedJobs && _flushFailure is null)
            {
                Monitor.Wait(_flushGate);
            }
        }
        ThrowIfFlushFailed();
        CollectFinishedJobs();
        return _jobs[_enqueuedJobs % _jobs.Length];
    }

    /// <summary>The background-flush <see cref="SetRoot"/>: links and prunes under the root lock, flushes later.</summary>
    private RootOutcome SetRootInBackground(Bank newRoot, ulong slot, RootJob job)
    {
        _rootAdvances++;
        List<Bank> path = job.Path;
        path.Clear();
        for (Bank? bank = newRoot; bank != Root; bank = bank.Parent)
        {
            if (bank is null)
            {
                path.Clear();
                ThrowHelper.ThrowArgument(nameof(slot), $"bank {slot} does not descend from the root {Root.Slot}");
            }
            path.Add(bank);
        }
        path.Reverse();
        foreach (Bank bank in path) bank.IsRooted = true;
        job.Root = newRoot;
        int pruned = MakeRoot(newRoot, slot);
        // newRoot keeps its parent link: the path below it is read from the overlays until it is flushed.
        RecycleRetired();
        lock (_flushGate)
        {
            _enqueuedJobs++;
            Monitor.PulseAll(_flushGate);
        }
        FlushTotals done = _collected;
        _collected = default;
        return new RootOutcome(done.Banks, done.Accounts, pruned, done.Checkpointed)
        {
            CheckpointStartElapsed = done.CheckpointStartElapsed,
            CheckpointDeferred = done.CheckpointDeferred,
            CompletedCheckpoint = done.CompletedCheckpoint,
            Compaction = done.Compaction,
        };
    }

    /// <summary>Retires the overlays of finished jobs, adds their figures to the next outcome, and unlinks flushed ancestors. Owner thread.</summary>
    private void CollectFinishedJobs()
    {
        long finished;
        lock (_flushGate) finished = _finishedJobs;
        while (_collectedJobs < finished)
        {
            RootJob job = _jobs[_collectedJobs % _jobs.Length];
            foreach (Bank bank in job.Path)
            {
                AccountOverlay? overlay = bank.DetachOverlay();
                if (overlay is not null) Retire(overlay);
            }
            _collected.Add(job);
            job.Clear();
            _collectedJobs++;
        }
        // The first flushed ancestor below the root ends every reader's walk: drop the links to it.
        for (Bank bank = Root; bank.Parent is Bank parent; bank = parent)
        {
            if (parent.IsFlushed && parent.Overlay is null)
            {
                bank.Parent = null;
                break;
            }
        }
    }

    private void ThrowIfFlushFailed()
    {
        if (_flushFailure is Exception failure) throw new InvalidOperationException("the background root flush failed; the accounts store holds the roots flushed before it", failure);
    }

    private void FlushLoop()
    {
        if (Options.RootFlushCore is int core) CpuAffinity.TryPinCurrentThread(core, out _);
        while (true)
        {
            RootJob job;
            lock (_flushGate)
            {
                while (_finishedJobs == _enqueuedJobs && !_stopFlushing) Monitor.Wait(_flushGate);
                if (_finishedJobs == _enqueuedJobs) return;
                job = _jobs[_finishedJobs % _jobs.Length];
            }
            try
            {
                RunFlushJob(job);
            }
            catch (Exception e)
            {
                lock (_flushGate)
                {
                    _flushFailure = e;
                    Monitor.PulseAll(_flushGate);
                }
                return;
            }
            lock (_flushGate)
            {
                _finishedJobs++;
                Monitor.PulseAll(_flushGate);
            }
        }
    }

    /// <summary>One root's flush, in the inline order (root-flush thread).</summary>
    private void RunFlushJob(RootJob job)
    {
        int accounts = 0;
        foreach (Bank bank in job.Path)
        {
            if (bank.Overlay is AccountOverlay overlay) accounts += WriteOverlay(overlay);
            bank.IsFlushed = true; // after its writes: a reader that sees it reads FASTER, which now holds them
        }
        Bank root = job.Root!;
        WriteRootRecord(root);
        job.FlushedAccounts = accounts;
        if (_accounts.TryCompleteCheckpoint(out CheckpointReport report))
        {
            job.CompletedCheckpoint = report;
            Volatile.Write(ref _durableRootSlot, (long)report.Slot);
        }
        job.Compaction = _accounts.MaybeCompact(out CompactionReport slice) ? slice : null; // before the checkpoint: its copies go in it
        if (root.Slot - _lastCheckpointSlot >= Options.CheckpointIntervalSlots)
        {
            long beginning = Stopwatch.GetTimestamp();
            job.Checkpointed = _accounts.TryBeginCheckpoint();
            job.CheckpointStartElapsed = Stopwatch.GetElapsedTime(beginning);
            if (job.Checkpointed) _lastCheckpointSlot = root.Slot;
            job.CheckpointDeferred = !job.Checkpointed;
        }
    }

    /// <summary>One root's flush: the banks from the old root (exclusive) to the new one, oldest first, and what the flush did.</summary>
    private sealed class RootJob
    {
        public List<Bank> Path { get; } = [];

        public Bank? Root { get; set; }

        public int FlushedAccounts { get; set; }

        public bool Checkpointed { get; set; }

        public bool CheckpointDeferred { get; set; }

        public TimeSpan CheckpointStartElapsed { get; set; }

        public CheckpointReport? CompletedCheckpoint { get; set; }

        public CompactionReport? Compaction { get; set; }

        public void Clear()
        {
            Path.Clear();
            Root = null;
            FlushedAccounts = 0;
            Checkpointed = false;
            CheckpointDeferred = false;
            CheckpointStartElapsed = TimeSpan.Zero;
            CompletedCheckpoint = null;
            Compaction = null;
        }
    }

    /// <summary>What the flushes collected since the previous root did (reported by the next <see cref="RootOutcome"/>).</summary>
    private struct FlushTotals
    {
        public int Banks;
        public int Accounts;
        public bool Checkpointed;
        public bool CheckpointDeferred;
        public TimeSpan CheckpointStartElapsed;
        public CheckpointReport? CompletedCheckpoint;
        public CompactionReport? Compaction;

        public void Add(RootJob job)
        {
            Banks += job.Path.Count;
            Accounts += job.FlushedAccounts;
            Checkpointed |= job.Checkpointed;
            CheckpointDeferred = job.CheckpointDeferred && !Checkpointed;
            CheckpointStartElapsed += job.CheckpointStartElapsed;
            CompletedCheckpoint = job.CompletedCheckpoint ?? CompletedCheckpoint;
            Compaction = job.Compaction ?? Compaction;
        }
    }
}
