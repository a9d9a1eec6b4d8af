using System.Buffers;
using FASTER.core;
using Fast.Core.Primitives;

using AccountSession = FASTER.core.ClientSession<FASTER.core.SpanByte, FASTER.core.SpanByte, FASTER.core.SpanByte,
    Fast.Storage.Accounts.AccountReadOutput, long, Fast.Storage.Accounts.AccountStoreFunctions>;

namespace Fast.Storage.Accounts;

/// <summary>
/// The rooted accounts: every account as of the last rooted slot, in a Microsoft FASTER KV store
/// (key = pubkey, value = <see cref="AccountRecord"/>), with FASTER checkpoints for crash recovery.
/// Unrooted slots never write here — their changes live in per-slot <see cref="AccountOverlay"/>s
/// until the bank layer roots them and flushes them with <see cref="Write"/> + <see cref="WriteRoot"/>.
/// Each checkpoint carries the root record written just before it, so <see cref="Recovered"/> says
/// which slot the recovered accounts belong to. Checkpoints are written in the background
/// (AccountsDb.Checkpoints.cs): the owner thread only starts one.
/// <para>Threads: reads from any thread (one FASTER session per thread); writes and checkpoint
/// starts from one owner thread at a time (the thread that roots banks); a thread-pool task
/// finishes each checkpoint.</para>
/// </summary>
public sealed unsafe partial class AccountsDb : IDisposable
{
    /// <summary>The root record's key: 33 bytes, so it can never equal a 32-byte account key.</summary>
    private static readonly byte[] RootKey = [.. Enumerable.Repeat((byte)0xFF, Pubkey.Size), 0x01];

    private readonly FasterKVSettings<SpanByte, SpanByte> _settings;
    private readonly IDevice _logDevice;
    private readonly AccountsCheckpointFiles _checkpointFiles;
    private readonly PreadLogDevice? _preadLog; // _logDevice where reads are preads (not Windows)
    private readonly FasterKV<SpanByte, SpanByte> _store;
    private readonly AccountStoreFunctions _functions = new();
    private readonly ThreadLocal<AccountSession> _sessions;
    private bool _disposed;

    private AccountsDb(AccountsDbOptions options)
    {
        Options = options;
        System.IO.Directory.CreateDirectory(options.Directory);
        // The hybrid log's device: FASTER's own names its files directory/hlog.log.N, and so does ours
        // (PreadLogDevice.cs: reads on the calling thread, writes through FASTER's device).
        string logFile = Path.Combine(options.Directory, "hlog.log");
        _logDevice = OperatingSystem.IsWindows() || !options.PreadLogReads ? Devices.CreateLogDevice(logFile) : _preadLog = new PreadLogDevice(logFile);
        _settings = new FasterKVSettings<SpanByte, SpanByte>
        {
            LogDevice = _logDevice,
            // FASTER's checkpoint files, except that a failed write is never a durable checkpoint (AccountsCheckpointFiles.cs).
            CheckpointManager = _checkpointFiles = new AccountsCheckpointFiles(Path.Combine(options.Directory, "checkpoints")),
            IndexSize = options.IndexBytes,
            PageSize = options.PageBytes,
            MemorySize = Math.Max(options.MemoryBytes, options.PageBytes * 2),
            SegmentSize = Math.Max(options.SegmentBytes, options.PageBytes),
            // Recovery is ours (AccountsDb.Recovery.cs): FASTER's swallows damage and starts empty, and its
            // removal of outdated checkpoints on recovery would change the disk before we know it is intact.
            TryRecoverLatest = false,
            RemoveOutdatedCheckpoints = false,
        };
        try
        {
            (Guid Index, Guid Log)? checkpoint = FindCheckpoint();
            try
            {
                _store = new FasterKV<SpanByte, SpanByte>(_settings);
            }
            catch (Exception e) when (e is FasterException or IOException)
            {
                throw new StorageException($"cannot open the accounts store in {options.Directory}: {e.Message}", e);
            }
            _sessions = new ThreadLocal<AccountSession>(() => _store.For(_functions).NewSession<AccountStoreFunctions>(), trackAllValues: true);
            try
            {
                if (checkpoint is (Guid index, Guid log)) RecoverCheckpoint(index, log);
                Recovered = ReadRoot(checkpointRecovered: checkpoint is not null);
                IndexIfUnindexed();
                ThrowIfLogReadFailed(); // recovery and the owner index read the log through the device
            }
            catch
            {
                foreach (AccountSession session in _sessions.Values) session.Dispose();
                _sessions.Dispose();
                _store.Dispose();
                UndoRecoveryFiles();
                throw;
            }
        }
        catch
        {
            _settings.Dispose();
            _logDevice.Dispose();
            _checkpointFiles.Dispose();
            throw;
        }
    }

    public AccountsDbOptions Options { get; }

    /// <summary>The root the store recovered to on open (its last checkpoint), or null for a new store.</summary>
    public RecoveredRoot? Recovered { get; }

    /// <summary>The slot of the last root written with <see cref="WriteRoot"/> (or recovered).</summary>
    public ulong? RootSlot { get; private set; }

    /// <summary>The largest account data this store can hold (its page size bounds a record).</summary>
    public int MaxDataLength => Options.MaxDataLength;

    /// <summary>Opens (or creates) the store in <see cref="AccountsDbOptions.Directory"/>, recovering its latest checkpoint.</summary>
    public static AccountsDb Open(AccountsDbOptions options) => new(options);

    /// <summary>The account stored under <paramref name="key"/>, or <see cref="Account.Empty"/> (any thread).</summary>
    public Account Read(in Pubkey key) =>
        TryRead(key, out ulong lamports, out Pubkey owner, out bool executable, out byte[] data) ? new Account(lamports, owner, executable, data) : Account.Empty;

    /// <summary>
    /// Reads an account; false when it is not stored (it does not exist). Allocates only an account's
    /// data array, when it has data. Any thread.
    /// </summary>
    public bool TryRead(in Pubkey key, out ulong lamports, out Pubkey owner, out bool executable, out byte[] data) =>
        TryRead(key, dataPool: null, out lamports, out owner, out executable, out data);

    /// <summary>
    /// <see cref="TryRead(in Pubkey, out ulong, out Pubkey, out bool, out byte[])"/> with the data in an
    /// array rented from <paramref name="dataPool"/> (when given): the caller owns it (and may give it
    /// back). Allocates nothing once the pool holds arrays of the length. Any thread.
    /// </summary>
    public bool TryRead(in Pubkey key, AccountDataPool? dataPool, out ulong lamports, out Pubkey owner, out bool executable, out byte[] data)
    {
        ReadOnlySpan<byte> keyBytes = key.Span;
        AccountReadOutput output = new() { Pool = dataPool };
        bool found = ReadRecord(keyBytes, ref output);
        if (!found || !output.Valid)
        {
            if (found) ThrowHelper.ThrowStorage($"the stored record of account {key} is corrupt");
            lamports = 0;
            owner = default;
            executable = false;
            data = [];
            return false;
        }
        lamports = output.Lamports;
        owner = output.Owner;
        executable = output.Executable;
        data = output.Data ?? [];
        return true;
    }

    private static Account ToAccount(in Pubkey key, in AccountReadOutput output)
    {
        if (!output.Valid) ThrowHelper.ThrowStorage($"the stored record of account {key} is corrupt");
        return new Account(output.Lamports, output.Owner, output.Executable, output.Data);
    }

    /// <summary>
    /// Stores an account as of the root being flushed; zero lamports deletes it (an account with no
    /// lamports does not exist). Queues the owner-index change it implies (applied by
    /// <see cref="FlushOwnerIndex"/>; AccountsDb.OwnerIndex.cs). Owner thread.
    /// </summary>
    public void Write(in Pubkey key, ulong lamports, in Pubkey owner, bool executable, ReadOnlySpan<byte> data)
    {
        ThrowIfDisposed();
        if (data.Length > MaxDataLength) ThrowHelper.ThrowArgument(nameof(data), $"account data of {data.Length} bytes does not fit this store's {Options.PageBytes}-byte pages");
        QueueIndexChange(key, lamports, owner);
        AccountSession session = _sessions.Value!;
        ReadOnlySpan<byte> keyBytes = key.Span;
        fixed (byte* k = keyBytes)
        {
            var keySpan = SpanByte.FromPointer(k, Pubkey.Size);
            if (lamports == 0)
            {
                Status deleted = session.Delete(ref keySpan);
                if (deleted.IsPending) session.CompletePending(wait: true);
                return;
            }
            int size = AccountRecord.SizeOf(data.Length);
            byte[]? rented = size > 512 ? ArrayPool<byte>.Shared.Rent(size) : null;
            Span<byte> value = rented is null ? stackalloc byte[512] : rented;
            AccountRecord.WriteHeader(value, lamports, owner, executable);
            data.CopyTo(value[AccountRecord.HeaderSize..]);
            fixed (byte* v = value)
            {
                var valueSpan = SpanByte.FromPointer(v, size);
                Status status = session.Upsert(ref keySpan, ref valueSpan);
                if (status.IsPending) session.CompletePending(wait: true);
            }
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Records that the accounts now stored are those of rooted slot <paramref name="slot"/>, with the
    /// bank layer's <paramref name="state"/> (bank hash, recent blockhashes, ...). The next checkpoint
    /// carries it. Owner thread.
    /// </summary>
    public void WriteRoot(ulong slot, ReadOnlySpan<byte> state)
    {
        ThrowIfDisposed();
        FlushOwnerIndex();
        int size = 8 + state.Length + RootTrailerSize;
        byte[] value = ArrayPool<byte>.Shared.Rent(size);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(value, slot);
        state.CopyTo(value.AsSpan(8));
        WriteRootTrailer(value.AsSpan(0, size));
        AccountSession session = _sessions.Value!;
        fixed (byte* k = RootKey)
        fixed (byte* v = value)
        {
            var keySpan = SpanByte.FromPointer(k, RootKey.Length);
            var valueSpan = SpanByte.FromPointer(v, size);
            Status status = session.Upsert(ref keySpan, ref valueSpan);
            if (status.IsPending) session.CompletePending(wait: true);
        }
        ArrayPool<byte>.Shared.Return(value);
        RootSlot = slot;
    }

    /// <summary>
    /// Every stored account (cold: a full scan of the log, allocating; for audits and tests). Scans
    /// every record version in address order and keeps the last per key — FASTER 2.6.5's "live"
    /// iterator returns stale records with mangled SpanByte keys once the log has been folded over.
    /// </summary>
    public Dictionary<Pubkey, Account> ReadAll()
    {
        ThrowIfDisposed();
        Dictionary<Pubkey, Account> accounts = [];
        using IFasterScanIterator<SpanByte, SpanByte> iterator = _store.Log.Scan(_store.Log.BeginAddress, _store.Log.TailAddress);
        while (iterator.GetNext(out RecordInfo info))
        {
            ThrowIfLogReadFailed();
            ReadOnlySpan<byte> key = iterator.GetKey().AsReadOnlySpan();
            if (key.Length != Pubkey.Size) continue; // the root record
            Pubkey pubkey = new(key);
            if (info.Tombstone)
            {
                accounts.Remove(pubkey);
                continue;
            }
            ReadOnlySpan<byte> value = iterator.GetValue().AsReadOnlySpan();
            if (!AccountRecord.TryReadHeader(value, out ulong lamports, out Pubkey owner, out bool executable))
            {
                ThrowHelper.ThrowStorage("a stored account record is corrupt");
            }
            accounts[pubkey] = new Account(lamports, owner, executable, value[AccountRecord.HeaderSize..].ToArray());
        }
        return accounts;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        // FASTER cannot be disposed under a running checkpoint; a failure no longer matters. One that never
        // completes (its flush failed) is left behind with the store: the process is stopping anyway.
        if (_stuck || (_inFlight is CheckpointRun run && !run.IsCompleted && !run.Wait(Options.CheckpointTimeout - run.Elapsed))) return;
        foreach (AccountSession session in _sessions.Values) session.Dispose();
        _sessions.Dispose();
        _store.Dispose();
        _settings.Dispose();
        _logDevice.Dispose();
        _checkpointFiles.Dispose();
        _indexLock.Dispose();
    }

    private bool ReadRecord(ReadOnlySpan<byte> key, ref AccountReadOutput output)
    {
        ThrowIfDisposed();
        AccountSession session = _sessions.Value!;
        fixed (byte* k = key)
        {
            var keySpan = SpanByte.FromPointer(k, key.Length);
            SpanByte input = default;
            Status status = session.Read(ref keySpan, ref input, ref output);
            if (status.IsPending)
            {
                Interlocked.Increment(ref _blockingDiskReads);
                bool found = CompletePendingRead(session, ref output);
                ThrowIfLogReadFailed();
                return found;
            }
            return status.Found;
        }
    }

    /// <summary>The record was on disk: wait for the I/O and take the output FASTER kept for it (cold path).</summary>
    private static bool CompletePendingRead(AccountSession session, ref AccountReadOutput output)
    {
        session.CompletePendingWithOutputs(out CompletedOutputIterator<SpanByte, SpanByte, SpanByte, AccountReadOutput, long> completed, wait: true);
        using (completed)
        {
            while (completed.Next())
            {
                ref CompletedOutput<SpanByte, SpanByte, SpanByte, AccountReadOutput, long> current = ref completed.Current;
                if (!current.Status.Found) return false;
                output = current.Output;
                return true;
            }
        }
        return false;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
