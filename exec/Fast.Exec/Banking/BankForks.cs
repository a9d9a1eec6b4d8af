using System.Diagnostics;
using Fast.Core.Codec;
using Fast.Core.Ledger;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Storage.Accounts;

namespace Fast.Exec.Banking;

/// <summary>Tuning for <see cref="BankForks"/>.</summary>
public sealed record BankForksOptions
{
    /// <summary>
    /// Start a FASTER checkpoint when the root has advanced this many slots since the last one began
    /// (if the previous one is still being written, the next root tries again).
    /// </summary>
    public ulong CheckpointIntervalSlots { get; init; } = 100;

    /// <summary>
    /// Root advances a released overlay waits before it is reused, so a reader that picked up a bank
    /// just before it was released still reads valid memory.
    /// </summary>
    public int OverlayGraceRoots { get; init; } = 4;

    /// <summary>
    /// Flush rooted overlays into FASTER (with the root record, compaction and checkpoint starts, in
    /// that order) on BankForks' own thread, so <see cref="BankForks.SetRoot"/> only links the new root
    /// and prunes; rooted slots stay readable from their overlays until their flush is done. False:
    /// <see cref="BankForks.SetRoot"/> flushes inline (tests, tools, the simulator).
    /// </summary>
    public bool FlushInBackground { get; init; }

    /// <summary>Roots whose background flush may be outstanding before <see cref="BankForks.SetRoot"/> waits for the oldest (back-pressure).</summary>
    public int MaxPendingRootFlushes { get; init; } = 4;

    /// <summary>The core the background root-flush thread is pinned to, or null (not pinned).</summary>
    public int? RootFlushCore { get; init; }

    /// <summary>
    /// The pool the banks' account data arrays come from and go back to (<see cref="Storage.Accounts.AccountDataPool"/>),
    /// or null for a new one with the default bounds. Tests pass one that poisons what is returned.
    /// </summary>
    public AccountDataPool? DataPool { get; init; }
}

/// <summary>
/// What <see cref="BankForks.SetRoot"/> did. <see cref="Checkpointed"/>: a checkpoint of this root
/// began (it is written in the background; <see cref="CompletedCheckpoint"/> reports it at a later root).
/// With <see cref="BankForksOptions.FlushInBackground"/> the flush figures (flushed banks and accounts,
/// checkpoint, compaction) are those of the background flushes that finished since the previous root.
/// </summary>
public readonly record struct RootOutcome(int FlushedBanks, int FlushedAccounts, int PrunedBanks, bool Checkpointed)
{
    /// <summary>Time spent starting a checkpoint (zero when none was due).</summary>
    public TimeSpan CheckpointStartElapsed { get; init; }

    /// <summary>A checkpoint was due but the previous one was still being written (retried at the next root).</summary>
    public bool CheckpointDeferred { get; init; }

    /// <summary>A background checkpoint that became durable since the previous root, or null.</summary>
    public CheckpointReport? CompletedCheckpoint { get; init; }

    /// <summary>The accounts-log compaction slice this root ran, or null (see AccountsDb.MaybeCompact).</summary>
    public CompactionReport? Compaction { get; init; }
}

/// <summary>
/// The tree of live banks above the root. <see cref="SetRoot"/> makes a frozen bank final: the
/// overlays from the old root up to it are flushed into the rooted <see cref="AccountsDb"/> (FASTER)
/// oldest first, its state is saved as the store's root record, a FASTER checkpoint is taken every
/// <see cref="BankForksOptions.CheckpointIntervalSlots"/> (written in the background; see
/// <see cref="DurableRootSlot"/>), banks not descending from it are pruned,
/// and every overlay below it is released (reused after a grace period) — so memory holds only
/// the unrooted slots. After a crash, <see cref="Open"/> recovers the last checkpoint's root;
/// the node then replays later slots from the Blockstore.
/// <para>Threads: the bank owner thread; other threads only read accounts through
/// <see cref="ReadAccounts"/> (BankForks.Reads.cs), which takes the root lock that
/// <see cref="SetRoot"/> and <see cref="Remove"/> hold exclusively while they flush and release banks.
/// With <see cref="BankForksOptions.FlushInBackground"/>, the flush into FASTER runs on the
/// "root-flush" thread instead (BankForks.Flush.cs), the only writer of the store then.</para>
/// </summary>
public sealed partial class BankForks : IDisposable
{
    private readonly Dictionary<ulong, Bank> _banks = [];
    /// <summary>Overlays released but still in their grace period; sized so that the steady state never grows it (a root retires a few, and grace is a few roots).</summary>
    private readonly Queue<(AccountOverlay Overlay, long ReleasedAt)> _retired = new(RetiredCapacity);
    private readonly AccountsDb _accounts;
    private readonly List<Bank> _path = [];
    private readonly List<Bank> _dropped = [];
    private byte[] _rootRecord = new byte[BankState.SizeOf(BlockhashQueue.RetainedAgeSlots + 1)];
    private long _rootAdvances;
    private ulong _lastCheckpointSlot;

    private const int RetiredCapacity = 64;

    private BankForks(AccountsDb accounts, Bank root, BankForksOptions options, bool recovered)
    {
        _accounts = accounts;
        Options = options;
        Root = root;
        _banks.Add(root.Slot, root);
        if (!recovered)
        {
            Flush(root);
            root.IsRooted = true;
            root.IsFlushed = true;
            WriteRootRecord(root);
            accounts.Checkpoint();
        }
        _lastCheckpointSlot = root.Slot;
        root.Context.RootSlot = root.Slot;
        RecoveredFromCheckpoint = recovered;
        _openedRootSlot = root.Slot;
        _durableRootSlot = (long)(accounts.LastCheckpoint?.Slot ?? root.Slot);
        if (options.FlushInBackground) StartFlushThread();
    }

    public BankForksOptions Options { get; }

    /// <summary>The last rooted bank (frozen, final).</summary>
    public Bank Root { get; private set; }

    /// <summary>True when <see cref="Root"/> came from the store's checkpoint rather than genesis.</summary>
    public bool RecoveredFromCheckpoint { get; }

    /// <summary>
    /// The root slot of the last durable checkpoint: after a crash the accounts come back at this
    /// slot, so the Blockstore must keep every slot above it for replay.
    /// </summary>
    public ulong DurableRootSlot => Options.FlushInBackground ? (ulong)Volatile.Read(ref _durableRootSlot) : _accounts.LastCheckpoint?.Slot ?? _openedRootSlot;

    private long _durableRootSlot;

    private readonly ulong _openedRootSlot;

    /// <summary>Live banks, the root included.</summary>
    public int Count => _banks.Count;

    /// <summary>Overlays released but still in their grace period.</summary>
    public int RetiredOverlays => _retired.Count;

    /// <summary>Overlays in the reuse pool.</summary>
    public int PooledOverlays => Root.Context.OverlayPool.Count;

    /// <summary>The account data arrays this tree rents and recycles (its <see cref="AccountDataPool.Misses"/> stop growing in steady state).</summary>
    public AccountDataPool DataPool => Root.Context.DataPool;

    public Bank? this[ulong slot] => _banks.GetValueOrDefault(slot);

    public IEnumerable<Bank> Banks => _banks.Values;

    /// <summary>
    /// Recovers the bank tree from <paramref name="accounts"/>' last checkpoint, or — for a new store —
    /// starts it from <paramref name="genesis"/> (rooting slot 0 and checkpointing it).
    /// </summary>
    public static BankForks Open(AccountsDb accounts, GenesisConfig genesis, BankForksOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        options ??= new BankForksOptions();
        if (accounts.Recovered is RecoveredRoot recovered)
        {
            BankState state = BankState.TryDeserialize(recovered.State)
                ?? throw new StorageUnreadableException($"the accounts store's root record (slot {recovered.Slot}) is not a bank state this version reads");
            return new BankForks(accounts, Bank.FromRoot(accounts, recovered.Slot, state, genesis.Rent, genesis.Staking, genesis.GenesisHash, options.DataPool), options, recovered: true);
        }
        return new BankForks(accounts, Bank.Genesis(accounts, genesis, options.DataPool), options, recovered: false);
    }

    /// <summary>A new child bank of <paramref name="parentSlot"/>, registered here.</summary>
    public Bank NewBank(ulong slot, ulong parentSlot, Pubkey leader)
    {
        Bank parent = _banks.GetValueOrDefault(parentSlot) ?? throw new ArgumentException($"no live bank at slot {parentSlot}", nameof(parentSlot));
        if (_banks.ContainsKey(slot)) ThrowHelper.ThrowArgument(nameof(slot), $"a bank for slot {slot} exists");
        Bank bank = new(parent, slot, leader);
        _banks.Add(slot, bank);
        return bank;
    }

    /// <summary>
    /// Makes frozen bank <paramref name="slot"/> the root (see the type summary), under the root lock:
    /// a reader sees either the old root with its banks or the new root, never a released bank.
    /// </summary>
    public RootOutcome SetRoot(ulong slot)
    {
        Bank newRoot = _banks.GetValueOrDefault(slot) ?? throw new ArgumentException($"no live bank at slot {slot}", nameof(slot));
        if (newRoot == Root) return default;
        if (!newRoot.IsFrozen) ThrowHelper.ThrowInvalidOperation($"bank {slot} is not frozen");
        RootJob? job = Options.FlushInBackground ? TakeFreeJob() : null; // may wait for the oldest flush (back-pressure), outside the lock
        _rootLock.EnterWriteLock();
        try
        {
            Interlocked.Increment(ref _rootGeneration); // before the first write: a reader's disk read that overlaps this root retries
            return job is null ? SetRootLocked(newRoot, slot) : SetRootInBackground(newRoot, slot, job);
        }
        finally
        {
            _rootLock.ExitWriteLock();
        }
    }

    private RootOutcome SetRootLocked(Bank newRoot, ulong slot)
    {
        _rootAdvances++;
        List<Bank> path = _path;
        path.Clear();
        for (Bank? bank = newRoot; bank != Root; bank = bank.Parent)
        {
            if (bank is null) ThrowHelper.ThrowArgument(nameof(slot), $"bank {slot} does not descend from the root {Root.Slot}");
            path.Add(bank);
        }
        path.Reverse();

        int flushedAccounts = 0;
        foreach (Bank bank in path)
        {
            flushedAccounts += Flush(bank);
            bank.IsRooted = true;
            bank.IsFlushed = true;
        }
        WriteRootRecord(newRoot);
        CheckpointReport? completed = _accounts.TryCompleteCheckpoint(out CheckpointReport report) ? report : null;
        CompactionReport? compaction = _accounts.MaybeCompact(out CompactionReport slice) ? slice : null; // before the checkpoint: its copies go in it
        bool checkpoint = false, deferred = false;
        TimeSpan checkpointStart = TimeSpan.Zero;
        if (slot - _lastCheckpointSlot >= Options.CheckpointIntervalSlots)
        {
            long beginning = Stopwatch.GetTimestamp();
            checkpoint = _accounts.TryBeginCheckpoint();
            checkpointStart = Stopwatch.GetElapsedTime(beginning);
            if (checkpoint) _lastCheckpointSlot = slot;
            deferred = !checkpoint;
        }

        int pruned = MakeRoot(newRoot, slot);
        newRoot.Parent = null;
        RecycleRetired();
        int flushedBanks = path.Count;
        path.Clear();
        return new RootOutcome(flushedBanks, flushedAccounts, pruned, checkpoint)
        {
            CheckpointStartElapsed = checkpointStart,
            CheckpointDeferred = deferred,
            CompletedCheckpoint = completed,
            Compaction = compaction,
        };
    }

    /// <summary>Makes <paramref name="newRoot"/> the root and prunes (and releases) every bank not descending from it; returns the pruned count. Under the root lock.</summary>
    private int MakeRoot(Bank newRoot, ulong slot)
    {
        Root = newRoot;
        newRoot.Context.RootSlot = slot;
        newRoot.Context.Status.Purge(slot);
        List<Bank> dropped = _dropped;
        dropped.Clear();
        foreach (Bank bank in _banks.Values)
        {
            if (bank != newRoot && !DescendsFrom(bank, newRoot)) dropped.Add(bank);
        }
        int pruned = 0;
        foreach (Bank bank in dropped)
        {
            _banks.Remove(bank.Slot);
            if (!bank.IsRooted)
            {
                bank.IsDead = true;
                pruned++;
            }
            Release(bank);
        }
        dropped.Clear();
        return pruned;
    }

    /// <summary>
    /// After a restart from a checkpoint, records the transactions of a rooted slot at or below the
    /// root (its entries, read back from the Blockstore) as processed, so a transaction from the last
    /// 150 slots before the crash is still refused as a duplicate. With <paramref name="errors"/> (the
    /// stored statuses: one per transaction in block order, null for one that was not committed) only
    /// the committed ones are restored, each with its error; without them (a ledger without statuses)
    /// every transaction is, without error detail — refusing a re-send is the safe side. Returns how
    /// many were added.
    /// </summary>
    public int RestoreProcessedTransactions(ulong slot, byte[] entries, IReadOnlyList<TransactionError?>? errors = null)
    {
        if (slot > Root.Slot) ThrowHelper.ThrowArgument(nameof(slot), $"slot {slot} is above the root {Root.Slot}: replay it instead");
        var rooted = Bank.RestoredRoot(Root.Context, slot);
        StatusCache status = Root.Context.Status;
        int added = 0;
        int position = 0;
        int index = 0;
        while (position < entries.Length)
        {
            DecodeResult decoded = EntryView.TryParsePrefix(entries.AsSpan(position), out EntryView entry);
            if (!decoded.IsOk) ThrowHelper.ThrowArgument(nameof(entries), $"slot {slot}'s entries do not decode: {decoded}");
            foreach (TransactionView tx in entry.Transactions)
            {
                TransactionError error = TransactionError.None;
                if (errors is not null)
                {
                    if (index >= errors.Count) ThrowHelper.ThrowArgument(nameof(errors), $"slot {slot} has more transactions than statuses");
                    TransactionError? stored = errors[index++];
                    if (stored is not TransactionError committed) continue; // never committed: it may still be sent again
                    error = committed;
                }
                Signature signature = tx.FirstSignature;
                Hash blockhash = tx.RecentBlockhash;
                ulong blockhashSlot;
                if (blockhash == Root.LastBlockhash) blockhashSlot = Root.Slot;
                else if (!Root.Blockhashes.TryGetSlot(blockhash, out blockhashSlot)) continue; // expired long ago
                StatusCache.Group group = status.EnsureRoom(blockhash, blockhashSlot, 1);
                if (StatusCache.IsProcessed(group, signature, Root)) continue;
                StatusCache.Record(group, signature, rooted, error);
                added++;
            }
            position += entry.Length;
        }
        return added;
    }

    /// <summary>Drops bank <paramref name="slot"/> and its descendants (a dead fork: bad block, duplicate). The root cannot be removed.</summary>
    public int Remove(ulong slot)
    {
        Bank bank = _banks.GetValueOrDefault(slot) ?? throw new ArgumentException($"no live bank at slot {slot}", nameof(slot));
        if (bank == Root) ThrowHelper.ThrowInvalidOperation("the root cannot be removed");
        List<Bank> dropped = [bank];
        foreach (Bank other in _banks.Values)
        {
            if (other != bank && DescendsFrom(other, bank)) dropped.Add(other);
        }
        _rootLock.EnterWriteLock();
        try
        {
            foreach (Bank dead in dropped)
            {
                _banks.Remove(dead.Slot);
                dead.IsDead = true;
                Release(dead);
            }
        }
        finally
        {
            _rootLock.ExitWriteLock();
        }
        return dropped.Count;
    }

    /// <summary>Saves <paramref name="root"/>'s state as the store's root record (the next checkpoint carries it).</summary>
    private void WriteRootRecord(Bank root)
    {
        int size = root.StateSize;
        if (_rootRecord.Length < size) _rootRecord = new byte[size];
        int length = root.WriteState(_rootRecord);
        _accounts.WriteRoot(root.Slot, _rootRecord.AsSpan(0, length));
    }

    private static bool DescendsFrom(Bank bank, Bank ancestor)
    {
        for (Bank? b = bank.Parent; b is not null && b.Slot >= ancestor.Slot; b = b.Parent)
        {
            if (b == ancestor) return true;
        }
        return false;
    }

    /// <summary>Writes every account <paramref name="bank"/> stored into the rooted store and gives its overlay up.</summary>
    private int Flush(Bank bank)
    {
        AccountOverlay? overlay = bank.Overlay;
        if (overlay is null) return 0;
        int flushed = WriteOverlay(overlay);
        bank.DetachOverlay();
        Retire(overlay);
        return flushed;
    }

    /// <summary>Writes the accounts an overlay stored into the rooted store; returns how many (the store's writer thread).</summary>
    private int WriteOverlay(AccountOverlay overlay)
    {
        int flushed = 0;
        for (int i = 0; i < overlay.Count; i++)
        {
            ref AccountEntry entry = ref overlay[i];
            if (!entry.Written) continue;
            _accounts.Write(entry.Key, entry.Lamports, entry.Owner, entry.Executable, entry.Data);
            flushed++;
        }
        _accounts.FlushOwnerIndex(); // before the bank is marked flushed: readers then find its accounts by owner in the store
        return flushed;
    }
}

/// <summary>The store holds data this version cannot interpret (a newer format, or corruption).</summary>
public sealed class StorageUnreadableException(string message) : Exception(message);
