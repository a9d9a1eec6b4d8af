using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Storage;

namespace Fast.Exec.Banking;

/// <summary>
/// Which transactions were processed on which fork: the rule that a transaction is processed at most
/// once per fork. Entries are grouped by the transaction's recent blockhash (as Agave's status cache
/// is), one open-addressing table per blockhash, keyed by the full signature; a hit counts when its
/// bank is the asking bank, a rooted bank, or an unrooted ancestor. An entry names its bank by slot and
/// <see cref="Bank.Id"/>, not by reference: the tables hold no object references, so the garbage
/// collector never scans them (at 50 k TPS they are over a gigabyte) and they keep no bank alive. A transaction can only execute
/// within 150 slots of its blockhash, so once a blockhash is that far behind the root its whole
/// group is dropped — memory follows the transaction rate × 150 slots (≈ 133 B per signature), and
/// group tables are reused.
/// <para>Threads: the owner thread sizes groups (<see cref="EnsureRoom"/>) before an execution, purges
/// them and answers queries. During an execution, workers look up and record signatures
/// concurrently (<see cref="IsProcessed"/>, <see cref="Record"/>): slots are claimed with a CAS and
/// published whole, and a group never moves while an execution runs. Two transactions with the same
/// signature have the same fee payer, so the scheduler never runs them at once: a worker always sees
/// the earlier one's record.</para>
/// </summary>
public sealed class StatusCache
{
    private const int Empty = 0;
    private const int Writing = 1;
    private const int Ready = 2;
    private const int MinGroupCapacity = 64;
    private const int MaxPooledGroups = 32;

    /// <summary>Slots the rooted-bank ring covers: far more than an entry lives (its blockhash's 150 slots plus the root distance).</summary>
    private const int RootedRingSlots = 4096;

    internal struct Entry
    {
        public Signature Key;
        public uint BankId;
        public uint SlotOffset; // the bank's slot − the group's blockhash slot (a bank is never older than its transactions' blockhash)
        public int State;
        public TransactionError Error;
    }

    /// <summary>The transactions of one recent blockhash (the scheduler hands workers this handle).</summary>
    internal sealed class Group
    {
        public ulong BlockhashSlot;
        public required uint[] RootedIds;
        public Entry[] Entries = new Entry[MinGroupCapacity];
        public int Mask = MinGroupCapacity - 1;

        /// <summary>Records this group has room promised for (an upper bound of its entries; owner thread).</summary>
        public int Reserved;
    }

    private readonly Dictionary<Hash, Group> _groups = [];

    /// <summary>The <see cref="Bank.Id"/> of the rooted bank at each slot, by slot modulo the ring size (0: none seen).</summary>
    private readonly uint[] _rootedIds = new uint[RootedRingSlots];
    private readonly Stack<Group> _pool = new();
    private readonly List<Hash> _expired = [];
    private Hash _lastBlockhash;
    private Group? _lastGroup;

    /// <summary>Signatures recorded (including those of pruned forks, until their blockhash expires). Owner thread, between executions.</summary>
    public long Count
    {
        get
        {
            long count = 0;
            foreach (Group group in _groups.Values)
            {
                foreach (ref Entry entry in group.Entries.AsSpan())
                {
                    if (entry.State == Ready) count++;
                }
            }
            return count;
        }
    }

    /// <summary>Entry slots allocated across all groups (memory ≈ 80 B × this).</summary>
    public long Capacity
    {
        get
        {
            long capacity = 0;
            foreach (Group group in _groups.Values) capacity += group.Entries.Length;
            return capacity;
        }
    }

    /// <summary>Recent blockhashes with a group.</summary>
    public int Groups => _groups.Count;

    /// <summary>Whether the transaction with <paramref name="signature"/> and <paramref name="blockhash"/> was processed on <paramref name="bank"/>'s fork, and how it ended (owner thread).</summary>
    public bool TryGetStatus(in Signature signature, in Hash blockhash, Bank bank, out ulong slot, out TransactionError error)
    {
        if (_groups.TryGetValue(blockhash, out Group? group) && FindIndex(group, signature, bank) is int index and >= 0)
        {
            slot = group.BlockhashSlot + group.Entries[index].SlotOffset;
            error = group.Entries[index].Error;
            return true;
        }
        slot = 0;
        error = TransactionError.None;
        return false;
    }

    /// <summary>
    /// The outcome of a transaction known only by its signature (RPC's getSignatureStatuses): tries every
    /// recent blockhash's group, so it costs a few hundred lookups — not for hot paths (owner thread).
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

    /// <summary>
    /// The group for <paramref name="blockhash"/> (registered at <paramref name="blockhashSlot"/>) with room
    /// for <paramref name="count"/> more records, grown now so it cannot move during the execution that
    /// follows. Owner thread, between executions.
    /// </summary>
    internal Group EnsureRoom(in Hash blockhash, ulong blockhashSlot, int count)
    {
        Group group = GroupOf(blockhash) ?? AddGroup(blockhash, blockhashSlot);
        if ((long)(group.Reserved + count) * 5 > (long)group.Entries.Length * 3) Grow(group, count); // load ≤ 0.6
        group.Reserved += count;
        return group;
    }

    /// <summary>The group for <paramref name="blockhash"/>, or null (remembers the last one: a block's transactions mostly share a blockhash). Owner thread.</summary>
    internal Group? GroupOf(in Hash blockhash)
    {
        if (_lastGroup is not null && _lastBlockhash == blockhash) return _lastGroup;
        if (!_groups.TryGetValue(blockhash, out Group? group)) return null;
        _lastBlockhash = blockhash;
        _lastGroup = group;
        return group;
    }

    /// <summary>Notes that bank <paramref name="bankId"/> at <paramref name="slot"/> is rooted (any thread: whoever roots it, before its descendants lose their link to it).</summary>
    internal void MarkRooted(ulong slot, uint bankId) => Volatile.Write(ref _rootedIds[(int)(slot % RootedRingSlots)], bankId);

    /// <summary>Whether <paramref name="signature"/> was processed on <paramref name="bank"/>'s fork (any thread; see the type summary).</summary>
    internal static bool IsProcessed(Group group, in Signature signature, Bank bank) => FindIndex(group, signature, bank) >= 0;

    /// <summary>
    /// Records a committed transaction in <paramref name="bank"/> (any thread; the group has room, see
    /// <see cref="EnsureRoom"/>): claims an empty slot with a CAS, fills it, then publishes it.
    /// </summary>
    internal static void Record(Group group, in Signature signature, Bank bank, TransactionError error)
    {
        Entry[] entries = group.Entries;
        int mask = group.Mask;
        for (int b = SeededHash.Of(signature.Span[..32]) & mask; ; b = (b + 1) & mask)
        {
            ref Entry entry = ref entries[b];
            if (Volatile.Read(ref entry.State) != Empty || Interlocked.CompareExchange(ref entry.State, Writing, Empty) != Empty) continue;
            Debug.Assert(bank.Slot >= group.BlockhashSlot && bank.Slot - group.BlockhashSlot <= uint.MaxValue, "a bank is never older than its transactions' blockhash");
            entry.Key = signature;
            entry.BankId = bank.Id;
            entry.SlotOffset = (uint)(bank.Slot - group.BlockhashSlot);
            entry.Error = error;
            Volatile.Write(ref entry.State, Ready);
            return;
        }
    }

    /// <summary>Starts loading the slot a lookup of <paramref name="signature"/> will probe first (workers look ahead).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void Prefetch(Group group, ReadOnlySpan<byte> signature)
    {
        if (!Sse.IsSupported) return;
        Entry[] entries = group.Entries;
        Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(entries), SeededHash.Of(signature[..32]) & group.Mask)));
    }

    /// <summary>Drops every group whose blockhash no bank above <paramref name="rootSlot"/> accepts any more, keeping their tables for reuse (owner thread).</summary>
    internal void Purge(ulong rootSlot)
    {
        _expired.Clear();
        foreach ((Hash blockhash, Group group) in _groups)
        {
            if (group.BlockhashSlot + TransactionLimits.BlockhashMaxAgeSlots < rootSlot) _expired.Add(blockhash);
        }
        _lastGroup = null;
        foreach (Hash blockhash in _expired)
        {
            _groups.Remove(blockhash, out Group? group);
            Array.Clear(group!.Entries);
            group.Reserved = 0;
            if (_pool.Count < MaxPooledGroups) _pool.Push(group);
        }
    }

    private static int FindIndex(Group group, in Signature signature, Bank bank)
    {
        Entry[] entries = group.Entries;
        int mask = group.Mask;
        for (int b = SeededHash.Of(signature.Span[..32]) & mask; ; b = (b + 1) & mask)
        {
            ref Entry entry = ref entries[b];
            int state = Volatile.Read(ref entry.State);
            if (state == Empty) return -1;
            while (state == Writing)
            {
                Thread.SpinWait(1); // another worker is filling this slot
                state = Volatile.Read(ref entry.State);
            }
            if (entry.Key.Equals(signature) && IsOnFork(group, entry.BankId, group.BlockhashSlot + entry.SlotOffset, bank)) return b;
        }
    }

    /// <summary>Whether bank <paramref name="recordedId"/> at <paramref name="recordedSlot"/> is <paramref name="bank"/> or one of its ancestors (every rooted bank is).</summary>
    private static bool IsOnFork(Group group, uint recordedId, ulong recordedSlot, Bank bank)
    {
        if (recordedId == bank.Id || recordedId == Bank.RestoredRootId || Volatile.Read(ref group.RootedIds[(int)(recordedSlot % RootedRingSlots)]) == recordedId) return true;
        for (Bank? ancestor = bank.Parent; ancestor is not null && ancestor.Slot >= recordedSlot; ancestor = ancestor.Parent)
        {
            if (ancestor.Id == recordedId) return true;
        }
        return false;
    }

    private Group AddGroup(in Hash blockhash, ulong blockhashSlot)
    {
        Group group = _pool.Count > 0 ? _pool.Pop() : new Group { RootedIds = _rootedIds };
        group.BlockhashSlot = blockhashSlot;
        _groups.Add(blockhash, group);
        _lastBlockhash = blockhash;
        _lastGroup = group;
        return group;
    }

    /// <summary>Regrows a group to hold its records plus <paramref name="extra"/> at load ≤ 0.6 (owner thread, no execution running).</summary>
    private static void Grow(Group group, int extra)
    {
        Entry[] old = group.Entries;
        int live = 0;
        foreach (ref Entry entry in old.AsSpan())
        {
            if (entry.State == Ready) live++;
        }
        long needed = Math.Max(MinGroupCapacity, ((long)live + extra) * 5 / 3 + 1);
        int capacity = (int)BitOperations.RoundUpToPowerOf2((ulong)needed);
        if (capacity == old.Length)
        {
            group.Reserved = live;
            return;
        }
        var entries = new Entry[capacity];
        int mask = capacity - 1;
        foreach (ref Entry entry in old.AsSpan())
        {
            if (entry.State != Ready) continue;
            int b = SeededHash.Of(entry.Key.Span[..32]) & mask;
            while (entries[b].State != Empty) b = (b + 1) & mask;
            entries[b] = entry;
        }
        group.Entries = entries;
        group.Mask = mask;
        group.Reserved = live;
    }
}
