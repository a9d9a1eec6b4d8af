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
/// the confirmed slot (frozen and durable in the Blockstore; with one validator its own vote is the
/// whole stake) and the root (finalized). Written by the banking thread (freezes, roots) and the
/// ledger writer (durability); read by RPC threads and /metrics. Keeps records of the last
/// <see cref="RetainedSlots"/> slots.
/// </summary>
public sealed class ChainState
{
    public const int RetainedSlots = 2048;

    private readonly ConcurrentDictionary<ulong, SlotRecord> _slots = new();
    private readonly ConcurrentDictionary<ulong, ulong> _parents = new();
    private long _processedSlot;
    private long _durableSlot = -1;
    private SlotRecord? _frozen;
    private SlotRecord? _root;
    private long _processedTransactions;
    private long _lowestSlot;

    public ulong ProcessedSlot => (ulong)Volatile.Read(ref _processedSlot);

    /// <summary>Committed transactions including the working bank's so far.</summary>
    public ulong ProcessedTransactions => (ulong)Volatile.Read(ref _processedTransactions);

    public SlotRecord? LatestFrozen => Volatile.Read(ref _frozen);

    public SlotRecord? Root => Volatile.Read(ref _root);

    public ulong HighestDurableSlot => (ulong)Math.Max(0, Volatile.Read(ref _durableSlot));

    /// <summary>The newest slot that is frozen and durable.</summary>
    public SlotRecord? Confirmed
    {
        get
        {
            SlotRecord? frozen = LatestFrozen;
            long durable = Volatile.Read(ref _durableSlot);
            if (frozen is null) return null;
            if ((long)frozen.Slot <= durable) return frozen;
            for (long s = durable; s >= (long)Volatile.Read(ref _lowestSlot) && s >= 0; s--)
            {
                if (_slots.TryGetValue((ulong)s, out SlotRecord? r)) return r;
            }
            return Root;
        }
    }

    public SlotRecord? Get(ulong slot) => _slots.GetValueOrDefault(slot);

    public void SetProcessed(ulong slot) => Volatile.Write(ref _processedSlot, (long)slot);

    public void AddProcessedTransactions(long count) => Interlocked.Add(ref _processedTransactions, count);

    public void SetProcessedTransactions(ulong count) => Volatile.Write(ref _processedTransactions, (long)count);

    /// <summary>Who <paramref name="slot"/> builds on (set when its bank is made; default: the slot before).</summary>
    public ulong ParentOf(ulong slot) => _parents.TryGetValue(slot, out ulong parent) ? parent : slot - 1;

    public void SetParent(ulong slot, ulong parent) => _parents[slot] = parent;

    public void Frozen(SlotRecord record)
    {
        _slots[record.Slot] = record;
        Volatile.Write(ref _frozen, record);
        long lowest = (long)record.Slot - RetainedSlots;
        if (lowest > Volatile.Read(ref _lowestSlot))
        {
            for (long s = Volatile.Read(ref _lowestSlot); s < lowest; s++)
            {
                _slots.TryRemove((ulong)s, out _);
                _parents.TryRemove((ulong)s, out _);
            }
            Volatile.Write(ref _lowestSlot, lowest);
        }
    }

    public void MarkDurable(ulong slot)
    {
        long current;
        do
        {
            current = Volatile.Read(ref _durableSlot);
            if ((long)slot <= current) return;
        }
        while (Interlocked.CompareExchange(ref _durableSlot, (long)slot, current) != current);
    }

    public bool IsDurable(ulong slot) => (long)slot <= Volatile.Read(ref _durableSlot);

    public void Rooted(SlotRecord record)
    {
        _slots[record.Slot] = record;
        Volatile.Write(ref _root, record);
    }
}
