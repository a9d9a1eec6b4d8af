using System.Diagnostics;
using Fast.Core.Collections;
using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Exec.Runtime;

namespace Fast.Exec.Scheduling;

/// <summary>
/// Sealevel: executes a list of verified transactions against a bank in parallel, with the outcome
/// of executing them one by one in list order. The calling thread is the coordinator: it walks the
/// list in order (a window of <see cref="SchedulerOptions.Window"/> ahead), resolves each
/// transaction's accounts into the bank's overlay, takes account locks (write = exclusive, read =
/// shared), and packs transactions that conflict with no batch in flight into batches of up to
/// <see cref="SchedulerOptions.BatchSize"/>; a transaction that conflicts waits for a later batch
/// (and holds back later transactions that conflict with it), a transaction whose accounts only
/// this batch holds joins it and runs after the earlier ones. Batches go to the helper threads
/// (pinned to cores) over a lock-free <see cref="BoundedQueue{T}"/>; the coordinator executes
/// batches itself when the queue is full enough, so N workers means N busy cores, and completions
/// come back over a second queue. Workers never wait for a lock.
/// <para>The list order is the priority order for a leader (see <see cref="OrderByPriority"/>) and
/// the block order for replay. Threads: <c>Execute</c> from one thread at a time (the bank
/// owner thread); the helpers are this scheduler's own.</para>
/// </summary>
public sealed partial class SealevelScheduler : IDisposable
{
    private readonly SchedulerOptions _options;
    private readonly int _helperCount;
    private readonly long _idleSpinTicks;
    private readonly Thread[] _helpers;
    private readonly ExecutionScratch[] _scratch;
    private readonly ExecutionBatch[] _batches;
    private readonly int[] _freeBatches;
    private int _freeBatchCount;
    private readonly BoundedQueue<int> _work;
    private readonly BoundedQueue<int> _done;
    private readonly SemaphoreSlim _wake = new(0);
    private int _sleepers;
    private volatile bool _stopping;
    private volatile bool _parkNow;
    private Exception? _helperFailure;

    /// <summary>One batch in this many has its CPU time measured (a thread-CPU clock read is a ~0.5 µs syscall on a VM).</summary>
    private const int CpuSampleEvery = 16;

    // The current execution, published to helpers by the work queue (written before a batch is queued).
    private Bank? _bank;
    private VerifiedTransaction[] _txs = [];
    private TransactionResult[] _results = [];
    private int[] _handleStart = [];
    private int[] _handles = [];
    private int[] _hashes = []; // each handle's key hash (SeededHash), so workers neither rehash nor read the entry to prefetch
    private StatusCache.Group[] _statusGroup = [];
    private bool _captureBalances;
    private ulong[] _balances = []; // 2 per handle: transaction t's pre then post balances at 2 × _handleStart[t]
    private readonly Dictionary<Hash, int> _blockhashCounts = [];

    public SealevelScheduler(SchedulerOptions? options = null)
    {
        _options = options ?? new SchedulerOptions();
        if (_options.Workers < 1) ThrowHelper.ThrowArgument(nameof(options), "at least one worker");
        if (_options.BatchSize < 1) ThrowHelper.ThrowArgument(nameof(options), "batches hold at least one transaction");
        if (_options.Window < 1) ThrowHelper.ThrowArgument(nameof(options), "the window holds at least one transaction");
        _helperCount = _options.Workers - 1;
        _idleSpinTicks = (long)(_options.IdleSpin.TotalSeconds * Stopwatch.Frequency);
        int slots = _options.EffectiveBatchesInFlight + 1;
        _batches = new ExecutionBatch[slots];
        _freeBatches = new int[slots];
        for (int i = 0; i < slots; i++)
        {
            _batches[i] = new ExecutionBatch(i, _options.BatchSize);
            _freeBatches[_freeBatchCount++] = i;
        }
        _work = new BoundedQueue<int>(Math.Max(2, slots));
        _done = new BoundedQueue<int>(Math.Max(2, slots));
        _pending = new int[_options.Window];
        _scratch = new ExecutionScratch[_options.Workers];
        for (int i = 0; i < _scratch.Length; i++) _scratch[i] = new ExecutionScratch();
        _helpers = new Thread[_helperCount];
        for (int i = 0; i < _helperCount; i++)
        {
            int index = i;
            _helpers[i] = new Thread(() => HelperLoop(index)) { IsBackground = true, Name = $"sealevel-{i + 1}" };
            _helpers[i].Start();
        }
    }

    public int Workers => _options.Workers;

    public SchedulerOptions Options => _options;

    /// <summary>Counters since construction (coordinator thread).</summary>
    public SchedulerStats Stats => _stats;

    /// <summary>
    /// Executes <paramref name="transactions"/> against <paramref name="bank"/> with the outcome of
    /// running them serially in this order; <paramref name="results"/>[i] is transaction i's outcome.
    /// Returns when all are done. Allocates nothing once its buffers have grown to the block size.
    /// </summary>
    public void Execute(Bank bank, ReadOnlySpan<VerifiedTransaction> transactions, Span<TransactionResult> results) =>
        Execute(bank, transactions, results, []);

    /// <summary>
    /// <see cref="Execute(Bank, ReadOnlySpan{VerifiedTransaction}, Span{TransactionResult})"/>, also writing
    /// each transaction's account balances into <paramref name="balances"/> (empty: not wanted): for
    /// transaction i, in list order, its n accounts' lamports before, then after — 2n values, right
    /// after transaction i − 1's (see <see cref="BalanceCount"/>). Valid for committed transactions.
    /// </summary>
    public void Execute(Bank bank, ReadOnlySpan<VerifiedTransaction> transactions, Span<TransactionResult> results, Span<ulong> balances)
    {
        ArgumentNullException.ThrowIfNull(bank);
        ObjectDisposedException.ThrowIf(_stopping, this);
        if (results.Length < transactions.Length) ThrowHelper.ThrowArgument(nameof(results), "one result per transaction");
        _captureBalances = !balances.IsEmpty;
        if (_captureBalances && balances.Length < BalanceCount(transactions)) ThrowHelper.ThrowArgument(nameof(balances), "2 balances per account of every transaction");
        bank.ThrowIfNotExecutable();
        int n = transactions.Length;
        if (n == 0) return;
        _parkNow = false;
        bank.ExecutedBy = _options.FreezeOnWorkers ? this : null;
        Prepare(bank, transactions);
        long diskReads = bank.Context.Accounts.BlockingDiskReads;
        LastPreloadedFromDisk = 0;
        LastPreloadTicks = 0;
        if (_options.PreloadAfterDiskReads > 0 && _lastDiskReads >= _options.PreloadAfterDiskReads) Preload(bank);
        ReserveStatusRoom(bank, bank.Context.Status);
        _bank = bank;
        try
        {
            PrefetchFirst();
            Run();
        }
        catch
        {
            AbandonInFlight();
            throw;
        }
        finally
        {
            _bank = null;
        }
        if (_helperFailure is Exception failure) throw new InvalidOperationException("an execution worker failed", failure);
        _lastDiskReads = bank.Context.Accounts.BlockingDiskReads - diskReads + LastPreloadedFromDisk; // the state is still cold if the preload found it on disk
        _results.AsSpan(0, n).CopyTo(results);
        if (_captureBalances) CopyBalances(balances);
    }

    /// <summary>The room <see cref="Execute(Bank, ReadOnlySpan{VerifiedTransaction}, Span{TransactionResult}, Span{ulong})"/> needs for balances: 2 per account key.</summary>
    public static int BalanceCount(ReadOnlySpan<VerifiedTransaction> transactions)
    {
        int keys = 0;
        foreach (ref readonly VerifiedTransaction tx in transactions) keys += tx.Layout.AccountKeyCount;
        return 2 * keys;
    }

    private void CopyBalances(Span<ulong> destination)
    {
        int at = 0;
        for (int t = 0; t < _count; t++)
        {
            int length = 2 * _txs[t].Layout.AccountKeyCount;
            _balances.AsSpan(2 * _handleStart[t], length).CopyTo(destination[at..]);
            at += length;
        }
    }

    /// <summary>
    /// Lets idle helpers park now instead of spinning out <see cref="SchedulerOptions.IdleSpin"/> (e.g. when
    /// the leader's slots end, or before measuring something else on their cores). The next Execute wakes them.
    /// </summary>
    public void ParkHelpers() => _parkNow = true;

    public void Dispose()
    {
        if (_stopping) return;
        _stopping = true;
        _wake.Release(_helperCount + 1);
        foreach (Thread helper in _helpers) helper.Join();
        _wake.Dispose();
    }

    private void Prepare(Bank bank, ReadOnlySpan<VerifiedTransaction> transactions)
    {
        int n = transactions.Length;
        if (_txs.Length < n)
        {
            int size = Math.Max(n, _txs.Length * 2);
            _txs = new VerifiedTransaction[size];
            _results = new TransactionResult[size];
            _handleStart = new int[size];
            _statusGroup = new StatusCache.Group[size];
        }
        transactions.CopyTo(_txs);
        int keys = 0;
        foreach (ref readonly VerifiedTransaction tx in transactions) keys += tx.Layout.AccountKeyCount;
        if (_handles.Length < keys)
        {
            _handles = new int[Math.Max(keys, _handles.Length * 2)];
            _hashes = new int[_handles.Length];
        }
        if (_captureBalances && _balances.Length < 2 * keys) _balances = new ulong[2 * _handles.Length];
        _count = n;
        _next = 0;
        _remaining = n;
        _handleCursor = 0;
        _pendingCount = 0;
        _stalled = false;
        _lastBlockhashKnown = false;
        EnsureLockCapacity(bank.OverlayForExecution.Count);
    }

    /// <summary>
    /// Sizes the status cache groups of this block's blockhashes for every transaction that may reserve,
    /// so no group moves while workers complete entries in place.
    /// </summary>
    private void ReserveStatusRoom(Bank bank, StatusCache status)
    {
        _blockhashCounts.Clear();
        Hash last = default;
        int run = 0;
        for (int t = 0; t < _count; t++)
        {
            ref readonly VerifiedTransaction tx = ref _txs[t];
            ReadOnlySpan<byte> blockhash = tx.Buffer.AsSpan(tx.Offset + tx.Layout.BlockhashOffset, Hash.Size);
            if (run > 0 && blockhash.SequenceEqual(last.Span))
            {
                run++;
                continue;
            }
            if (run > 0) AddRun(last, run);
            last = new Hash(blockhash);
            run = 1;
        }
        if (run > 0) AddRun(last, run);
        foreach ((Hash blockhash, int count) in _blockhashCounts)
        {
            if (bank.CheckAge(blockhash, out ulong blockhashSlot) == TransactionError.None) status.EnsureRoom(blockhash, blockhashSlot, count);
        }
    }

    private void AddRun(in Hash blockhash, int run)
    {
        ref int count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_blockhashCounts, blockhash, out _);
        count += run;
    }

    /// <summary>
    /// The coordinator's loop: take completions; execute a queued batch itself when more are queued
    /// than the helpers can pick up; otherwise schedule the next batch; when nothing can be scheduled,
    /// help with whatever is queued, else wait for a completion.
    /// </summary>
    private void Run()
    {
        ExecutionScratch scratch = _scratch[0];
        int inFlightLimit = _options.EffectiveBatchesInFlight;
        int idle = 0;
        while (_remaining > 0)
        {
            bool progress = DrainCompletions();
            if (_helperCount > 0 && _work.Count > _helperCount && TryHelp(scratch))
            {
                idle = 0;
                continue;
            }
            if (!_stalled && _inFlight < inFlightLimit && (_pendingCount > 0 || _next < _count))
            {
                ExecutionBatch batch = RentBatch();
                bool sampled = (_batchCounter + 1) % CpuSampleEvery == 0; // BuildBatch takes the next id
                long buildStart = sampled ? ThreadClock.NowNanoseconds() : 0;
                BuildBatch(batch);
                if (sampled) _stats.SchedulingNanoseconds += ThreadClock.NowNanoseconds() - buildStart;
                if (batch.Count > 0)
                {
                    Dispatch(batch, scratch);
                    idle = 0;
                    continue;
                }
                ReturnBatch(batch);
                _stalled = _remaining > 0; // nothing can go until a batch completes
                if (_stalled && _inFlight == 0) ThrowHelper.ThrowInvalidOperation("the scheduler could not schedule the oldest waiting transaction with nothing in flight");
                progress = true;
            }
            if (_helperCount > 0 && TryHelp(scratch))
            {
                idle = 0;
                continue;
            }
            if (progress)
            {
                idle = 0;
            }
            else
            {
                Wait(ref idle);
            }
        }
    }

    /// <summary>Executes one queued batch on the coordinator; false when the queue is empty.</summary>
    private bool TryHelp(ExecutionScratch scratch)
    {
        if (!_work.TryDequeue(out int slot)) return false;
        ExecutionBatch batch = _batches[slot];
        _inFlight--; // out of the queue: no helper will report it
        try
        {
            ExecuteBatch(batch, scratch);
        }
        catch
        {
            ReturnBatch(batch);
            throw;
        }
        Complete(batch);
        return true;
    }

    private void Dispatch(ExecutionBatch batch, ExecutionScratch scratch)
    {
        _stats.Batches++;
        _stats.ScheduledTransactions += batch.Count;
        if (_helperCount == 0)
        {
            ExecuteBatch(batch, scratch);
            Complete(batch);
            return;
        }
        _inFlight++;
        if (!_work.TryEnqueue(batch.SlotIndex)) EnqueueSlow(batch.SlotIndex);
        if (Volatile.Read(ref _sleepers) > 0) _wake.Release();
    }

    /// <summary>
    /// The queue looked full although fewer batches are in flight than it holds: a helper was preempted
    /// between taking a cell and releasing it (the bounded MPMC ring's transient state, seen on an
    /// oversubscribed host). It frees up when that helper runs again; a real overflow is a bug.
    /// </summary>
    private void EnqueueSlow(int slot)
    {
        if (_inFlight > _work.Capacity) ThrowHelper.ThrowInvalidOperation("work queue full: in-flight accounting is broken");
        while (!_work.TryEnqueue(slot)) Thread.Yield();
    }

    private bool DrainCompletions()
    {
        bool any = false;
        while (_done.TryDequeue(out int slot))
        {
            _inFlight--;
            if (_helperFailure is Exception failure) throw new InvalidOperationException("an execution worker failed", failure);
            Complete(_batches[slot]);
            any = true;
        }
        return any;
    }

    /// <summary>After a failure: waits (a bounded time) until no helper touches this execution's state, dropping unstarted batches.</summary>
    private void AbandonInFlight()
    {
        long deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 10;
        while (_inFlight > 0 && Stopwatch.GetTimestamp() < deadline)
        {
            if (_done.TryDequeue(out int done) || _work.TryDequeue(out done))
            {
                _inFlight--;
                ReturnBatch(_batches[done]);
            }
            else
            {
                Thread.Yield();
            }
        }
    }

    /// <summary>The coordinator waiting for a completion: spin (the helpers finish batches in microseconds), yielding now and then in case the machine is oversubscribed.</summary>
    private static void Wait(ref int idle)
    {
        idle++;
        if ((idle & 63) == 0) Thread.Yield();
        else Thread.SpinWait(16);
    }

    private ExecutionBatch RentBatch() => _batches[_freeBatches[--_freeBatchCount]];

    private void ReturnBatch(ExecutionBatch batch) => _freeBatches[_freeBatchCount++] = batch.SlotIndex;
}
