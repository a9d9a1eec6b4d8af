using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Fast.Core.Primitives;

namespace Fast.Storage.Blocks;

/// <summary>Where one transaction that names an address sits in the ledger: its slot, its index in the block, its byte offset in the slot's entries.</summary>
public readonly record struct AddressTransaction(ulong Slot, int Index, int Offset);

/// <summary>
/// The <see cref="Blockstore"/>'s address → transactions index (getSignaturesForAddress): for each
/// account key of each stored transaction, one 32-byte entry (slot, index in block, byte offset in the
/// slot's entries, the first 8 bytes of the signature) linked to the address's previous entry, so an
/// address's transactions are walked newest first. Entries live in chunks of 2^16 (2 MiB) in append
/// order (slot order: one ledger writer appends slot after slot); the newest
/// <see cref="ResidentChunks"/> stay in memory and older ones are written to spill files
/// (<see cref="AddressIndexSpill"/>, scratch beside the ledger) and read back one entry at a time.
/// Purging the ledger drops whole chunks below the floor (and their files) and the addresses left
/// without entries. Rebuilt from the log when the Blockstore opens, so it holds exactly what the
/// recovered ledger holds.
/// <para>Memory: the resident chunks (16 MiB by default) plus ~64 B per distinct address (the newest
/// entry of each), however much ledger the node keeps; disk: 32 B per (address, transaction), ≈ 100 B
/// a transfer (3 keys), bounded by the ledger kept (--limit-ledger-slots). Without a spill folder
/// (tests) every chunk stays in memory.</para>
/// <para>Not thread-safe: the Blockstore calls it under its lock.</para>
/// </summary>
internal sealed class AddressSignatureIndex : IDisposable
{
    internal const int ChunkLog2 = 16;
    internal const int ChunkSize = 1 << ChunkLog2;

    /// <summary>Chunks kept in memory by default: 8 × 2 MiB.</summary>
    public const int DefaultResidentChunks = 8;

    [StructLayout(LayoutKind.Sequential)]
    internal struct Entry
    {
        public ulong Slot;
        public long Previous; // position of the address's previous (older) entry, −1 for none
        public ulong Fingerprint;
        public int Index;
        public int Offset;
    }

    private readonly List<Entry[]?> _chunks = []; // null: spilled
    private readonly List<ulong> _chunkMaxSlot = [];
    private readonly Dictionary<Pubkey, long> _newest = [];
    private readonly AddressIndexSpill? _spill;
    private long _firstChunk; // the chunk number of _chunks[0]
    private int _firstResident; // index in _chunks of the oldest chunk still in memory
    private long _next; // the position the next entry takes
    private Entry[]? _spare; // a spilled chunk's array, reused for the next chunk

    /// <param name="spillFolder">Where chunks past the resident ones go (emptied now: the index is rebuilt on open); null keeps everything in memory.</param>
    /// <param name="residentChunks">Chunks kept in memory (the newest), at least 1.</param>
    public AddressSignatureIndex(string? spillFolder = null, int residentChunks = DefaultResidentChunks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(residentChunks, 1);
        ResidentChunks = residentChunks;
        if (spillFolder is not null) _spill = new AddressIndexSpill(spillFolder);
    }

    /// <summary>Chunks kept in memory (the newest).</summary>
    public int ResidentChunks { get; }

    /// <summary>Chunks in memory now.</summary>
    public int ChunksInMemory => _chunks.Count - _firstResident;

    /// <summary>Addresses with at least one entry.</summary>
    public int AddressCount => _newest.Count;

    /// <summary>Entries held (including those of purged slots left in a partly purged chunk).</summary>
    public long EntryCount => _next - (_firstChunk << ChunkLog2);

    /// <summary>The first 8 bytes of a signature: enough to tell one address's transactions apart (a match by chance is 2^-64 per comparison; grinding one needs 2^64 signatures).</summary>
    public static ulong Fingerprint(ReadOnlySpan<byte> signature) => BinaryPrimitives.ReadUInt64LittleEndian(signature);

    /// <summary>Indexes one (address, transaction). Throws <see cref="StorageException"/> when a chunk cannot be written to its spill file (the device is full or failing).</summary>
    public void Add(in Pubkey address, ulong slot, int index, int offset, ulong fingerprint)
    {
        int within = (int)(_next & (ChunkSize - 1));
        if (within == 0)
        {
            if (_spill is not null && ChunksInMemory >= ResidentChunks) SpillOldest();
            _chunks.Add(_spare ?? new Entry[ChunkSize]);
            _spare = null;
            _chunkMaxSlot.Add(0);
        }
        ref Entry entry = ref _chunks[^1]![within];
        entry.Slot = slot;
        entry.Index = index;
        entry.Offset = offset;
        entry.Fingerprint = fingerprint;
        entry.Previous = _newest.TryGetValue(address, out long previous) ? previous : -1;
        if (slot > _chunkMaxSlot[^1]) _chunkMaxSlot[^1] = slot;
        _newest[address] = _next;
        _next++;
    }

    private void SpillOldest()
    {
        Entry[] chunk = _chunks[_firstResident]!;
        _spill!.Write(_firstChunk + _firstResident, MemoryMarshal.AsBytes(chunk.AsSpan()));
        _chunks[_firstResident] = null;
        _firstResident++;
        _spare = chunk;
    }

    /// <summary>Drops the chunks that hold only slots below <paramref name="slot"/> (and their spill files), and the addresses whose newest entry went with them.</summary>
    public void PurgeBefore(ulong slot)
    {
        int drop = 0;
        while (drop < _chunks.Count - 1 && _chunkMaxSlot[drop] < slot) drop++;
        if (drop == _chunks.Count - 1 && _chunks.Count > 0 && _chunkMaxSlot[drop] < slot && (_next & (ChunkSize - 1)) == 0) drop++;
        if (drop == 0) return;
        _chunks.RemoveRange(0, drop);
        _chunkMaxSlot.RemoveRange(0, drop);
        _firstResident = Math.Max(0, _firstResident - drop);
        _firstChunk += drop;
        _spill?.DropBefore(_firstChunk);
        long first = _firstChunk << ChunkLog2;
        List<Pubkey> gone = [];
        foreach ((Pubkey address, long newest) in _newest)
        {
            if (newest < first) gone.Add(address);
        }
        foreach (Pubkey address in gone) _newest.Remove(address);
    }

    /// <summary>Where a walk over one address's entries stands (start with <c>default</c>).</summary>
    public struct Cursor
    {
        internal long Position; // the next entry to read, −1 for none
        internal WalkPhase Phase;
    }

    internal enum WalkPhase : byte { NotStarted, SeekingBefore, Collecting, Done }

    /// <summary>
    /// The transactions naming <paramref name="address"/>, newest first: those in slots from
    /// <paramref name="lowestSlot"/> to <paramref name="highestSlot"/>, after the one whose fingerprint is
    /// <paramref name="before"/> (when given and found; otherwise from the newest) and before the one
    /// whose fingerprint is <paramref name="until"/>, at most <paramref name="limit"/>, appended to
    /// <paramref name="results"/>. Reads at most <paramref name="maxSteps"/> entries per call and returns
    /// false while the walk is unfinished: the caller may release its lock and call again with the same
    /// cursor (entries only append above it or purge below it, so the walk stays exact), so a long
    /// walk over spilled entries never holds the lock the ledger writer needs for long.
    /// </summary>
    public bool Collect(in Pubkey address, ulong lowestSlot, ulong highestSlot, ulong? before, ulong? until, int limit, List<AddressTransaction> results,
                        ref Cursor cursor, int maxSteps = int.MaxValue)
    {
        if (cursor.Phase == WalkPhase.NotStarted)
        {
            cursor.Position = Newest(address);
            cursor.Phase = before is null ? WalkPhase.Collecting : WalkPhase.SeekingBefore;
        }
        int steps = 0;
        while (cursor.Phase != WalkPhase.Done && steps < maxSteps)
        {
            if (cursor.Position < 0 || !TryGet(cursor.Position, out Entry entry))
            {
                // The end of the address's entries (or purged past): `before` was not found, so answer from the newest.
                if (cursor.Phase == WalkPhase.SeekingBefore)
                {
                    cursor.Phase = WalkPhase.Collecting;
                    cursor.Position = Newest(address);
                    continue;
                }
                cursor.Phase = WalkPhase.Done;
                break;
            }
            steps++;
            if (cursor.Phase == WalkPhase.SeekingBefore)
            {
                if (entry.Fingerprint == before && entry.Slot >= lowestSlot) cursor.Phase = WalkPhase.Collecting;
                cursor.Position = entry.Previous;
                continue;
            }
            if (results.Count >= limit || (until is ulong u && entry.Fingerprint == u))
            {
                cursor.Phase = WalkPhase.Done;
                break;
            }
            // Entries below the ledger's lowest slot are skipped, not a stop: a slot appended late may sit above newer ones.
            if (entry.Slot >= lowestSlot && entry.Slot <= highestSlot) results.Add(new AddressTransaction(entry.Slot, entry.Index, entry.Offset));
            cursor.Position = entry.Previous;
        }
        if (cursor.Phase == WalkPhase.Collecting && results.Count >= limit) cursor.Phase = WalkPhase.Done;
        return cursor.Phase == WalkPhase.Done;
    }

    private long Newest(in Pubkey address) => _newest.TryGetValue(address, out long newest) ? newest : -1;

    private bool TryGet(long position, out Entry entry)
    {
        entry = default;
        long chunk = position >> ChunkLog2;
        if (chunk < _firstChunk || position >= _next) return false;
        int at = (int)(chunk - _firstChunk);
        int within = (int)(position & (ChunkSize - 1));
        if (_chunks[at] is Entry[] resident)
        {
            entry = resident[within];
            return true;
        }
        _spill!.Read(chunk, within, MemoryMarshal.AsBytes(new Span<Entry>(ref entry)));
        return true;
    }

    public void Dispose() => _spill?.Dispose();
}
