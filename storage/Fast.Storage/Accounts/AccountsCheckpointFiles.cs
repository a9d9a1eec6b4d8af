using System.Buffers.Binary;
using FASTER.core;

namespace Fast.Storage.Accounts;

/// <summary>
/// The accounts store's FASTER checkpoint manager: FASTER's own (<see cref="DeviceLogCommitCheckpointManager"/>
/// over <c>checkpoints/</c>, same folders and files) except that a failed write is never a durable
/// checkpoint. FASTER 2.6.5 ignores the error of a checkpoint's metadata write and of its hash table
/// writes (a full disk leaves <c>info.dat.0</c> empty or <c>ht.dat.0</c> short) and reports the
/// checkpoint done; <see cref="AccountsDb"/> then deleted the previous checkpoint, and the restart had
/// no usable one. Here each metadata file is written to a temporary file (FASTER's format: i32 length,
/// the metadata, zeros to a sector), fsync'd and renamed into place with its folders fsync'd; the hash
/// table file is fsync'd first, and every write to it is watched for an error. A failure is recorded in
/// <see cref="Failure"/> instead of thrown (FASTER calls this inside its checkpoint state machine, which
/// an exception would leave half-switched, hanging every session) and nothing is written after it:
/// the failed checkpoint has no metadata file, so recovery ignores it as interrupted, and
/// <see cref="AccountsDb"/> reports the failure instead of deleting the checkpoint before it.
/// <para>Threads: the metadata writes on whichever thread drives FASTER's checkpoint to its persistence
/// phase; the hash table's write completions on FASTER's I/O threads; <see cref="Failure"/> from any.</para>
/// </summary>
internal sealed class AccountsCheckpointFiles : ICheckpointManager
{
    private const int SectorBytes = 512;
    private const string MetadataFile = "info.dat.0";
    private const string HashTableFile = "ht.dat.0";

    private readonly DeviceLogCommitCheckpointManager _faster;
    private string? _failure;

    /// <param name="directory">The checkpoints folder (the store's directory / checkpoints).</param>
    public AccountsCheckpointFiles(string directory)
    {
        Directory = System.IO.Path.GetFullPath(directory);
        _faster = new DeviceLogCommitCheckpointManager(new LocalStorageNamedDeviceFactory(), new DefaultCheckpointNamingScheme(Directory), removeOutdated: false);
    }

    public string Directory { get; }

    /// <summary>What the first failed write was (file and error), or null while every checkpoint file was written.</summary>
    public string? Failure => Volatile.Read(ref _failure);

    public void CommitIndexCheckpoint(Guid indexToken, byte[] commitMetadata)
    {
        string folder = Path.Combine(Directory, "index-checkpoints", indexToken.ToString());
        string table = Path.Combine(folder, HashTableFile);
        if (Failure is not null) return;
        try
        {
            using (FileStream stream = new(table, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 1))
            {
                stream.Flush(flushToDisk: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Fail($"{table}: {e.Message}");
            return;
        }
        WriteMetadata(folder, commitMetadata);
    }

    public void CommitLogCheckpoint(Guid logToken, byte[] commitMetadata)
    {
        if (Failure is not null) return;
        WriteMetadata(Path.Combine(Directory, "cpr-checkpoints", logToken.ToString()), commitMetadata);
    }

    /// <summary>The hash table's device, with every write's completion checked for an error.</summary>
    public IDevice GetIndexDevice(Guid indexToken) => new WriteCheckedDevice(_faster.GetIndexDevice(indexToken), this);

    public void InitializeIndexCheckpoint(Guid indexToken) => _faster.InitializeIndexCheckpoint(indexToken);

    public void InitializeLogCheckpoint(Guid logToken) => _faster.InitializeLogCheckpoint(logToken);

    public void CheckpointVersionShift(long oldVersion, long newVersion) => _faster.CheckpointVersionShift(oldVersion, newVersion);

    public void CommitLogIncrementalCheckpoint(Guid logToken, long version, byte[] commitMetadata, DeltaLog deltaLog) =>
        _faster.CommitLogIncrementalCheckpoint(logToken, version, commitMetadata, deltaLog);

    public byte[] GetIndexCheckpointMetadata(Guid indexToken) => _faster.GetIndexCheckpointMetadata(indexToken);

    public byte[] GetLogCheckpointMetadata(Guid logToken, DeltaLog deltaLog, bool scanDelta = false, long recoverTo = -1) =>
        _faster.GetLogCheckpointMetadata(logToken, deltaLog, scanDelta, recoverTo);

    public IEnumerable<Guid> GetIndexCheckpointTokens() => _faster.GetIndexCheckpointTokens();

    public IEnumerable<Guid> GetLogCheckpointTokens() => _faster.GetLogCheckpointTokens();

    public IDevice GetSnapshotLogDevice(Guid token) => _faster.GetSnapshotLogDevice(token);

    public IDevice GetSnapshotObjectLogDevice(Guid token) => _faster.GetSnapshotObjectLogDevice(token);

    public IDevice GetDeltaLogDevice(Guid token) => _faster.GetDeltaLogDevice(token);

    public void Purge(Guid token) => _faster.Purge(token);

    public void PurgeAll() => _faster.PurgeAll();

    public void OnRecovery(Guid indexToken, Guid logToken) => _faster.OnRecovery(indexToken, logToken);

    public void Dispose() => _faster.Dispose();

    private void Fail(string failure) => Interlocked.CompareExchange(ref _failure, failure, null);

    /// <summary>[i32 length][metadata][zeros to a sector] to folder/info.dat.0, whole or not at all (see the type summary).</summary>
    private void WriteMetadata(string folder, byte[] metadata)
    {
        string file = Path.Combine(folder, MetadataFile);
        int length = (sizeof(int) + metadata.Length + SectorBytes - 1) & ~(SectorBytes - 1);
        byte[] bytes = new byte[length];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, metadata.Length);
        metadata.CopyTo(bytes, sizeof(int));
        try
        {
            System.IO.Directory.CreateDirectory(folder);
            DurableFile.Write(file, bytes);
            DurableFile.SyncDirectory(Path.GetDirectoryName(folder)!); // the token folder's own entry
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Fail($"{file}: {e.Message}");
            try
            {
                File.Delete(file + ".tmp");
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // left for the next durable checkpoint's cleanup of outdated folders
            }
        }
    }

    /// <summary>
    /// FASTER's device for one checkpoint file, whose write completions report an error code to
    /// <see cref="Failure"/> (FASTER's hash table checkpoint only logs it). Reads, sizes and removal pass through.
    /// </summary>
    private sealed class WriteCheckedDevice : StorageDeviceBase
    {
        private readonly IDevice _inner;
        private readonly AccountsCheckpointFiles _files;

        public WriteCheckedDevice(IDevice inner, AccountsCheckpointFiles files)
            : base(inner.FileName, inner.SectorSize, inner.Capacity)
        {
            _inner = inner;
            _files = files;
        }

        public override void Initialize(long segmentSize, LightEpoch epoch = null!, bool omitSegmentIdFromFilename = false)
        {
            base.Initialize(segmentSize, epoch, omitSegmentIdFromFilename);
            _inner.Initialize(segmentSize, epoch, omitSegmentIdFromFilename);
        }

        public override void WriteAsync(IntPtr sourceAddress, int segmentId, ulong destinationAddress, uint numBytesToWrite, DeviceIOCompletionCallback callback, object context)
        {
            _inner.WriteAsync(sourceAddress, segmentId, destinationAddress, numBytesToWrite, (errorCode, written, ctx) =>
            {
                if (errorCode != 0) _files.Fail($"{FileName}.{segmentId}: a write of {numBytesToWrite} bytes at {destinationAddress} failed with error {errorCode}");
                callback(errorCode, written, ctx);
            }, context);
        }

        public override void ReadAsync(int segmentId, ulong sourceAddress, IntPtr destinationAddress, uint readLength, DeviceIOCompletionCallback callback, object context) =>
            _inner.ReadAsync(segmentId, sourceAddress, destinationAddress, readLength, callback, context);

        public override void RemoveSegmentAsync(int segment, AsyncCallback callback, IAsyncResult result) => _inner.RemoveSegmentAsync(segment, callback, result);

        public override void RemoveSegment(int segment) => _inner.RemoveSegment(segment);

        public override long GetFileSize(int segment) => _inner.GetFileSize(segment);

        public override bool TryComplete() => _inner.TryComplete();

        public override void Reset() => _inner.Reset();

        public override void Dispose() => _inner.Dispose();
    }
}
