using System.Buffers.Binary;
using Fast.Core.Primitives;

namespace Fast.Storage.Blocks;

/// <summary>Where one transaction that names an address sits in the ledger: its slot, its index in the block, its byte offset in the slot's entries.</summary>
public readonly record struct AddressTransaction(ulong Slot, int Index, int Offset);

/// <summary>
/// The <see cref="Blockstore"/>'s address → transactions index (getSignaturesForAddress): for each
/// account key of each stored transaction, one 32-byte entry (slot, index in block, byte offset in the
/// slot's entries, the first 8 bytes of the signature) linked to the address's previous entry, so an
/// address's transactions are walked newest first without touching the disk. Entries live in chunks of
/// 2^16 in append order (slot order: one ledger writer appends slot after slot); purging the ledger
/// drops whole chunks below the floor and the addresses left without entries. Rebuilt from the log
/// when the Blockstore opens, so it holds exactly what the recovered ledger holds.
/// <para>Memory: 32 B per (address, transaction) plus ~64 B per distinct address; a transfer names 3
/// keys, ≈ 100 B per transaction, bounded by the ledger the node keeps (--limit-ledger-slots).</para>
/// <para>Not thread-safe: the Blockstore calls it under its lock.</para>
/// </summary>
internal sealed class AddressSignatureIndex
{
    private const int ChunkLog2 = 16;
    private const int ChunkSize = 1 << ChunkLog2;

    private struct Entry
    {
        public ulong Slot;
        public long Previous; // position of the address's previous (older) entry, −1 for none
        public ulong Fingerprint;
        public int Index;
        public int Offset;
    }

    private readonly List<Entry[]> _chunks = [];
    private readonly List<ulong> _chunkMaxSlot = [];
    private readonly Dictionary<Pubkey, long> _newest = [];
    private long _firstChunk; // the chunk number of _chunks[0]
    private long _next; // the position the next entry takes

    /// <summary>Addresses with at least one entry.</summary>
    public int AddressCount => _newest.Count;

    /// <summary>Entries held (including those of purged slots left in a partly purged chunk).</summary>
    public long EntryCount => _next - (_firstChunk << ChunkLog2);

    /// <summary>The first 8 bytes of a signature: enough to tell one address's transactions apart (a match by chance is 2^-64 per comparison; grinding one needs 2^64 signatures).</summary>
    public static ulong Fingerprint(ReadOnlySpan<byte> signature) => BinaryPrimitives.ReadUInt64LittleEndian(signature);

    public void Add(in Pubkey address, ulong slot, int index, int offset, ulong fingerprint)
    {
        int within = (int)(_next & (ChunkSize - 1));
        if (within == 0)
        {
            _chunks.Add(new Entry[ChunkSize]);
            _chunkMaxSlot.Add(0);
        }
        ref Entry entry = ref _chunks[^1][within];
        entry.Slot = slot;
        entry.Index = index;
        entry.Offset = offset;
        entry.Fingerprint = fingerprint;
        entry.Previous = _newest.TryGetValue(address, out long previous) ? previous : -1;
        if (slot > _chunkMaxSlot[^1]) _chunkMaxSlot[^1] = slot;
        _newest[address] = _next;
        _next++;
    }

    /// <summary>Drops the chunks that hold only slots below <paramref name="slot"/>, and the addresses whose newest entry went with them.</summary>
    public void PurgeBefore(ulong slot)
    {
        int drop = 0;
        while (drop < _chunks.Count - 1 && _chunkMaxSlot[drop] < slot) drop++;
        if (drop == _chunks.Count - 1 && _chunks.Count > 0 && _chunkMaxSlot[drop] < slot && (_next & (ChunkSize - 1)) == 0) drop++;
        if (drop == 0) return;
        _chunks.RemoveRange(0, drop);
        _chunkMaxSlot.RemoveRange(0, drop);
        _firstChunk += drop;
        long first = _firstChunk << ChunkLog2;
        List<Pubkey> gone = [];
        foreach ((Pubkey address, long newest) in _newest)
        {
            if (newest < first) gone.Add(address);
        }
        foreach (Pubkey address in gone) _newest.Remove(address);
    }

    /// <summary>
    /// The transactions naming <paramref name="address"/>, newest first: those in slots from
    /// <paramref name="lowestSlot"/> to <paramref name="highestSlot"/>, after the one whose fingerprint is
    /// <paramref name="before"/> (when given and found; otherwise from the newest) and before the one
    /// whose fingerprint is <paramref name="until"/>, at most <paramref name="limit"/>.
    /// </summary>
    public void Collect(in Pubkey address, ulong lowestSlot, ulong highestSlot, ulong? before, ulong? until, int limit, List<AddressTransaction> results)
    {
        if (!_newest.TryGetValue(address, out long newest)) return;
        long start = newest;
        if (before is ulong b)
        {
            long found = Find(newest, lowestSlot, b);
            if (found >= 0) start = Get(found).Previous;
        }
        // Entries below the ledger's lowest slot are skipped, not a stop: a slot appended late may sit above newer ones.
        for (long position = start; position >= 0 && results.Count < limit; )
        {
            if (!TryGet(position, out Entry entry)) break;
            if (until is ulong u && entry.Fingerprint == u) break;
            if (entry.Slot >= lowestSlot && entry.Slot <= highestSlot) results.Add(new AddressTransaction(entry.Slot, entry.Index, entry.Offset));
            position = entry.Previous;
        }
    }

    private long Find(long position, ulong lowestSlot, ulong fingerprint)
    {
        while (position >= 0 && TryGet(position, out Entry entry))
        {
            if (entry.Fingerprint == fingerprint && entry.Slot >= lowestSlot) return position;
            position = entry.Previous;
        }
        return -1;
    }

    private ref Entry Get(long position) => ref _chunks[(int)((position >> ChunkLog2) - _firstChunk)][(int)(position & (ChunkSize - 1))];

    private bool TryGet(long position, out Entry entry)
    {
        entry = default;
        if ((position >> ChunkLog2) < _firstChunk || position >= _next) return false;
        entry = Get(position);
        return true;
    }
}
