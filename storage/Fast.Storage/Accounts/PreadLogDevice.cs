using System.Collections.Concurrent;
using FASTER.core;
using Microsoft.Win32.SafeHandles;

namespace Fast.Storage.Accounts;

/// <summary>
/// The accounts hybrid log's FASTER device on Linux (and other non-Windows systems): a read is one
/// positioned read (pread(2) through <see cref="RandomAccess.Read(SafeFileHandle, Span{byte}, long)"/>)
/// on the calling thread into the pinned buffer FASTER hands over, and FASTER's completion callback
/// runs inline before <see cref="ReadAsync(int, ulong, IntPtr, uint, DeviceIOCompletionCallback, object)"/>
/// returns. FASTER 2.6.5's own device on Linux (ManagedLocalStorageDevice) completes every read on the
/// .NET thread pool with an O_DIRECT file, 34–54 µs a read under load; the log is normally in the page
/// cache, where a pread is a few µs. Writes, segment removal and file sizes stay FASTER's: they go to
/// a ManagedLocalStorageDevice over the same files (<c>hlog.log.N</c>, as FASTER names segments), so a
/// store written by either device opens with the other, and checkpoint durability is unchanged.
/// <para>A read the file cannot fully satisfy within what this device knows to be on disk (the file's
/// length when first opened, then every write issued through it), or that fails with an I/O error, is a
/// damaged log: the rest of FASTER's buffer is zeroed (FASTER never sees stale bytes) and
/// <see cref="ReadFailures"/> counts it, and <see cref="AccountsDb"/> turns that into an error after
/// every wait on the disk. FASTER is told only the bytes read, never an error code: 2.6.5 ignores a
/// record read's error code, and a scan's page read that reports one is never marked loaded, so the
/// scan would wait forever. Reads past that extent (a partial last page in recovery or a scan), and
/// reads of a segment FASTER has deleted, are short by design, as with FASTER's device, and their
/// missing bytes read as zeros.</para>
/// <para>Threads: reads from any thread (each completes on its caller), writes from FASTER's flush
/// threads; per-segment state is a concurrent map, a read allocates nothing once its segment is open.</para>
/// </summary>
public sealed partial class PreadLogDevice : StorageDeviceBase
{
    private readonly ManagedLocalStorageDevice _writes;
    private readonly ConcurrentDictionary<int, SegmentFile> _segments = new();
    private long _readFailures;
    private string? _firstReadFailure;
    private bool _disposed;

    /// <param name="fileName">The log's path without the segment suffix (FASTER's: <c>directory/hlog.log</c>).</param>
    public PreadLogDevice(string fileName)
        : base(fileName, sectorSize: 512, Devices.CAPACITY_UNSPECIFIED)
    {
        // Buffered writes (FASTER's default is O_DIRECT): a page just flushed stays in the page cache for the
        // reads that follow (a rooted account is often read again soon). Still write-through (O_SYNC), so a
        // completed write is as durable as with FASTER's default.
        _writes = new ManagedLocalStorageDevice(fileName, disableFileBuffering: false);
    }

    /// <summary>Reads that failed or came back short inside the data known to be on disk (any thread).</summary>
    public long ReadFailures => Volatile.Read(ref _readFailures);

    /// <summary>What the first failed read was (file, offset, what happened), or null.</summary>
    public string? FirstReadFailure => Volatile.Read(ref _firstReadFailure);

    /// <inheritdoc />
    public override void Initialize(long segmentSize, LightEpoch epoch = null!, bool omitSegmentIdFromFilename = false)
    {
        base.Initialize(segmentSize, epoch, omitSegmentIdFromFilename);
        _writes.Initialize(segmentSize, epoch, omitSegmentIdFromFilename);
    }

    /// <summary>
    /// Reads <paramref name="readLength"/> bytes at <paramref name="sourceAddress"/> of segment
    /// <paramref name="segmentId"/> into <paramref name="destinationAddress"/> and calls
    /// <paramref name="callback"/> before returning — unless this thread batches its reads
    /// (PreadLogDevice.Batch.cs), when the read is queued and completes in <see cref="EndThreadReadBatch"/>.
    /// Hot path of a cold account read: no allocation once the segment's file is open, no thread hop.
    /// </summary>
    public override unsafe void ReadAsync(int segmentId, ulong sourceAddress, IntPtr destinationAddress, uint readLength, DeviceIOCompletionCallback callback, object context)
    {
        if (_threadBatch is ReadBatch batch && batch.Active && batch.TryQueue(this, segmentId, sourceAddress, destinationAddress, readLength, callback, context)) return;
        Span<byte> destination = new((void*)destinationAddress, (int)readLength);
        SegmentFile segment = Segment(segmentId);
        (int read, bool failed) = ReadInline(segment, segmentId, (long)sourceAddress, destination);
        Finish(segment, segmentId, sourceAddress, destination, read, failed);
        callback(0, (uint)read, context);
    }

    /// <summary>
    /// After a read of <paramref name="read"/> bytes: zeroes the rest of FASTER's buffer and, when the
    /// read stopped short inside what this device knows is on disk, counts a failure (a damaged log).
    /// </summary>
    private void Finish(SegmentFile segment, int segmentId, ulong sourceAddress, Span<byte> destination, int read, bool failed)
    {
        if (read >= destination.Length) return;
        destination[read..].Clear();
        if (!failed && (long)sourceAddress + read < segment.KnownLength)
        {
            RecordFailure(segmentId, sourceAddress, (uint)destination.Length, $"the file ends at {(long)sourceAddress + read}, {segment.KnownLength} bytes were written");
        }
    }

    /// <summary>Writes through FASTER's managed device (its thread pool), recording how far the segment now reaches.</summary>
    public override void WriteAsync(IntPtr sourceAddress, int segmentId, ulong destinationAddress, uint numBytesToWrite, DeviceIOCompletionCallback callback, object context)
    {
        Segment(segmentId).Extend((long)destinationAddress + numBytesToWrite);
        _writes.WriteAsync(sourceAddress, segmentId, destinationAddress, numBytesToWrite, callback, context);
    }

    /// <summary>Closes this device's read handle for the segment, then lets FASTER's device delete the file.</summary>
    public override void RemoveSegmentAsync(int segment, AsyncCallback callback, IAsyncResult result)
    {
        if (_segments.TryRemove(segment, out SegmentFile? file)) file.Dispose();
        _writes.RemoveSegmentAsync(segment, callback, result);
    }

    /// <inheritdoc />
    public override void RemoveSegment(int segment)
    {
        if (_segments.TryRemove(segment, out SegmentFile? file)) file.Dispose();
        _writes.RemoveSegment(segment);
    }

    /// <inheritdoc />
    public override long GetFileSize(int segment) => _writes.GetFileSize(segment);

    /// <inheritdoc />
    public override void Reset()
    {
        CloseReadHandles();
        _writes.Reset();
    }

    /// <inheritdoc />
    public override bool Throttle() => _writes.Throttle();

    public override void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        CloseReadHandles();
        _writes.Dispose();
    }

    private void CloseReadHandles()
    {
        foreach (KeyValuePair<int, SegmentFile> entry in _segments)
        {
            if (_segments.TryRemove(entry.Key, out SegmentFile? file)) file.Dispose();
        }
    }

    private SegmentFile Segment(int segmentId) =>
        _segments.TryGetValue(segmentId, out SegmentFile? segment) ? segment : _segments.GetOrAdd(segmentId, static (id, device) => new SegmentFile(device.GetSegmentFilename(device.FileName, id)), this);

    private void RecordFailure(int segmentId, ulong offset, uint length, string what)
    {
        Interlocked.Increment(ref _readFailures);
        Interlocked.CompareExchange(ref _firstReadFailure, $"{Segment(segmentId).Path}: reading {length} bytes at {offset}: {what}", null);
    }

    /// <summary>
    /// One segment file as this device sees it: a read-only handle (buffered, so the page cache serves
    /// reads), opened on the first read, and the length known to be on disk. Any thread.
    /// </summary>
    private sealed class SegmentFile(string path) : IDisposable
    {
        private readonly Lock _open = new();
        private SafeFileHandle? _handle;
        private long _knownLength = -1; // -1: the file's length is taken when it is first opened
        private bool _disposed;

        public string Path => path;

        public long KnownLength => Math.Max(0, Volatile.Read(ref _knownLength));

        /// <summary>The read handle, or null when the file does not exist (nothing was written there).</summary>
        public SafeFileHandle? ReadHandle() => Volatile.Read(ref _handle) ?? Open();

        public void Extend(long end)
        {
            long known = Volatile.Read(ref _knownLength);
            while (known < end)
            {
                long seen = Interlocked.CompareExchange(ref _knownLength, end, known);
                if (seen == known) return;
                known = seen;
            }
        }

        private SafeFileHandle? Open()
        {
            lock (_open)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_handle is not null) return _handle;
                SafeFileHandle handle;
                try
                {
                    handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                }
                catch (FileNotFoundException)
                {
                    return null;
                }
                Extend(RandomAccess.GetLength(handle));
                Volatile.Write(ref _handle, handle);
                return handle;
            }
        }

        public void Dispose()
        {
            lock (_open)
            {
                _disposed = true;
                _handle?.Dispose();
                _handle = null;
            }
        }
    }
}
