using System.Collections.Concurrent;
using Fast.Core.Primitives;
using Fast.Exec;
using Fast.Exec.Banking;

namespace Fast.Node.Validator;

/// <summary>A frozen slot as RPC reports it.</summary>
public sealed class SlotRecord
{
    public required ulong Slot { get; init; }
    public required ulong Parent { get; init; }
    public required Hash Blockhash { get; init; }
    public required Hash PreviousBlockhash { get; init; }
    public required Hash BankHash { get; init; }
    public required ulong BlockHeight { get; init; }
    public required long BlockTimeUnixSeconds { get; init; }
    /// <summary>Committed transactions up to and including this slot since genesis (or since the recovered root).</summary>
    public required ulong CumulativeTransactions { get; init; }
    public required int TransactionCount { get; init; }
    /// <summary>Every transaction's outcome in block order (null when the slot was restored without them).</summary>
    public TransactionResult[]? Results { get; init; }
    /// <summary>The frozen bank (for account reads at this commitment), or null once it was released.</summary>
    public required Bank Bank { get; init; }
    public double DurationMs { get; init; }
}

/// <summary>
/// The validator's chain as readers see it: the processed (working) slot, the latest frozen slot,
/// the confirmed slot and the root (finalized). Durability is per slot: a slot is confirmed (with
/// one validator its own vote is the whole stake) when it is frozen, its every entry and tick is
/// durable in the Blockstore, and so is every slot between it and the root on its chain; a dead
/// (abandoned) slot is never confirmed, and the slots after it build on its parent. Written by the
/// banking thread (freezes, dead slots, roots) and the ledger writer (durability); read by RPC
/// threads and /metrics. Keeps records of the last <see cref="RetainedSlots"/> slots.
/// </summary>
public sealed class ChainState(PerformanceSamples samples)
{
    public ChainState()
        : this(new PerformanceSamples())
    {
    }

    /// <summary>getRecentPerformanceSamples' samples, fed by every frozen slot.</summary>
    public PerformanceSamples Samples { get; } = samples;

    public const int RetainedSlots = 2048;

    /// <summary>Dead slots are remembered this long (≈ 11 h of 600 ms slots; one small entry each), so a status lookup never reports a voided transaction.</summary>
    public const ulong DeadSlotsRetained = 1 << 16;

    private readonly ConcurrentDictionary<ulong, SlotRecord> _slots = new();
    private readonly ConcurrentDictionary<ulong, ulong> _parents = new();
    private readonly ConcurrentDictionary<ulong, bool> _durable = new();
    private readonly ConcurrentDictionary<ulong, bool> _dead = new();
    private readonly Lock _confirmLock = new();
    private long _processedSlot;
    private SlotRecord? _confirmed;
    private SlotRecord? _frozen;
    private SlotRecord? _root;
    private long _processedTransactions;
    private long _lowestSlot;

    public ulong ProcessedSlot => (ulong)Volatile.Read(ref _processedSlot);

    /// <summary>Told of every freeze, confirmed-tip move and root (PubSub); must not block: it is called on the banking and ledger threads.</summary>
    public Rpc.PubSub.IChainEvents? Events { get; set; }

    /// <summary>Committed transactions including the working bank's so far.</summary>
    public ulong ProcessedTransactions => (ulong)Volatile.Read(ref _processedTransactions);

    public SlotRecord? LatestFrozen => Volatile.Read(ref _frozen);

    public SlotRecord? Root => Volatile.Read(ref _root);

    /// <summary>The newest slot that is frozen and durable with every slot between it and the root (or the root).</summary>
    public SlotRecord? Confirmed => Volatile.Read(ref _confirmed) ?? Root;

    public SlotRecord? Get(ulong slot) => _slots.GetValueOrDefault(slot);

    /// <summary>
    /// A cluster node: processed and confirmed follow the fork choice (<see cref="SetBest"/>) instead
    /// of the newest frozen slot, which may sit on a fork the node does not build on. Confirmed is the
    /// best block once it is durable (replayed blocks are durable when frozen; this node's own once the
    /// ledger writer committed them).
    /// </summary>
    public bool FollowsForkChoice { get; init; }

    private long _best = -1;

    /// <summary>The fork choice moved to <paramref name="slot"/> (a frozen block): processed reads it, and confirmed once it is durable.</summary>
    public void SetBest(ulong slot)
    {
        Volatile.Write(ref _best, (long)slot);
        if (_slots.TryGetValue(slot, out SlotRecord? record)) Volatile.Write(ref _frozen, record);
        ConfirmBest();
    }

    private void ConfirmBest()
    {
        long best = Volatile.Read(ref _best);
        if (best < 0 || !_slots.TryGetValue((ulong)best, out SlotRecord? record) || !_durable.ContainsKey((ulong)best)) return;
        lock (_confirmLock)
        {
            if (Volatile.Read(ref _confirmed) is not { } confirmed || confirmed.Slot != record.Slot)
            {
                Volatile.Write(ref _confirmed, record);
                Events?.SlotConfirmed(record.Slot);
            }
        }
    }

    public void SetProcessed(ulong slot) => Volatile.Write(ref _processedSlot, (long)slot);

    public void AddProcessedTransactions(long count) => Interlocked.Add(ref _processedTransactions, count);

    public void SetProcessedTransactions(ulong count) => Volatile.Write(ref _processedTransactions, (long)count);

    /// <summary>Who <paramref name="slot"/> builds on (set when its bank is made; default: the slot before).</summary>
    public ulong ParentOf(ulong slot) => _parents.TryGetValue(slot, out ulong parent) ? parent : slot - 1;

    public void SetParent(ulong slot, ulong parent) => _parents[slot] = parent;

    public void Frozen(SlotRecord record)
    {
        _slots[record.Slot] = record;
        if (!FollowsForkChoice) Volatile.Write(ref _frozen, record);
        Samples.Observe(record.Slot, record.CumulativeTransactions, Environment.TickCount64);
        long lowest = (long)record.Slot - RetainedSlots;
        if (lowest > Volatile.Read(ref _lowestSlot))
        {
            for (long s = Volatile.Read(ref _lowestSlot); s < lowest; s++)
            {
                _slots.TryRemove((ulong)s, out _);
                _parents.TryRemove((ulong)s, out _);
                _durable.TryRemove((ulong)s, out _);
            }
            Volatile.Write(ref _lowestSlot, lowest);
        }
        Events?.SlotFrozen(record.Slot, record.Parent);
        AdvanceConfirmed();
    }

    /// <summary>PoH abandoned <paramref name="slot"/> (part of it never reached the ledger): it has no block and is never confirmed; what it executed is void.</summary>
    public void MarkDead(ulong slot)
    {
        _dead[slot] = true;
        if (slot < DeadSlotsRetained) return;
        foreach (ulong old in _dead.Keys)
        {
            if (old < slot - DeadSlotsRetained) _dead.TryRemove(old, out _);
        }
    }

    /// <summary>True for a slot PoH abandoned (within the last <see cref="DeadSlotsRetained"/> slots).</summary>
    public bool IsDead(ulong slot) => _dead.ContainsKey(slot);

    /// <summary>Every entry and tick of <paramref name="slot"/> is durable in the Blockstore (ledger writer).</summary>
    public void MarkDurable(ulong slot)
    {
        _durable[slot] = true;
        AdvanceConfirmed();
    }

    /// <summary>True when <paramref name="slot"/> itself is durable (its ancestors may not be: see <see cref="Confirmed"/>).</summary>
    public bool IsDurable(ulong slot) => _durable.ContainsKey(slot);

    /// <summary>
    /// Moves <see cref="Confirmed"/> along the chain of frozen slots past it, each the child of the
    /// last, while they are durable. A slot missing in between is dead (the next one's parent skips
    /// it) or no longer retained (then the parent does not match and the walk stops: conservative).
    /// </summary>
    private void AdvanceConfirmed()
    {
        if (FollowsForkChoice)
        {
            ConfirmBest();
            return;
        }
        lock (_confirmLock)
        {
            SlotRecord? confirmed = Volatile.Read(ref _confirmed) ?? Root;
            SlotRecord? frozen = LatestFrozen;
            if (confirmed is null || frozen is null) return;
            SlotRecord tip = confirmed;
            for (ulong s = tip.Slot + 1; s <= frozen.Slot; s++)
            {
                if (!_slots.TryGetValue(s, out SlotRecord? record)) continue;
                if (record.Parent != tip.Slot || !_durable.ContainsKey(s)) break;
                tip = record;
            }
            if (tip != confirmed || Volatile.Read(ref _confirmed) is null) Volatile.Write(ref _confirmed, tip);
            if (tip != confirmed) Events?.SlotConfirmed(tip.Slot);
        }
    }

    public void Rooted(SlotRecord record)
    {
        _slots[record.Slot] = record;
        Volatile.Write(ref _root, record);
        lock (_confirmLock)
        {
            // A root is confirmed by definition (it was confirmed before it was rooted, or recovery says so).
            SlotRecord? confirmed = Volatile.Read(ref _confirmed);
            if (confirmed is null || confirmed.Slot < record.Slot)
            {
                Volatile.Write(ref _confirmed, record);
                Events?.SlotConfirmed(record.Slot);
            }
        }
        Events?.SlotRooted(record.Slot);
        AdvanceConfirmed();
    }
}
