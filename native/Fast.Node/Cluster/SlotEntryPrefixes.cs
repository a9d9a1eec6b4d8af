using Fast.Core.Ledger;
using Fast.Core.Shreds;

namespace Fast.Node.Cluster;

/// <summary>
/// The network thread's half of the replay pre-verifier (<see cref="ReplayPreverifier"/>): for each slot
/// being received, the data shreds held so far from index 0 without a gap, joined into the slot's entry
/// bytes; each time the run grows, the entries it completes are queued for signature verification.
/// Nothing is checked here (replay checks the block whole): this only chooses what to verify early. At
/// most <see cref="MaxSlots"/> slots are followed (the lowest is dropped for a new one); a slot is done
/// at its last shred (later copies of its shreds change nothing) and forgotten once its replay started.
/// Only the bytes of an entry not yet whole are kept, so a slot costs a few shreds of memory.
/// <para>Threads: the cluster network thread's alone.</para>
/// </summary>
public sealed class SlotEntryPrefixes(ReplayPreverifier preverifier)
{
    public const int MaxSlots = 32;

    private sealed class Prefix
    {
        public uint Next;
        public byte[] Bytes = new byte[16 * 1024];
        public int Length; // bytes of the entry not yet whole
        public bool Done;
    }

    private readonly Dictionary<ulong, Prefix> _slots = new(MaxSlots);
    private readonly HashSet<ulong> _touched = new(MaxSlots);
    private readonly Stack<Prefix> _free = new(MaxSlots);
    private readonly ulong[] _stale = new ulong[MaxSlots];

    public ReplayPreverifier Preverifier => preverifier;

    /// <summary>A data shred of <paramref name="slot"/> is now in the store.</summary>
    public void DataShredHeld(ulong slot) => _touched.Add(slot);

    /// <summary>Extends every slot that got shreds since the last call and queues the entries they complete.</summary>
    public void Advance(ShredStore store)
    {
        if (_touched.Count == 0) return;
        ForgetReplayed();
        foreach (ulong slot in _touched) Advance(slot, store);
        _touched.Clear();
    }

    /// <summary>Slots followed now (tests).</summary>
    public int SlotCount => _slots.Count;

    private void ForgetReplayed()
    {
        long replayed = preverifier.ReplayStartedSlot;
        int stale = 0;
        foreach (ulong slot in _slots.Keys) if ((long)slot <= replayed) _stale[stale++] = slot;
        for (int i = 0; i < stale; i++) Forget(_stale[i]);
    }

    private void Advance(ulong slot, ShredStore store)
    {
        if ((long)slot <= preverifier.ReplayStartedSlot)
        {
            Forget(slot);
            return;
        }
        if (!_slots.TryGetValue(slot, out Prefix? prefix))
        {
            if (_slots.Count >= MaxSlots) Forget(Lowest());
            prefix = _free.Count > 0 ? _free.Pop() : new Prefix();
            prefix.Next = 0;
            prefix.Length = 0;
            prefix.Done = false;
            _slots[slot] = prefix;
        }
        while (!prefix.Done && store.Get(slot, prefix.Next) is byte[] shred)
        {
            if (!ShredView.TryParse(shred, out ShredView view).IsOk || !view.IsData) break;
            ReadOnlySpan<byte> data = view.Data;
            if (prefix.Length + data.Length > prefix.Bytes.Length) Array.Resize(ref prefix.Bytes, Math.Max(2 * prefix.Bytes.Length, prefix.Length + data.Length));
            data.CopyTo(prefix.Bytes.AsSpan(prefix.Length));
            prefix.Length += data.Length;
            prefix.Next++;
            prefix.Done = view.IsLastInSlot;
        }
        Span<byte> pending = prefix.Bytes.AsSpan(0, prefix.Length);
        int whole = 0;
        foreach (EntryView entry in new EntryStream(pending)) whole += entry.Length;
        if (whole == 0) return;
        preverifier.TryQueue(slot, pending[..whole]);
        pending[whole..].CopyTo(pending);
        prefix.Length -= whole;
    }

    private ulong Lowest()
    {
        ulong lowest = ulong.MaxValue;
        foreach (ulong slot in _slots.Keys) lowest = Math.Min(lowest, slot);
        return lowest;
    }

    private void Forget(ulong slot)
    {
        if (_slots.Remove(slot, out Prefix? prefix)) _free.Push(prefix);
    }
}
