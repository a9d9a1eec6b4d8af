using System.Buffers.Binary;
using Fast.Core.Primitives;

namespace Fast.Storage.Accounts;

/// <summary>
/// The owner index of the rooted store: for every program (owner other than the system program), the
/// keys of the accounts it owns, sorted by pubkey, so "the accounts of program P" is read from a few
/// records instead of a scan of the store (stake epoch processing, getProgramAccounts). The index lives
/// in the same FASTER store as the accounts, as two kinds of records beside them:
/// <code>
/// directory  key 0xFD ‖ owner(32)              value: u8 version=1 ‖ u32 chunk_count ‖ u32 next_chunk_id ‖
///                                                      chunk_count × (first_key(32) ‖ u32 chunk_id ‖ u16 key_count) ‖ checksum(8)
/// chunk      key 0xFC ‖ owner(32) ‖ u32 id     value: u8 version=1 ‖ u16 key_count ‖ key_count × key(32) ‖ checksum(8)
/// marker     key 0xFB ‖ 32 zero bytes          value: u8 version=1 (this store maintains the index)
/// </code>
/// (checksum = the first 8 bytes of SHA-256 of the bytes before it). Chunks hold at most
/// <see cref="MaxChunkKeys"/> keys, are split in two when they overflow and dropped when empty; the
/// directory lists them in key order. Because the index records are written by the owner session in the
/// same root as the accounts they describe, every checkpoint holds an index that matches its accounts
/// exactly (FASTER's CPR, see AccountsDb.Checkpoints.cs): kill -9 recovers both together. A directory or
/// chunk that is missing, fails its checksum or is out of order is a <see cref="LedgerDamagedException"/>,
/// never an empty answer. A store from before the index (recovered without the marker) is indexed once,
/// by a scan, when it opens.
/// <para>
/// Maintenance: <see cref="Write"/> queues (owner, key, add/remove) — an add for an account written with
/// lamports and a non-system owner, a remove (owner read from the old record) for a deletion — and
/// <see cref="FlushOwnerIndex"/> applies the queue sorted by (owner, key), last change per key wins. The
/// bank layer calls it after each slot's accounts, <see cref="WriteRoot"/> and <see cref="Checkpoint"/>
/// call it too. Programs never move an account with lamports from one owner to another (the system
/// program assigns only its own accounts), so an add and a delete are the only transitions; readers still
/// check the owner of each account they read (<c>Bank.GetProgramAccounts</c>).
/// </para>
/// <para>Threads: changes are queued and applied on the owner thread; <see cref="ReadOwnedKeys"/> from any
/// thread. A reader-writer lock keeps a reader from seeing a directory and chunks of different roots.</para>
/// </summary>
public sealed partial class AccountsDb
{
    /// <summary>Keys per index chunk (4 KiB of keys): a chunk is one record, rewritten when one of its keys changes.</summary>
    public const int MaxChunkKeys = 128;

    private const byte DirectoryTag = 0xFD;
    private const byte ChunkTag = 0xFC;
    private const byte MarkerTag = 0xFB;
    private const byte IndexVersion = 1;
    private const int ChecksumSize = 8;
    private const int DirectoryHeaderSize = 1 + 4 + 4;
    private const int DirectoryEntrySize = Pubkey.Size + 4 + 2;
    private const int ChunkHeaderSize = 1 + 2;

    private readonly List<OwnerIndexChange> _pendingIndexChanges = [];
    private readonly ReaderWriterLockSlim _indexLock = new(LockRecursionPolicy.NoRecursion);
    private bool _indexMarked;
    private int _indexChangeSequence;

    /// <summary>Owner-index records (directories and chunks) written since open: a cost figure for tests and metrics.</summary>
    public long OwnerIndexRecordsWritten { get; private set; }

    /// <summary>
    /// Appends to <paramref name="keys"/> the keys of the rooted accounts owned by <paramref name="owner"/>,
    /// in ascending pubkey order (the same on every node), as of the last <see cref="FlushOwnerIndex"/>.
    /// The system program's accounts are not indexed: asking for them is an argument error. Any thread;
    /// allocates the records it reads. Throws <see cref="LedgerDamagedException"/> for a damaged index.
    /// </summary>
    public void ReadOwnedKeys(in Pubkey owner, List<Pubkey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ThrowIfDisposed();
        if (owner.IsZero) ThrowHelper.ThrowArgument(nameof(owner), "the system program's accounts are not indexed by owner");
        _indexLock.EnterReadLock();
        try
        {
            ReadDirectoryLocked(owner, out List<ChunkRef> chunks, out _);
            Span<byte> chunkKey = stackalloc byte[1 + Pubkey.Size + 4];
            Pubkey previous = default;
            bool first = true;
            foreach (ChunkRef chunk in chunks)
            {
                ChunkKey(owner, chunk.Id, chunkKey);
                byte[] value = ReadRawRecord(chunkKey) ?? throw Damaged(owner, $"chunk {chunk.Id} listed by the directory is missing");
                ReadOnlySpan<byte> body = CheckRecord(owner, value, $"chunk {chunk.Id}");
                int count = BinaryPrimitives.ReadUInt16LittleEndian(body[1..]);
                if (count != chunk.Count || body.Length != ChunkHeaderSize + count * Pubkey.Size)
                {
                    throw Damaged(owner, $"chunk {chunk.Id} holds {count} keys in {body.Length} bytes; the directory says {chunk.Count}");
                }
                for (int i = 0; i < count; i++)
                {
                    Pubkey key = new(body.Slice(ChunkHeaderSize + i * Pubkey.Size, Pubkey.Size));
                    if (!first && key <= previous) throw Damaged(owner, $"chunk {chunk.Id} is out of key order");
                    if (i == 0 && key != chunk.First) throw Damaged(owner, $"chunk {chunk.Id} does not start at the key the directory names");
                    keys.Add(key);
                    previous = key;
                    first = false;
                }
            }
        }
        finally
        {
            _indexLock.ExitReadLock();
        }
    }

    /// <summary>
    /// Applies the queued owner-index changes (from <see cref="Write"/>) to the index records. Owner
    /// thread; call after the accounts of a slot are written, before a reader may rely on them being in
    /// the rooted store. A no-op when nothing is queued.
    /// </summary>
    public void FlushOwnerIndex()
    {
        ThrowIfDisposed();
        if (!_indexMarked) WriteIndexMarker();
        if (_pendingIndexChanges.Count == 0) return;
        _pendingIndexChanges.Sort(static (a, b) =>
        {
            int c = a.Owner.CompareTo(b.Owner);
            if (c != 0) return c;
            c = a.Key.CompareTo(b.Key);
            return c != 0 ? c : a.Sequence.CompareTo(b.Sequence);
        });
        _indexLock.EnterWriteLock();
        try
        {
            int start = 0;
            while (start < _pendingIndexChanges.Count)
            {
                int end = start + 1;
                while (end < _pendingIndexChanges.Count && _pendingIndexChanges[end].Owner == _pendingIndexChanges[start].Owner) end++;
                ApplyOwnerChanges(start, end);
                start = end;
            }
        }
        finally
        {
            _indexLock.ExitWriteLock();
            _pendingIndexChanges.Clear();
            _indexChangeSequence = 0;
        }
    }

    /// <summary>
    /// Queues the index change a write of an account implies (called by <see cref="Write"/>, before the
    /// write). A write that keeps a stored account's owner implies none: every stored account with a
    /// non-system owner is in that owner's index already (an add queued with the record that made it,
    /// applied in the same root), so the common rewrite — a token account's new balance — costs one
    /// header read here instead of a read and rewrite of its index chunk at <see cref="FlushOwnerIndex"/>.
    /// </summary>
    private void QueueIndexChange(in Pubkey key, ulong lamports, in Pubkey owner)
    {
        if (lamports > 0)
        {
            if (owner.IsZero) return;
            AccountReadOutput stored = new() { HeaderOnly = true };
            if (ReadRecord(key.Span, ref stored) && stored.Valid && stored.Owner == owner) return; // indexed already
            _pendingIndexChanges.Add(new OwnerIndexChange(owner, key, Add: true, _indexChangeSequence++));
            return;
        }
        // A deletion: the record about to be deleted names the owner whose index holds the key.
        AccountReadOutput output = new() { HeaderOnly = true };
        if (ReadRecord(key.Span, ref output) && output.Valid && !output.Owner.IsZero)
        {
            _pendingIndexChanges.Add(new OwnerIndexChange(output.Owner, key, Add: false, _indexChangeSequence++));
        }
    }

    /// <summary>Applies changes [start, end) of one owner (sorted by key, then sequence): the last change per key wins.</summary>
    private void ApplyOwnerChanges(int start, int end)
    {
        Pubkey owner = _pendingIndexChanges[start].Owner;
        ReadDirectoryLocked(owner, out List<ChunkRef> chunks, out uint nextId);
        Dictionary<uint, List<Pubkey>> loaded = [];
        HashSet<uint> removed = [];
        for (int i = start; i < end; i++)
        {
            OwnerIndexChange change = _pendingIndexChanges[i];
            if (i + 1 < end && _pendingIndexChanges[i + 1].Key == change.Key) continue; // a later change of the same key decides
            if (chunks.Count == 0)
            {
                if (!change.Add) continue;
                uint id = nextId++;
                loaded[id] = [change.Key];
                chunks.Add(new ChunkRef(change.Key, id, 1));
                continue;
            }
            int c = FindChunk(chunks, change.Key);
            ChunkRef chunk = chunks[c];
            if (!loaded.TryGetValue(chunk.Id, out List<Pubkey>? keys))
            {
                keys = ReadChunkLocked(owner, chunk);
                loaded[chunk.Id] = keys;
            }
            int at = keys.BinarySearch(change.Key);
            if (change.Add == at >= 0) continue; // already as wanted
            if (change.Add) keys.Insert(~at, change.Key);
            else keys.RemoveAt(at);
            if (keys.Count == 0)
            {
                chunks.RemoveAt(c);
                loaded.Remove(chunk.Id);
                removed.Add(chunk.Id);
                continue;
            }
            chunks[c] = new ChunkRef(keys[0], chunk.Id, keys.Count);
            if (keys.Count > MaxChunkKeys)
            {
                uint id = nextId++;
                int half = keys.Count / 2;
                List<Pubkey> upper = keys.GetRange(half, keys.Count - half);
                keys.RemoveRange(half, keys.Count - half);
                loaded[id] = upper;
                chunks[c] = new ChunkRef(keys[0], chunk.Id, keys.Count);
                chunks.Insert(c + 1, new ChunkRef(upper[0], id, upper.Count));
            }
        }
        Span<byte> chunkKey = stackalloc byte[1 + Pubkey.Size + 4];
        foreach (uint id in removed)
        {
            ChunkKey(owner, id, chunkKey);
            DeleteRawRecord(chunkKey);
        }
        foreach ((uint id, List<Pubkey> keys) in loaded)
        {
            ChunkKey(owner, id, chunkKey);
            byte[] value = new byte[ChunkHeaderSize + keys.Count * Pubkey.Size + ChecksumSize];
            value[0] = IndexVersion;
            BinaryPrimitives.WriteUInt16LittleEndian(value.AsSpan(1), (ushort)keys.Count);
            for (int k = 0; k < keys.Count; k++) keys[k].CopyTo(value.AsSpan(ChunkHeaderSize + k * Pubkey.Size, Pubkey.Size));
            SealRecord(value);
            UpsertRawRecord(chunkKey, value);
        }
        WriteDirectoryLocked(owner, chunks, nextId);
    }

    /// <summary>The chunk a key belongs in: the last whose first key is ≤ it (the first chunk for a key below all).</summary>
    private static int FindChunk(List<ChunkRef> chunks, in Pubkey key)
    {
        int lo = 0, hi = chunks.Count - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (chunks[mid].First <= key) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    private void ReadDirectoryLocked(in Pubkey owner, out List<ChunkRef> chunks, out uint nextId)
    {
        Span<byte> directoryKey = stackalloc byte[1 + Pubkey.Size];
        DirectoryKey(owner, directoryKey);
        chunks = [];
        nextId = 0;
        byte[]? value = ReadRawRecord(directoryKey);
        if (value is null) return;
        ReadOnlySpan<byte> body = CheckRecord(owner, value, "directory");
        if (body.Length < DirectoryHeaderSize) throw Damaged(owner, $"the directory is {body.Length} bytes long");
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(body[1..]);
        nextId = BinaryPrimitives.ReadUInt32LittleEndian(body[5..]);
        if ((ulong)body.Length != DirectoryHeaderSize + (ulong)count * DirectoryEntrySize)
        {
            throw Damaged(owner, $"the directory lists {count} chunks in {body.Length} bytes");
        }
        for (int i = 0; i < (int)count; i++)
        {
            ReadOnlySpan<byte> entry = body.Slice(DirectoryHeaderSize + i * DirectoryEntrySize, DirectoryEntrySize);
            ChunkRef chunk = new(new Pubkey(entry[..Pubkey.Size]), BinaryPrimitives.ReadUInt32LittleEndian(entry[Pubkey.Size..]), BinaryPrimitives.ReadUInt16LittleEndian(entry[(Pubkey.Size + 4)..]));
            if (chunk.Count == 0 || chunk.Id >= nextId || (i > 0 && chunk.First <= chunks[^1].First))
            {
                throw Damaged(owner, $"directory entry {i} (chunk {chunk.Id}, {chunk.Count} keys) is out of order or range");
            }
            chunks.Add(chunk);
        }
    }

    private List<Pubkey> ReadChunkLocked(in Pubkey owner, ChunkRef chunk)
    {
        Span<byte> chunkKey = stackalloc byte[1 + Pubkey.Size + 4];
        ChunkKey(owner, chunk.Id, chunkKey);
        byte[] value = ReadRawRecord(chunkKey) ?? throw Damaged(owner, $"chunk {chunk.Id} listed by the directory is missing");
        ReadOnlySpan<byte> body = CheckRecord(owner, value, $"chunk {chunk.Id}");
        int count = body.Length >= ChunkHeaderSize ? BinaryPrimitives.ReadUInt16LittleEndian(body[1..]) : -1;
        if (count != chunk.Count || body.Length != ChunkHeaderSize + count * Pubkey.Size)
        {
            throw Damaged(owner, $"chunk {chunk.Id} holds {count} keys in {body.Length} bytes; the directory says {chunk.Count}");
        }
        List<Pubkey> keys = new(count + 1);
        for (int i = 0; i < count; i++) keys.Add(new Pubkey(body.Slice(ChunkHeaderSize + i * Pubkey.Size, Pubkey.Size)));
        return keys;
    }

    private void WriteDirectoryLocked(in Pubkey owner, List<ChunkRef> chunks, uint nextId)
    {
        Span<byte> directoryKey = stackalloc byte[1 + Pubkey.Size];
        DirectoryKey(owner, directoryKey);
        if (chunks.Count == 0)
        {
            DeleteRawRecord(directoryKey);
            return;
        }
        int size = DirectoryHeaderSize + chunks.Count * DirectoryEntrySize + ChecksumSize;
        if (size > MaxDataLength) ThrowHelper.ThrowStorage($"the owner index of {owner} needs a {size}-byte directory, past this store's {MaxDataLength}-byte records");
        byte[] value = new byte[size];
        value[0] = IndexVersion;
        BinaryPrimitives.WriteUInt32LittleEndian(value.AsSpan(1), (uint)chunks.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(value.AsSpan(5), nextId);
        for (int i = 0; i < chunks.Count; i++)
        {
            Span<byte> entry = value.AsSpan(DirectoryHeaderSize + i * DirectoryEntrySize, DirectoryEntrySize);
            chunks[i].First.CopyTo(entry[..Pubkey.Size]);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[Pubkey.Size..], chunks[i].Id);
            BinaryPrimitives.WriteUInt16LittleEndian(entry[(Pubkey.Size + 4)..], (ushort)chunks[i].Count);
        }
        SealRecord(value);
        UpsertRawRecord(directoryKey, value);
    }

    /// <summary>On open: a recovered store without the marker predates the index; index it once by a scan (then the marker is written with the next root).</summary>
    private void IndexIfUnindexed()
    {
        Span<byte> markerKey = stackalloc byte[1 + Pubkey.Size];
        markerKey.Clear();
        markerKey[0] = MarkerTag;
        byte[]? marker = ReadRawRecord(markerKey);
        if (marker is not null)
        {
            if (marker.Length != 1 || marker[0] != IndexVersion) throw new LedgerDamagedException(Options.Directory, $"the owner index marker is {marker.Length} bytes, version {(marker.Length > 0 ? marker[0] : 0)}");
            _indexMarked = true;
            return;
        }
        if (Recovered is null) return; // a new store: nothing to index yet
        foreach ((Pubkey key, Account account) in ReadAll())
        {
            if (!account.Owner.IsZero) _pendingIndexChanges.Add(new OwnerIndexChange(account.Owner, key, Add: true, _indexChangeSequence++));
        }
        FlushOwnerIndex();
    }

    private void WriteIndexMarker()
    {
        Span<byte> markerKey = stackalloc byte[1 + Pubkey.Size];
        markerKey.Clear();
        markerKey[0] = MarkerTag;
        UpsertRawRecord(markerKey, [IndexVersion]);
        _indexMarked = true;
    }

    /// <summary>One queued change: add or remove <see cref="Key"/> in <see cref="Owner"/>'s index; <see cref="Sequence"/> orders changes of one key.</summary>
    private readonly record struct OwnerIndexChange(Pubkey Owner, Pubkey Key, bool Add, int Sequence);

    /// <summary>A directory entry: the chunk's first key, its id and how many keys it holds.</summary>
    private readonly record struct ChunkRef(Pubkey First, uint Id, int Count);
}
