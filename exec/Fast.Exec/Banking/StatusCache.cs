using System.Numerics;
using System.Runtime.InteropServices;
using Fast.Core.Primitives;
using Fast.Core.Transactions;

namespace Fast.Exec.Banking;

/// <summary>
/// Which transactions were processed on which fork: the rule that a transaction is processed at most
/// once per fork. Entries are grouped by the transaction's recent blockhash (as Agave's status
/// cache is), one open-addressing table per blockhash; a hit counts when its bank is the asking bank,
/// a rooted bank, or an unrooted ancestor. A transaction can only execute within 150 slots of its
/// blockhash, so once a blockhash is that far behind the root its whole group is dropped — memory
/// follows the transaction rate × 150 slots, and group tables are reused.
/// <para>Keyed by the signature's first 32 bytes (the nonce point R): only the signer can make a
/// valid signature with a given R, so another sender cannot collide with a victim's transaction.</para>
/// <para>Threads: the bank owner thread (the scheduler's coordinator). A transaction is reserved
/// (pending) when it is scheduled, then committed or cancelled when it completes.</para>
/// </summary>
public sealed class StatusCache
{
    internal enum Lookup : byte
    {
        NotFound,
        Processed,
        PendingInThisBank,
    }

    private enum State : byte
    {
        Empty = 0,
        Pending,
        Committed,
        Dead,
    }

    private struct Entry
    {
        public Bytes32 Key;
        public Bank? Bank;
        public TransactionError Error;
        public State State;
    }

    /// <summary>The transactions of one recent blockhash.</summary>
    private sealed class Group
    {
        public ulong BlockhashSlot;
        public Entry[] Entries = new Entry[MinGroupCapacity];
        public int Mask = MinGroupCapacity - 1;
        public int Occupied;
    }

    private const int MinGroupCapacity = 64;
    private const int MaxPooledGroups = 32;

    private readonly Dictionary<Hash, Group> _groups = [];
    private readonly Stack<Group> _pool = new();
    private readonly List<Hash> _expired = [];

    /// <summary>Entries held (including cancelled ones and ones of pruned forks, until their blockhash expires).</summary>
    public long Count
    {
        get
        {
            long count = 0;
            foreach (Group group in _groups.Values) count += group.Occupied;
            return count;
        }
    }

    /// <summary>Entry slots allocated across all groups (memory ≈ 48 B × this).</summary>
    public long Capacity
    {
        get
        {
            long capacity = 0;
            foreach (Group group in _groups.Values) capacity += group.Entries.Length;
            return capacity;
        }
    }

    /// <summary>Recent blockhashes with at least one recorded transaction.</summary>
    public int Groups => _groups.Count;

    /// <summary>Whether the transaction with <paramref name="signature"/> and <paramref name="blockhash"/> was processed on <paramref name="bank"/>'s fork, and how it ended.</summary>
    public bool TryGetStatus(in Signature signature, in Hash blockhash, Bank bank, out ulong slot, out TransactionError error)
    {
        if (_groups.TryGetValue(blockhash, out Group? group))
        {
            int index = FindIndex(group, KeyOf(signature), bank, out Lookup lookup);
            if (lookup == Lookup.Processed)
            {
                slot = group.Entries[index].Bank!.Slot;
                error = group.Entries[index].Error;
                return true;
            }
        }
        slot = 0;
        error = TransactionError.None;
        return false;
    }

    /// <summary>
    /// The outcome of a transaction known only by its signature (RPC's getSignatureStatuses): tries every
    /// recent blockhash's group, so it costs a few hundred lookups — not for hot paths.
    /// </summary>
    public bool TryGetStatus(in Signature signature, Bank bank, out ulong slot, out TransactionError error)
    {
        foreach (Hash blockhash in _groups.Keys)
        {
            if (TryGetStatus(signature, blockhash, bank, out slot, out error)) return true;
        }
        slot = 0;
        error = TransactionError.None;
        return false;
    }

    internal Lookup Find(in Signature signature, in Hash blockhash, Bank bank)
    {
        if (!_groups.TryGetValue(blockhash, out Group? group)) return Lookup.NotFound;
        FindIndex(group, KeyOf(signature), bank, out Lookup lookup);
        return lookup;
    }

    /// <summary>Records the transaction as pending in <paramref name="bank"/> (its blockhash is known to be valid there, registered at <paramref name="blockhashSlot"/>).</summary>
    internal void Reserve(in Signature signature, in Hash blockhash, ulong blockhashSlot, Bank bank)
    {
        ref Group? slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_groups, blockhash, out bool exists);
        if (!exists)
        {
            slot = _pool.Count > 0 ? _pool.Pop() : new Group();
            slot.BlockhashSlot = blockhashSlot;
        }
        Group group = slot!;
        if ((group.Occupied + 1) * 5 > group.Entries.Length * 3) Grow(group); // load ≤ 0.6
        Insert(group, KeyOf(signature), bank, TransactionError.None, State.Pending);
        group.Occupied++;
    }

    /// <summary>Ends a reservation made by <see cref="Reserve"/>: committed with its outcome, or cancelled (not committed).</summary>
    internal void Complete(in Signature signature, in Hash blockhash, Bank bank, TransactionError error, bool committed)
    {
        Group group = _groups[blockhash];
        Bytes32 key = KeyOf(signature);
        Entry[] entries = group.Entries;
        for (int b = HashOf(key) & group.Mask; ; b = (b + 1) & group.Mask)
        {
            ref Entry entry = ref entries[b];
            if (entry.State == State.Empty) ThrowHelper.ThrowInvalidOperation("completing a transaction that was not reserved");
            if (entry.State != State.Pending || entry.Bank != bank || !entry.Key.Equals(key)) continue;
            entry.Error = error;
            entry.State = committed ? State.Committed : State.Dead;
            return;
        }
    }

    /// <summary>Drops every group whose blockhash no bank above <paramref name="rootSlot"/> accepts any more, keeping their tables for reuse.</summary>
    internal void Purge(ulong rootSlot)
    {
        _expired.Clear();
        foreach ((Hash blockhash, Group group) in _groups)
        {
            if (group.BlockhashSlot + TransactionLimits.BlockhashMaxAgeSlots < rootSlot) _expired.Add(blockhash);
        }
        foreach (Hash blockhash in _expired)
        {
            _groups.Remove(blockhash, out Group? group);
            Array.Clear(group!.Entries);
            group.Occupied = 0;
            if (_pool.Count < MaxPooledGroups) _pool.Push(group);
        }
    }

    private static int FindIndex(Group group, in Bytes32 key, Bank bank, out Lookup lookup)
    {
        Entry[] entries = group.Entries;
        for (int b = HashOf(key) & group.Mask; ; b = (b + 1) & group.Mask)
        {
            ref Entry entry = ref entries[b];
            if (entry.State == State.Empty) break;
            if (entry.State == State.Dead || !entry.Key.Equals(key)) continue;
            if (entry.State == State.Pending)
            {
                if (entry.Bank == bank)
                {
                    lookup = Lookup.PendingInThisBank;
                    return b;
                }
                continue;
            }
            if (IsOnFork(entry.Bank!, bank))
            {
                lookup = Lookup.Processed;
                return b;
            }
        }
        lookup = Lookup.NotFound;
        return -1;
    }

    /// <summary>Whether <paramref name="recorded"/> is <paramref name="bank"/> or one of its ancestors (every rooted bank is).</summary>
    private static bool IsOnFork(Bank recorded, Bank bank)
    {
        if (recorded == bank || recorded.IsRooted) return true;
        for (Bank? ancestor = bank.Parent; ancestor is not null && ancestor.Slot >= recorded.Slot; ancestor = ancestor.Parent)
        {
            if (ancestor == recorded) return true;
        }
        return false;
    }

    private static void Insert(Group group, in Bytes32 key, Bank bank, TransactionError error, State state)
    {
        Entry[] entries = group.Entries;
        int b = HashOf(key) & group.Mask;
        while (entries[b].State != State.Empty) b = (b + 1) & group.Mask;
        ref Entry entry = ref entries[b];
        entry.Key = key;
        entry.Bank = bank;
        entry.Error = error;
        entry.State = state;
    }

    /// <summary>Doubles a group's table, dropping cancelled entries (pending ones move: they are found again by key).</summary>
    private static void Grow(Group group)
    {
        Entry[] old = group.Entries;
        group.Entries = new Entry[(int)BitOperations.RoundUpToPowerOf2((uint)old.Length * 2)];
        group.Mask = group.Entries.Length - 1;
        group.Occupied = 0;
        foreach (ref Entry entry in old.AsSpan())
        {
            if (entry.State is State.Empty or State.Dead) continue;
            Insert(group, entry.Key, entry.Bank!, entry.Error, entry.State);
            group.Occupied++;
        }
    }

    private static Bytes32 KeyOf(in Signature signature) => new(signature.Span[..Bytes32.Size]);

    private static int HashOf(in Bytes32 key)
    {
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(key.Span);
        return HashCode.Combine(words[0], words[1], words[2], words[3]);
    }
}
