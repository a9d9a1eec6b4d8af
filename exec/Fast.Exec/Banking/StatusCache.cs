using System.Numerics;
using System.Runtime.InteropServices;
using Fast.Core.Primitives;
using Fast.Core.Transactions;

namespace Fast.Exec.Banking;

/// <summary>
/// Which signatures were processed on which fork: the rule that a transaction is processed at most
/// once per fork. One open-addressing table per bank tree (signature → bank, slot, outcome); a hit
/// counts when its bank is the asking bank, a rooted bank, or an unrooted ancestor. Entries older
/// than <c>BlockhashMaxAgeSlots</c> behind the asking bank are ignored (such a transaction's
/// blockhash has expired anyway), and are swept with the entries of pruned forks when the table
/// fills, so memory follows the transaction rate × 150 slots.
/// <para>Threads: the bank owner thread only (the scheduler's coordinator). A signature is reserved
/// (pending) when its transaction is scheduled and committed or cancelled when it completes.</para>
/// </summary>
public sealed class StatusCache
{
    internal enum State : byte
    {
        Empty = 0,
        Pending,
        Committed,
        Dead,
    }

    internal enum Lookup : byte
    {
        NotFound,
        Processed,
        PendingInThisBank,
    }

    private struct Entry
    {
        public Signature Signature;
        public Bank? Bank;
        public ulong Slot;
        public TransactionError Error;
        public State State;
    }

    private const int MinCapacity = 1024;

    private Entry[] _entries = new Entry[MinCapacity];
    private Entry[]? _spare;
    private int _mask = MinCapacity - 1;
    private int _occupied;

    /// <summary>Entries in the table (including ones a sweep will drop).</summary>
    public int Count => _occupied;

    public int Capacity => _entries.Length;

    /// <summary>Whether <paramref name="signature"/> was processed on <paramref name="bank"/>'s fork, and with what outcome.</summary>
    public bool TryGetStatus(in Signature signature, Bank bank, out ulong slot, out TransactionError error)
    {
        int index = FindIndex(signature, bank, out Lookup lookup);
        if (lookup == Lookup.Processed)
        {
            slot = _entries[index].Slot;
            error = _entries[index].Error;
            return true;
        }
        slot = 0;
        error = TransactionError.None;
        return false;
    }

    internal Lookup Find(in Signature signature, Bank bank)
    {
        FindIndex(signature, bank, out Lookup lookup);
        return lookup;
    }

    /// <summary>Records <paramref name="signature"/> as pending in <paramref name="bank"/>; the caller made room with <see cref="EnsureCapacity"/>.</summary>
    internal int Reserve(in Signature signature, Bank bank)
    {
        Entry[] entries = _entries;
        int b = Hash(signature) & _mask;
        while (entries[b].State != State.Empty) b = (b + 1) & _mask;
        ref Entry entry = ref entries[b];
        entry.Signature = signature;
        entry.Bank = bank;
        entry.Slot = bank.Slot;
        entry.Error = TransactionError.None;
        entry.State = State.Pending;
        _occupied++;
        return b;
    }

    internal void Commit(int index, TransactionError error)
    {
        ref Entry entry = ref _entries[index];
        entry.Error = error;
        entry.State = State.Committed;
    }

    internal void Cancel(int index) => _entries[index].State = State.Dead;

    /// <summary>
    /// Makes room for <paramref name="additional"/> reservations without moving entries while they
    /// are pending: sweeps dead, pruned and expired entries (older than <paramref name="rootSlot"/>
    /// − 150) and grows when that is not enough. Call between executions, never during one.
    /// </summary>
    internal void EnsureCapacity(int additional, ulong rootSlot)
    {
        if ((long)(_occupied + additional) * 2 <= _entries.Length) return;
        int live = 0;
        foreach (ref Entry entry in _entries.AsSpan())
        {
            if (IsLive(entry, rootSlot)) live++;
        }
        long needed = Math.Max(MinCapacity, (long)(live + additional) * 2);
        int capacity = (int)BitOperations.RoundUpToPowerOf2((ulong)needed);
        if (capacity < _entries.Length && live * 4 > capacity) capacity = _entries.Length; // do not shrink while busy
        Entry[] next = _spare is not null && _spare.Length == capacity ? _spare : new Entry[capacity];
        int mask = capacity - 1;
        foreach (ref Entry entry in _entries.AsSpan())
        {
            if (!IsLive(entry, rootSlot)) continue;
            int b = Hash(entry.Signature) & mask;
            while (next[b].State != State.Empty) b = (b + 1) & mask;
            next[b] = entry;
        }
        Array.Clear(_entries);
        _spare = _entries.Length == capacity ? _entries : null;
        _entries = next;
        _mask = mask;
        _occupied = live;
    }

    private static bool IsLive(in Entry entry, ulong rootSlot) =>
        entry.State == State.Committed
        && !entry.Bank!.IsDead
        && entry.Slot + TransactionLimits.BlockhashMaxAgeSlots >= rootSlot;

    private int FindIndex(in Signature signature, Bank bank, out Lookup lookup)
    {
        Entry[] entries = _entries;
        int mask = _mask;
        for (int b = Hash(signature) & mask; ; b = (b + 1) & mask)
        {
            ref Entry entry = ref entries[b];
            if (entry.State == State.Empty) break;
            if (entry.State == State.Dead || !entry.Signature.Equals(signature)) continue;
            if (entry.Slot + TransactionLimits.BlockhashMaxAgeSlots < bank.Slot) continue;
            if (entry.State == State.Pending)
            {
                if (entry.Bank == bank)
                {
                    lookup = Lookup.PendingInThisBank;
                    return b;
                }
                continue;
            }
            if (IsOnFork(entry.Bank!, entry.Slot, bank))
            {
                lookup = Lookup.Processed;
                return b;
            }
        }
        lookup = Lookup.NotFound;
        return -1;
    }

    /// <summary>Whether <paramref name="recorded"/> is <paramref name="bank"/> or one of its ancestors.</summary>
    private static bool IsOnFork(Bank recorded, ulong recordedSlot, Bank bank)
    {
        if (recorded == bank || recorded.IsRooted) return true;
        for (Bank? ancestor = bank.Parent; ancestor is not null && ancestor.Slot >= recordedSlot; ancestor = ancestor.Parent)
        {
            if (ancestor == recorded) return true;
        }
        return false;
    }

    private static int Hash(in Signature signature)
    {
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(signature.Span);
        return HashCode.Combine(words[0], words[1], words[2], words[3]);
    }
}
