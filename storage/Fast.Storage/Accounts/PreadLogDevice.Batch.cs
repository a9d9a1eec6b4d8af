using FASTER.core;
using Microsoft.Win32.SafeHandles;

namespace Fast.Storage.Accounts;

/// <summary>
/// Batched reads: between <see cref="BeginThreadReadBatch"/> and <see cref="EndThreadReadBatch"/> a
/// thread's reads are queued on its own <see cref="IoUring"/> instead of each being one pread, and
/// the end hands them all to the kernel in one call, waits, and runs FASTER's callbacks (a callback
/// may start another read — the previous record of a hash chain, or the rest of a long record — which
/// joins the same batch). For a preload that starts a thousand reads before it waits for any, one
/// system call replaces a thousand. Results are handled as the pread path handles them (short reads
/// inside the known extent are failures, the rest of the buffer is zeroed). The file stays open while
/// a read of it is queued (a reference on its handle), so a segment FASTER deletes meanwhile cannot
/// hand the descriptor to another file. Where io_uring cannot be used the batch calls return false
/// and reads stay preads. A thread's batch state is its own; allocates nothing once the thread's
/// ring exists.
/// </summary>
public sealed partial class PreadLogDevice
{
    /// <summary>Reads one thread keeps queued or in flight at most (the ring's size).</summary>
    internal const int BatchEntries = 1024;

    [ThreadStatic]
    private static ReadBatch? _threadBatch;

    private static int _ringUnavailable;

    /// <summary>
    /// Starts queueing this thread's reads (of every <see cref="PreadLogDevice"/>) for one system
    /// call; false when io_uring cannot be used here (reads stay preads). End with
    /// <see cref="EndThreadReadBatch"/> on this thread before waiting on FASTER for the reads.
    /// </summary>
    public static bool BeginThreadReadBatch()
    {
        if (Volatile.Read(ref _ringUnavailable) != 0) return false;
        ReadBatch? batch = _threadBatch;
        if (batch is null)
        {
            var ring = IoUring.TryCreate(BatchEntries);
            if (ring is null)
            {
                Volatile.Write(ref _ringUnavailable, 1);
                return false;
            }
            _threadBatch = batch = new ReadBatch(ring);
        }
        batch.Active = true;
        return true;
    }

    /// <summary>
    /// Completes every read this thread queued since <see cref="BeginThreadReadBatch"/> (FASTER's
    /// callbacks run here, on this thread) and stops queueing. Harmless when no batch is open.
    /// </summary>
    public static void EndThreadReadBatch()
    {
        if (_threadBatch is not ReadBatch batch || !batch.Active) return;
        try
        {
            batch.Drain();
        }
        finally
        {
            batch.Active = false;
        }
    }

    /// <summary>Whether this thread's reads are being queued now (tests).</summary>
    internal static bool ThreadBatchActive => _threadBatch is ReadBatch { Active: true };

    /// <summary>Makes every thread read with pread from now on, as where io_uring is missing (tests of that path).</summary>
    internal static void DisableBatchesForTests() => Volatile.Write(ref _ringUnavailable, 1);

    /// <summary>Lets threads batch again after <see cref="DisableBatchesForTests"/>.</summary>
    internal static void EnableBatchesForTests() => Volatile.Write(ref _ringUnavailable, 0);

    /// <summary>The pread loop: bytes read into <paramref name="destination"/> from <paramref name="position"/>, and whether an I/O error stopped it (recorded).</summary>
    private (int Read, bool Failed) ReadInline(SegmentFile segment, int segmentId, long position, Span<byte> destination)
    {
        int read = 0;
        try
        {
            SafeFileHandle? handle = segment.ReadHandle();
            if (handle is not null)
            {
                while (read < destination.Length)
                {
                    int n = RandomAccess.Read(handle, destination[read..], position + read);
                    if (n == 0) break;
                    read += n;
                }
            }
        }
        catch (ObjectDisposedException)
        {
            // FASTER deleted the segment under this read: nothing is there, as for a deleted file.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            RecordFailure(segmentId, (ulong)position, (uint)destination.Length, e.Message);
            return (read, true);
        }
        return (read, false);
    }

    /// <summary>One thread's queued reads: the ring, and per ring slot what to do when the read completes.</summary>
    private sealed unsafe class ReadBatch(IoUring ring)
    {
        private readonly Slot[] _slots = new Slot[BatchEntries];
        private readonly int[] _free = CreateFreeList();
        private int _freeCount = BatchEntries;
        private int _inFlight;

        public bool Active;

        /// <summary>Queues a read; false when it must be done inline (the file is gone or not open).</summary>
        public bool TryQueue(PreadLogDevice device, int segmentId, ulong sourceAddress, IntPtr destination, uint length, DeviceIOCompletionCallback callback, object context)
        {
            SegmentFile segment = device.Segment(segmentId);
            SafeFileHandle? handle;
            bool referenced = false;
            try
            {
                handle = segment.ReadHandle();
                handle?.DangerousAddRef(ref referenced);
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
            if (handle is null || !referenced) return false;
            // Completing frees slots, but the callbacks it runs may start reads that take them again
            // (FASTER reads the rest of a record, or the previous record of a hash chain): loop until one is free.
            while (_inFlight == BatchEntries) CompleteSome();
            int index = _free[--_freeCount];
            _slots[index] = new Slot(device, segment, segmentId, handle, sourceAddress, destination, length, callback, context);
            _inFlight++;
            if (!ring.TryQueueRead((int)handle.DangerousGetHandle(), (byte*)destination, length, (long)sourceAddress, (ulong)index))
            {
                // Every submission entry is waiting for the kernel: hand them over, then queue again.
                Submit(0);
                if (!ring.TryQueueRead((int)handle.DangerousGetHandle(), (byte*)destination, length, (long)sourceAddress, (ulong)index))
                {
                    ThrowHelper.ThrowStorage("io_uring took no read after a submit");
                }
            }
            return true;
        }

        /// <summary>Submits everything queued and completes reads until none is left (callbacks may queue more).</summary>
        public void Drain()
        {
            while (_inFlight > 0) CompleteSome();
        }

        /// <summary>Submits what is queued, waits for at least one completion, and finishes every completed read.</summary>
        private void CompleteSome()
        {
            Submit(1);
            while (ring.TryReap(out ulong userData, out int result)) Complete((int)userData, result);
        }

        private void Submit(uint minComplete)
        {
            int error = ring.SubmitAndWait(minComplete);
            if (error != 0) ThrowHelper.ThrowStorage($"io_uring_enter failed with errno {-error} while reading the accounts log");
        }

        private void Complete(int index, int result)
        {
            Slot slot = _slots[index];
            _slots[index] = default;
            _free[_freeCount++] = index;
            _inFlight--;
            var destination = new Span<byte>((void*)slot.Destination, (int)slot.Length);
            int read = Math.Max(0, result);
            bool failed = false;
            try
            {
                if (result < 0)
                {
                    failed = true;
                    slot.Device.RecordFailure(slot.SegmentId, slot.Source, slot.Length, $"read failed with errno {-result}");
                }
                else if (read > 0 && read < destination.Length)
                {
                    // Short of the request but not at the end: the rest the way the pread path reads it.
                    (int more, failed) = slot.Device.ReadInline(slot.Segment, slot.SegmentId, (long)slot.Source + read, destination[read..]);
                    read += more;
                }
            }
            finally
            {
                slot.Handle.DangerousRelease();
            }
            slot.Device.Finish(slot.Segment, slot.SegmentId, slot.Source, destination, read, failed);
            slot.Callback(0, (uint)read, slot.Context);
        }

        private static int[] CreateFreeList()
        {
            int[] free = new int[BatchEntries];
            for (int i = 0; i < free.Length; i++) free[i] = BatchEntries - 1 - i;
            return free;
        }

        private readonly record struct Slot(
            PreadLogDevice Device, SegmentFile Segment, int SegmentId, SafeFileHandle Handle, ulong Source, IntPtr Destination, uint Length, DeviceIOCompletionCallback Callback, object Context);
    }
}
