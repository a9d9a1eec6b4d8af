using Fast.Core.Primitives;
using Fast.Core.Transactions;

namespace Fast.Exec.Banking;

/// <summary>
/// The recent blockhashes a bank accepts: each ancestor slot's last PoH hash with its slot. A
/// transaction is valid in slot <c>q</c> when its blockhash is here with <c>q − slot ≤
/// BlockhashMaxAgeSlots</c> (150). Entries are kept twice that long, so an old blockhash reads as
/// <see cref="TransactionError.BlockhashExpired"/> rather than unknown. Immutable: a child bank gets
/// <see cref="With"/> its parent's hash; safe to read from any thread.
/// </summary>
public sealed class BlockhashQueue
{
    /// <summary>How many slots back a blockhash is remembered (to tell expired from unknown).</summary>
    public const int RetainedAgeSlots = 2 * TransactionLimits.BlockhashMaxAgeSlots;

    private const int BucketCount = 1024; // > 2 × (RetainedAgeSlots + 1): load ≤ 0.3
    private const int BucketMask = BucketCount - 1;

    private readonly (Hash Hash, ulong Slot)[] _entries; // oldest first
    private readonly short[] _buckets; // entry index + 1; 0 = empty

    private BlockhashQueue((Hash Hash, ulong Slot)[] entries)
    {
        _entries = entries;
        _buckets = new short[BucketCount];
        for (int i = 0; i < entries.Length; i++)
        {
            int b = entries[i].Hash.GetHashCode() & BucketMask;
            while (_buckets[b] != 0) b = (b + 1) & BucketMask;
            _buckets[b] = (short)(i + 1);
        }
    }

    public static BlockhashQueue Empty { get; } = new([]);

    public int Count => _entries.Length;

    /// <summary>The (hash, slot) pairs, oldest first.</summary>
    public ReadOnlySpan<(Hash Hash, ulong Slot)> Entries => _entries;

    /// <summary>Rebuilds a queue from saved entries (oldest first), e.g. from a checkpoint.</summary>
    public static BlockhashQueue FromEntries(ReadOnlySpan<(Hash Hash, ulong Slot)> entries)
    {
        if (entries.Length > RetainedAgeSlots + 1) ThrowHelper.ThrowArgument(nameof(entries), "too many blockhashes");
        return new BlockhashQueue(entries.ToArray());
    }

    /// <summary>This queue plus <paramref name="hash"/> registered at <paramref name="slot"/>, dropping what is too old to matter.</summary>
    public BlockhashQueue With(in Hash hash, ulong slot)
    {
        int keepFrom = 0;
        while (keepFrom < _entries.Length && slot - _entries[keepFrom].Slot > RetainedAgeSlots) keepFrom++;
        // A hash registered again (only in tests: PoH hashes do not repeat) moves to the newest slot.
        int repeated = TryGetSlot(hash, out _) ? 1 : 0;
        var entries = new (Hash, ulong)[_entries.Length - keepFrom + 1 - repeated];
        int n = 0;
        for (int i = keepFrom; i < _entries.Length; i++)
        {
            if (_entries[i].Hash != hash) entries[n++] = _entries[i];
        }
        if (n != entries.Length - 1) entries = entries[..(n + 1)];
        entries[n] = (hash, slot);
        return new BlockhashQueue(entries);
    }

    /// <summary>The slot <paramref name="hash"/> was registered at; false when it is not in the queue.</summary>
    public bool TryGetSlot(in Hash hash, out ulong slot)
    {
        int b = hash.GetHashCode() & BucketMask;
        while (true)
        {
            int index = _buckets[b] - 1;
            if (index < 0)
            {
                slot = 0;
                return false;
            }
            if (_entries[index].Hash == hash)
            {
                slot = _entries[index].Slot;
                return true;
            }
            b = (b + 1) & BucketMask;
        }
    }

    /// <summary>Whether a transaction with this blockhash may execute in <paramref name="bankSlot"/>.</summary>
    public TransactionError Check(in Hash hash, ulong bankSlot)
    {
        if (!TryGetSlot(hash, out ulong slot)) return TransactionError.BlockhashNotFound;
        return bankSlot - slot > TransactionLimits.BlockhashMaxAgeSlots ? TransactionError.BlockhashExpired : TransactionError.None;
    }
}
