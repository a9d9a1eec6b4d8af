using System.Buffers;
using FASTER.core;

namespace Fast.Storage.Blocks;

/// <summary>
/// The ledger on disk: each slot's entries, appended to a Microsoft FasterLog as they arrive, plus an
/// in-memory index (slot → parent, entry batches, complete?, rooted?) rebuilt from the log on open,
/// and the address index behind getSignaturesForAddress (its older part in scratch files, rebuilt too).
/// Durability follows <see cref="BlockstoreOptions.CommitPolicy"/>: FasterLog recovers to its last
/// commit, so a committed append survives kill -9 and an uncommitted one may be lost whole (never
/// torn: records carry checksums). Replay after a crash reads the slots past the accounts checkpoint
/// from here. Beside its entries, a slot carries its transactions' statuses (error, fee, pre/post
/// balances: <see cref="TransactionStatusCodec"/>), appended by the node when the slot's bank froze.
/// <para>Threads: any; appends and index updates are serialised by one lock (a batch of entries per
/// call, never per transaction). Readers (RPC) hold it only for O(1) lookups; the lowest slot is kept
/// up to date beside the index (<see cref="LowestSlot"/>, read without the lock), so nothing copies or
/// sorts the whole index under the lock the ledger writer needs.</para>
/// </summary>
public sealed partial class Blockstore : IDisposable
{
    private sealed class SlotState(ulong parent)
    {
        public ulong Parent = parent;
        public int EntryCount;
        public long EntryBytes;
        public int TransactionCount; // in the entries so far (the next one's index in the block)
        public long? BlockTime; // Unix seconds, from the block time record
        public byte[]? BlockId; // from the block id record (cluster nodes)
        public bool Complete;
        public bool Rooted;
        public readonly List<(long Address, int Length)> Batches = [];

        // The slot's transaction statuses (BlockRecord statuses records), complete once the last arrived.
        public int StatusCount;
        public long StatusBytes;
        public bool StatusesComplete;
        public List<(long Address, int Length)>? StatusBatches;

        public long FirstAddress => Math.Min(Batches.Count > 0 ? Batches[0].Address : long.MaxValue,
            StatusBatches is { Count: > 0 } s ? s[0].Address : long.MaxValue);
    }

    private readonly object _gate = new();
    private readonly Dictionary<ulong, SlotState> _slots = [];
    private long _lowestSlot = -1; // the smallest key of _slots, −1 when empty; written under _gate
    private long _highestSlot = -1; // the largest slot ever added (purging only removes lower ones); written under _gate
    private readonly FasterLogSettings _settings;
    private readonly FasterLog _log;
    private bool _disposed;

    private Blockstore(BlockstoreOptions options)
    {
        Options = options;
        Directory.CreateDirectory(options.Directory);
        _commitRecords = new BlockstoreCommitRecords(Path.Combine(options.Directory, CommitFolder));
        _settings = new FasterLogSettings(options.Directory, deleteDirOnDispose: false)
        {
            LogCommitManager = _commitRecords, // a failed commit keeps the previous record (FASTER's own deletes it)
            PageSize = options.PageBytes,
            MemorySize = Math.Max(options.MemoryBytes, options.PageBytes * 2),
            SegmentSize = Math.Max(options.SegmentBytes, options.PageBytes),
            LogChecksum = LogChecksumType.PerEntry,
            TryRecoverLatest = true,
            AutoRefreshSafeTailAddress = true,
        };
        try
        {
            InspectCommits(); // before FasterLog opens, read-only
            try
            {
                _log = new FasterLog(_settings);
            }
            catch (Exception e) when (e is FasterException or IOException)
            {
                throw new StorageException($"cannot open the blockstore in {options.Directory}: {e.Message}", e);
            }
            try
            {
                CheckRecovered();
                _addresses = new AddressSignatureIndex(Path.Combine(options.Directory, AddressIndexFolder), options.AddressIndexResidentChunks);
                RebuildIndex();
            }
            catch
            {
                _addresses?.Dispose();
                _log.Dispose();
                throw;
            }
        }
        catch
        {
            _settings.Dispose();
            _commitRecords.Dispose();
            throw;
        }
    }

    public BlockstoreOptions Options { get; }

    /// <summary>Records skipped while rebuilding the index because they did not fit the slots before them.</summary>
    public int SkippedRecords { get; private set; }

    /// <summary>The lowest slot the blockstore holds (where the ledger starts), or null when empty. O(1), lock-free.</summary>
    public ulong? LowestSlot => Volatile.Read(ref _lowestSlot) is long lowest and >= 0 ? (ulong)lowest : null;

    /// <summary>The highest slot the blockstore has received entries of (Solana's max shred insert slot), or null when none. O(1), lock-free.</summary>
    public ulong? HighestSlot => Volatile.Read(ref _highestSlot) is long highest and >= 0 ? (ulong)highest : null;

    /// <summary>The highest slot marked rooted, or null.</summary>
    public ulong? HighestRootedSlot { get; private set; }

    /// <summary>Opens (or creates) the blockstore, recovering the log to its last commit and rebuilding the index.</summary>
    public static Blockstore Open(BlockstoreOptions options) => new(options);

    /// <summary>
    /// Appends <paramref name="entryCount"/> entries of <paramref name="slot"/> (their bytes exactly as
    /// EntryWriter wrote them, concatenated), after the entries the slot already has.
    /// <paramref name="slotComplete"/> says these end the slot. Durable on return when the commit
    /// policy says so (see <see cref="BlockstoreCommitPolicy"/>).
    /// </summary>
    public AppendStatus AppendEntries(ulong slot, ulong parentSlot, int entryCount, ReadOnlySpan<byte> entries, bool slotComplete)
    {
        if (entryCount <= 0 || entries.IsEmpty) return AppendStatus.Empty;
        if (entries.Length > Options.MaxAppendBytes) return AppendStatus.TooLarge;
        if (parentSlot >= slot && slot != 0) return AppendStatus.InvalidParent;
        bool commit;
        lock (_gate)
        {
            ThrowIfDisposed();
            if (_slots.TryGetValue(slot, out SlotState? state))
            {
                if (state.Complete) return AppendStatus.SlotAlreadyComplete;
                if (state.Parent != parentSlot) return AppendStatus.ParentMismatch;
            }
            else
            {
                state = new SlotState(parentSlot);
                _slots.Add(slot, state);
                NoteAdded(slot);
            }
            int length = BlockRecord.EntriesHeaderSize + entries.Length;
            byte[] record = ArrayPool<byte>.Shared.Rent(length);
            BlockRecord.WriteEntriesHeader(record, slot, parentSlot, state.EntryCount, entryCount, slotComplete);
            entries.CopyTo(record.AsSpan(BlockRecord.EntriesHeaderSize));
            long address = _log.Enqueue(new ReadOnlySpan<byte>(record, 0, length));
            ArrayPool<byte>.Shared.Return(record);
            state.Batches.Add((address, length));
            state.TransactionCount += IndexAddresses(slot, state.TransactionCount, state.EntryBytes, entries);
            state.EntryCount += entryCount;
            state.EntryBytes += entries.Length;
            state.Complete = slotComplete;
            commit = Options.CommitPolicy == BlockstoreCommitPolicy.EveryAppend
                || (Options.CommitPolicy == BlockstoreCommitPolicy.SlotComplete && slotComplete);
        }
        if (commit) Commit();
        return AppendStatus.Ok;
    }

    /// <summary>Marks a slot rooted (final); false when the blockstore does not have it.</summary>
    public bool MarkRooted(ulong slot)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            if (!_slots.TryGetValue(slot, out SlotState? state)) return false;
            if (state.Rooted) return true;
            Span<byte> record = stackalloc byte[BlockRecord.RootedSize];
            BlockRecord.WriteRooted(record, slot);
            _log.Enqueue(record);
            state.Rooted = true;
            if (HighestRootedSlot is not ulong highest || slot > highest) HighestRootedSlot = slot;
        }
        if (Options.CommitPolicy != BlockstoreCommitPolicy.Manual) Commit();
        return true;
    }

    public bool TryGetSlotMeta(ulong slot, out SlotMeta meta)
    {
        lock (_gate)
        {
            if (_slots.TryGetValue(slot, out SlotState? state))
            {
                meta = new SlotMeta(slot, state.Parent, state.EntryCount, state.EntryBytes, state.Complete, state.Rooted) { HasStatuses = state.StatusesComplete };
                return true;
            }
        }
        meta = default;
        return false;
    }

    /// <summary>Every slot the blockstore holds, ascending (cold: copies and sorts the index under the lock — for recovery and tests, not for RPC).</summary>
    public ulong[] Slots()
    {
        lock (_gate)
        {
            ulong[] slots = [.. _slots.Keys];
            Array.Sort(slots);
            return slots;
        }
    }

    /// <summary>
    /// All entry bytes of <paramref name="slot"/> in order (what EntryView.TryParsePrefix walks), or
    /// null when the slot is unknown. Allocates the result (cold path: replay and RPC).
    /// </summary>
    public byte[]? ReadSlotEntries(ulong slot)
    {
        (long Address, int Length)[] batches;
        long total;
        lock (_gate)
        {
            ThrowIfDisposed();
            if (!_slots.TryGetValue(slot, out SlotState? state)) return null;
            batches = [.. state.Batches];
            total = state.EntryBytes;
        }
        return ReadPayloads(slot, batches, total, BlockRecord.EntriesHeaderSize);
    }

    private byte[] ReadPayloads(ulong slot, (long Address, int Length)[] batches, long total, int headerSize)
    {
        if (batches.Length > 0 && batches[^1].Address >= _log.CommittedUntilAddress) Commit();
        byte[] result = new byte[total];
        int offset = 0;
        foreach ((long address, int length) in batches)
        {
            (byte[] record, int read) = _log.ReadAsync(address, length).AsTask().GetAwaiter().GetResult();
            if (read != length) ThrowHelper.ThrowStorage($"blockstore record at {address} of slot {slot} has {read} bytes, expected {length}");
            ReadOnlySpan<byte> payload = record.AsSpan(headerSize, length - headerSize);
            payload.CopyTo(result.AsSpan(offset));
            offset += payload.Length;
        }
        return result;
    }

    /// <summary>
    /// Forgets every slot below <paramref name="slot"/> and lets the log drop the files that only held
    /// them (effective at the next commit). Keeps the disk bounded behind the root.
    /// </summary>
    public void PurgeBefore(ulong slot)
    {
        long keepFrom = long.MaxValue;
        lock (_gate)
        {
            ThrowIfDisposed();
            List<ulong> purged = [];
            long lowest = -1;
            foreach ((ulong s, SlotState state) in _slots)
            {
                if (s < slot)
                {
                    purged.Add(s);
                    continue;
                }
                if (lowest < 0 || (long)s < lowest) lowest = (long)s;
                keepFrom = Math.Min(keepFrom, state.FirstAddress);
            }
            foreach (ulong s in purged) _slots.Remove(s);
            _addresses.PurgeBefore(slot);
            Volatile.Write(ref _lowestSlot, lowest);
            if (keepFrom == long.MaxValue) keepFrom = _log.TailAddress;
            _log.TruncateUntil(keepFrom);
        }
        if (Options.CommitPolicy != BlockstoreCommitPolicy.Manual) Commit();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _addresses.Dispose();
        }
        _log.Dispose();
        _settings.Dispose();
        _commitRecords.Dispose();
    }

    private void RebuildIndex()
    {
        List<(long Address, int Length)> inMemory = [];
        // Recovery loads the page holding the committed tail into memory (FASTER 2.6.5 RestoreLatest): its head address.
        long pageBytes = 1L << System.Numerics.BitOperations.Log2((ulong)_settings.PageSize);
        long head = Math.Max(_log.BeginAddress, _log.CommittedUntilAddress & ~(pageBytes - 1));
        long at = _log.BeginAddress;
        try
        {
            using FasterLogScanIterator iterator = _log.Scan(_log.BeginAddress, _log.TailAddress);
            while (iterator.GetNext(out byte[] record, out int length, out long address))
            {
                at = address;
                if (address >= head) inMemory.Add((address, length));
                IndexRecord(record.AsSpan(0, length), address, length);
            }
        }
        catch (FasterException e)
        {
            throw new LedgerDamagedException(LogFilePath(at), $"a record after address {at} is unreadable ({e.Message})", e);
        }
        VerifyInMemoryRecords(inMemory);
        RemoveOrphanStatuses();
    }

    private void IndexRecord(ReadOnlySpan<byte> bytes, long address, int length)
    {
        if (BlockRecord.TryReadEntriesHeader(bytes, out ulong slot, out ulong parent, out int first, out int count, out bool complete))
        {
            if (!_slots.TryGetValue(slot, out SlotState? state))
            {
                state = new SlotState(parent);
                _slots.Add(slot, state);
                NoteAdded(slot);
            }
            if (state.Complete || state.Parent != parent || state.EntryCount != first)
            {
                SkippedRecords++;
                return;
            }
            state.Batches.Add((address, length));
            state.TransactionCount += IndexAddresses(slot, state.TransactionCount, state.EntryBytes, bytes[BlockRecord.EntriesHeaderSize..]);
            state.EntryCount += count;
            state.EntryBytes += length - BlockRecord.EntriesHeaderSize;
            state.Complete = complete;
        }
        else if (BlockRecord.TryReadStatusesHeader(bytes, out ulong statusSlot, out ulong statusParent, out int firstStatus, out int statusCount, out bool last))
        {
            if (!_slots.TryGetValue(statusSlot, out SlotState? state))
            {
                state = new SlotState(statusParent);
                _slots.Add(statusSlot, state);
            }
            if (state.StatusesComplete || state.Parent != statusParent || state.StatusCount != firstStatus
                || TransactionStatusCodec.Count(bytes[BlockRecord.StatusesHeaderSize..]) != statusCount)
            {
                SkippedRecords++;
                return;
            }
            AddStatuses(state, address, length, statusCount, last);
        }
        else if (BlockRecord.TryReadBlockTime(bytes, out ulong timeSlot, out long unixSeconds))
        {
            if (!_slots.TryGetValue(timeSlot, out SlotState? state))
            {
                SkippedRecords++; // its slot's entries or statuses come first
                return;
            }
            state.BlockTime = unixSeconds;
        }
        else if (BlockRecord.TryReadBlockId(bytes, out ulong idSlot, out ReadOnlySpan<byte> blockId))
        {
            if (!_slots.TryGetValue(idSlot, out SlotState? state))
            {
                SkippedRecords++; // its slot's entries come first
                return;
            }
            state.BlockId = blockId.ToArray();
        }
        else if (BlockRecord.TryReadRooted(bytes, out ulong rooted) && _slots.TryGetValue(rooted, out SlotState? rootedState))
        {
            rootedState.Rooted = true;
            if (HighestRootedSlot is not ulong highest || rooted > highest) HighestRootedSlot = rooted;
        }
        else
        {
            SkippedRecords++;
        }
    }

    /// <summary>Statuses whose slot's entries were purged (they may sit just past the truncation point) are not a slot.</summary>
    private void RemoveOrphanStatuses()
    {
        ulong lowest = ulong.MaxValue;
        foreach ((ulong slot, SlotState state) in _slots)
        {
            if (state.Batches.Count > 0) lowest = Math.Min(lowest, slot);
        }
        List<ulong> orphans = [];
        foreach ((ulong slot, SlotState state) in _slots)
        {
            if (state.Batches.Count == 0 && slot < lowest) orphans.Add(slot);
        }
        foreach (ulong slot in orphans) _slots.Remove(slot);
    }

    /// <summary>Keeps <see cref="LowestSlot"/> when a slot joins the index (under the lock).</summary>
    private void NoteAdded(ulong slot)
    {
        long lowest = _lowestSlot;
        if (lowest < 0 || (long)slot < lowest) Volatile.Write(ref _lowestSlot, (long)slot);
        if ((long)slot > _highestSlot) Volatile.Write(ref _highestSlot, (long)slot);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
