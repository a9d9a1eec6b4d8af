using System.Runtime.InteropServices;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Exec;
using Fast.Storage;

namespace Fast.Node.Validator;

/// <summary>Where a processed transaction landed: slot, position in the block, outcome, fee.</summary>
public readonly record struct SignatureLocation(ulong Slot, int Index, TransactionError Error, byte InstructionIndex, ulong Fee);

/// <summary>
/// Recent signatures → where they landed, for getSignatureStatuses, getTransaction and
/// `transfer --wait`. Nothing is evicted while it matters: a status is kept at least until its slot
/// is rooted and its blockhash expired (the root is more than
/// <see cref="TransactionLimits.BlockhashMaxAgeSlots"/> slots past the slot — a transaction's
/// blockhash is never newer than its slot), so the user of a landed transaction always hears that
/// it landed while it could still be re-sent. Statuses are appended to segments of
/// 2^<c>segmentLog2</c> entries (a dense array plus an open-addressed table over it with a seeded
/// hash of the whole signature, so no choice of signature bytes lines entries up in one probe
/// chain); a full segment starts the next, and a segment whose newest slot is released goes back
/// to a small pool. Memory is bounded by what must be kept: (150 blockhash-age slots + the root
/// distance + 2) × <see cref="TransactionLimits.MaxTransactionsPerBlock"/> (40,960) entries, plus
/// two segments, at 96 B each — with the default root distance of 31, 183 × 40,960 ≈ 7.5 M entries
/// ≈ 720 MB at most; in practice the transaction rate × ~110 s (≈ 211 MB at 20 k TPS), and one
/// 6 MiB segment when idle. Adds allocate nothing except a new segment.
/// <para>Threads: one writer (the banking thread; recovery before it starts) adds and releases;
/// any number of readers (RPC threads) look up. A reader sees an entry only once it is whole (the
/// table slot is published after the entry), and a segment recycled under a reader is noticed
/// by its generation, so a reader never reports a torn or foreign entry.</para>
/// </summary>
public sealed class SignatureIndex
{
    /// <summary>Released segments kept for reuse (beyond these, they go to the GC).</summary>
    private const int PooledSegments = 2;

    [StructLayout(LayoutKind.Sequential)]
    private struct Entry
    {
        public Signature Signature;
        public ulong Slot;
        public ulong Fee;
        public int Index;
        public TransactionError Error;
        public byte InstructionIndex;
    }

    private sealed class Segment(int capacityLog2)
    {
        public readonly Entry[] Entries = new Entry[1 << capacityLog2];

        /// <summary>Position + 1 of an entry, 0 = empty; twice the entries (load ≤ 0.5).</summary>
        public readonly int[] Table = new int[2 << capacityLog2];
        public readonly int TableMask = (2 << capacityLog2) - 1;
        public int Count;
        public ulong NewestSlot;

        /// <summary>Bumped before the segment is cleared for reuse (readers compare it before and after).</summary>
        public int Generation;
    }

    private readonly int _segmentLog2;
    private readonly Stack<Segment> _pool = new();
    private Segment[] _segments; // oldest first; the last one takes adds. Replaced whole (readers take a snapshot).
    private Segment _current;

    /// <param name="segmentLog2">log2 of the entries per segment (the unit of growth and release).</param>
    public SignatureIndex(int segmentLog2 = 16)
    {
        if (segmentLog2 is < 4 or > 24) throw new ArgumentOutOfRangeException(nameof(segmentLog2));
        _segmentLog2 = segmentLog2;
        _current = new Segment(segmentLog2);
        _segments = [_current];
    }

    /// <summary>Entries per segment.</summary>
    public int SegmentCapacity => 1 << _segmentLog2;

    /// <summary>Segments held now (memory ≈ this × <see cref="SegmentCapacity"/> × 96 B).</summary>
    public int Segments => Volatile.Read(ref _segments).Length;

    /// <summary>Statuses held now (released ones excluded).</summary>
    public long Count
    {
        get
        {
            long count = 0;
            foreach (Segment segment in Volatile.Read(ref _segments)) count += Volatile.Read(ref segment.Count);
            return count;
        }
    }

    /// <summary>The most statuses the index holds for <paramref name="rootDistance"/> (what its summary states).</summary>
    public long MaxEntries(ulong rootDistance) =>
        ((long)TransactionLimits.BlockhashMaxAgeSlots + (long)rootDistance + 2) * TransactionLimits.MaxTransactionsPerBlock + 2L * SegmentCapacity;

    /// <summary>Records a committed transaction's status. Single writer; allocates only when it starts a segment.</summary>
    public void Add(in Signature signature, in SignatureLocation location)
    {
        Segment segment = _current;
        int position = segment.Count;
        if (position == segment.Entries.Length)
        {
            segment = StartSegment();
            position = 0;
        }
        ref Entry entry = ref segment.Entries[position];
        entry.Signature = signature;
        entry.Slot = location.Slot;
        entry.Fee = location.Fee;
        entry.Index = location.Index;
        entry.Error = location.Error;
        entry.InstructionIndex = location.InstructionIndex;
        if (location.Slot > segment.NewestSlot) segment.NewestSlot = location.Slot;
        int[] table = segment.Table;
        int mask = segment.TableMask;
        int b = Hash(signature) & mask;
        while (table[b] != 0) b = (b + 1) & mask;
        Volatile.Write(ref table[b], position + 1); // publishes the entry written above
        Volatile.Write(ref segment.Count, position + 1);
    }

    /// <summary>
    /// Releases the segments whose every status is past mattering at <paramref name="rootSlot"/>: rooted,
    /// and the root more than the blockhash age past its slot. Single writer (after each root).
    /// </summary>
    public int Release(ulong rootSlot)
    {
        Segment[] segments = _segments;
        int released = 0;
        while (released < segments.Length - 1 && segments[released].NewestSlot + TransactionLimits.BlockhashMaxAgeSlots < rootSlot) released++;
        if (released == 0) return 0;
        Volatile.Write(ref _segments, segments[released..]);
        for (int i = 0; i < released; i++) Recycle(segments[i]);
        return released;
    }

    /// <summary>Looks a signature up (newest segment first); any thread, allocation-free.</summary>
    public bool TryGet(in Signature signature, out SignatureLocation location)
    {
        int hash = Hash(signature);
        Segment[] segments = Volatile.Read(ref _segments);
        for (int s = segments.Length - 1; s >= 0; s--)
        {
            if (TryGet(segments[s], signature, hash, out location)) return true;
        }
        location = default;
        return false;
    }

    private static bool TryGet(Segment segment, in Signature signature, int hash, out SignatureLocation location)
    {
        int generation = Volatile.Read(ref segment.Generation);
        int[] table = segment.Table;
        int mask = segment.TableMask;
        bool found = false;
        location = default;
        for (int b = hash & mask, probes = 0; probes <= mask; b = (b + 1) & mask, probes++)
        {
            int position = Volatile.Read(ref table[b]);
            if (position == 0) break;
            ref Entry entry = ref segment.Entries[position - 1];
            if (entry.Signature != signature) continue;
            location = new SignatureLocation(entry.Slot, entry.Index, entry.Error, entry.InstructionIndex, entry.Fee);
            found = true;
            break;
        }
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref segment.Generation) == generation) return found;
        // Recycled under us: what we read may be a new owner's, and the old entries were released anyway.
        location = default;
        return false;
    }

    private Segment StartSegment()
    {
        Segment segment = _pool.Count > 0 ? _pool.Pop() : new Segment(_segmentLog2);
        Segment[] segments = _segments;
        var grown = new Segment[segments.Length + 1];
        segments.CopyTo(grown, 0);
        grown[^1] = segment;
        Volatile.Write(ref _segments, grown);
        _current = segment;
        return segment;
    }

    private void Recycle(Segment segment)
    {
        if (_pool.Count >= PooledSegments) return;
        Interlocked.Increment(ref segment.Generation);
        Array.Clear(segment.Table);
        segment.Count = 0;
        segment.NewestSlot = 0;
        Interlocked.Increment(ref segment.Generation);
        _pool.Push(segment);
    }

    /// <summary>A seeded hash of all 64 bytes: grinding either half of a signature cannot build a probe chain.</summary>
    private static int Hash(in Signature signature)
    {
        ReadOnlySpan<byte> bytes = signature.Span;
        return SeededHash.Of(bytes[..32]) ^ (int)((uint)SeededHash.Of(bytes[32..]) * 0x9E3779B1u);
    }
}
