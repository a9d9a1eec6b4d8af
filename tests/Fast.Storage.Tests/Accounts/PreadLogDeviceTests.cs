using System.Runtime.InteropServices;
using FASTER.core;
using Fast.Core.Primitives;
using Fast.Storage.Accounts;
using Fast.Testing;
using Xunit;

namespace Fast.Storage.Tests.Accounts;

/// <summary>
/// The accounts log's pread device on its own (segment addressing, file names FASTER's device also
/// uses, short reads, allocation) and under <see cref="AccountsDb"/> (stores written by FASTER's device
/// open with it and the other way round; a log truncated under an open store is an error).
/// </summary>
public sealed unsafe partial class PreadLogDeviceTests
{
    private const int SegmentBytes = 4096;
    private const int Sector = 512;

    private static readonly DeviceIOCompletionCallback Record = static (errorCode, bytes, context) =>
    {
        var result = (ReadResult)context;
        result.ErrorCode = errorCode;
        result.Bytes = bytes;
        result.Calls++;
    };

    [Fact]
    public void Writes_across_segments_read_back_from_the_right_file_at_the_right_offset()
    {
        using TempDir dir = new();
        string file = Path.Combine(dir.Path, "hlog.log");
        using AlignedBuffer buffer = new(SegmentBytes);
        using (PreadLogDevice device = NewDevice(file))
        {
            // Three segments, each filled with bytes that name their segment and sector.
            for (int segment = 0; segment < 3; segment++)
            {
                for (int i = 0; i < SegmentBytes; i++) buffer.Span[i] = Pattern(segment * SegmentBytes + i);
                Write(device, buffer, (ulong)(segment * SegmentBytes), SegmentBytes);
            }
            for (int segment = 0; segment < 3; segment++)
            {
                Assert.Equal(SegmentBytes, new FileInfo($"{file}.{segment}").Length);
            }

            // The sectors either side of each boundary, and a whole segment in one read.
            foreach (long address in new long[] { SegmentBytes - Sector, SegmentBytes, 2 * SegmentBytes - Sector, 2 * SegmentBytes, 2 * SegmentBytes + 1024 })
            {
                ReadResult result = Read(device, buffer, (ulong)address, Sector);
                Assert.Equal((0u, (uint)Sector, 1), (result.ErrorCode, result.Bytes, result.Calls));
                for (int i = 0; i < Sector; i++) Assert.Equal(Pattern(address + i), buffer.Span[i]);
            }
            ReadResult whole = Read(device, buffer, SegmentBytes, SegmentBytes);
            Assert.Equal((0u, (uint)SegmentBytes), (whole.ErrorCode, whole.Bytes));
            for (int i = 0; i < SegmentBytes; i++) Assert.Equal(Pattern(SegmentBytes + i), buffer.Span[i]);
            Assert.Equal(0, device.ReadFailures);
        }

        // FASTER's own device reads the same files at the same addresses.
        using ManagedLocalStorageDevice faster = new(file);
        faster.Initialize(SegmentBytes);
        ReadResult fromFaster = ReadWaiting(faster, buffer, 2 * SegmentBytes + 1024, Sector);
        Assert.Equal((0u, (uint)Sector), (fromFaster.ErrorCode, fromFaster.Bytes));
        for (int i = 0; i < Sector; i++) Assert.Equal(Pattern(2 * SegmentBytes + 1024 + i), buffer.Span[i]);
    }

    [Fact]
    public void A_read_past_the_written_end_is_short_with_zeros_and_no_failure()
    {
        using TempDir dir = new();
        using AlignedBuffer buffer = new(SegmentBytes);
        using PreadLogDevice device = NewDevice(Path.Combine(dir.Path, "hlog.log"));
        buffer.Span[..1024].Fill(0x5A);
        Write(device, buffer, 0, 1024);

        // A partial last page, as recovery and scans read it.
        buffer.Span.Fill(0xEE);
        ReadResult result = Read(device, buffer, 0, 2048);
        Assert.Equal((0u, 1024u), (result.ErrorCode, result.Bytes));
        Assert.True(buffer.Span[..1024].IndexOfAnyExcept((byte)0x5A) < 0);
        Assert.True(buffer.Span[1024..2048].IndexOfAnyExcept((byte)0) < 0, "bytes past the end were not zeroed");

        // A segment never written has no file, and reads as nothing.
        ReadResult absent = Read(device, buffer, 3 * SegmentBytes, Sector);
        Assert.Equal((0u, 0u), (absent.ErrorCode, absent.Bytes));
        Assert.False(File.Exists(Path.Combine(dir.Path, "hlog.log.3")));
        Assert.Equal(0, device.ReadFailures);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // queued on the thread's io_uring (PreadLogDeviceTests.Batch.cs)
    public void A_read_of_a_file_truncated_below_what_was_written_is_counted_as_a_failure_with_zeros_not_old_bytes(bool batched)
    {
        using TempDir dir = new();
        string file = Path.Combine(dir.Path, "hlog.log");
        using AlignedBuffer buffer = new(SegmentBytes);
        using PreadLogDevice device = NewDevice(file);
        buffer.Span.Fill(0x77);
        Write(device, buffer, 0, SegmentBytes);
        Assert.Equal(0u, Read(device, buffer, 2048, Sector).ErrorCode); // the read handle is open from here on

        using (FileStream truncate = new($"{file}.0", FileMode.Open, FileAccess.Write, FileShare.ReadWrite)) truncate.SetLength(1024);

        buffer.Span.Fill(0xEE);
        ReadResult result = batched ? ReadBatched(device, buffer, 512, 1024) : Read(device, buffer, 512, 1024);
        Assert.Equal((512u, 1), (result.Bytes, result.Calls)); // FASTER is told the bytes read (an error code would hang its scans)
        Assert.True(buffer.Span[..512].IndexOfAnyExcept((byte)0x77) < 0);
        Assert.True(buffer.Span[512..1024].IndexOfAnyExcept((byte)0) < 0, "the missing bytes were not zeroed");
        Assert.Equal(1, device.ReadFailures);
        Assert.Contains("hlog.log.0", device.FirstReadFailure);
    }

    [Fact]
    public void A_read_completes_on_the_calling_thread_and_allocates_nothing()
    {
        using TempDir dir = new();
        using AlignedBuffer buffer = new(SegmentBytes);
        using PreadLogDevice device = NewDevice(Path.Combine(dir.Path, "hlog.log"));
        Write(device, buffer, 0, SegmentBytes);
        Write(device, buffer, SegmentBytes, SegmentBytes);
        Read(device, buffer, SegmentBytes, Sector); // opens segment 1's file (segment 0's opens in the warm-up call)
        ReadResult result = new();
        ulong address = 0;
        long allocated = Allocations.Measure(1000, () =>
        {
            device.ReadAsync(address, buffer.Pointer, Sector, Record, result);
            address = (address + 3 * Sector) % (2 * SegmentBytes);
        });
        Assert.Equal(0, allocated);
        Assert.Equal(1001, result.Calls); // every callback ran before ReadAsync returned
        Assert.Equal(0u, result.ErrorCode);
    }

    [Fact]
    public void A_store_written_through_FASTERs_device_recovers_and_reads_from_disk_through_pread_and_back()
    {
        using TempDir dir = new();
        const int Count = 20_000;
        AccountsDbOptions faster = AccountsDbTests.SmallOptions(dir.Path) with { PreadLogReads = false };
        AccountsDbOptions pread = faster with { PreadLogReads = true };
        byte[] data = new byte[1000];
        using (var db = AccountsDb.Open(faster))
        {
            for (int i = 0; i < Count; i++)
            {
                data[0] = (byte)i;
                db.Write(AccountsDbTests.Key(i), (ulong)i + 1, Pubkey.Zero, false, data);
            }
            db.WriteRoot(7, [1, 2, 3]);
            db.Checkpoint();
        }
        using (var db = AccountsDb.Open(pread))
        {
            Assert.Equal(7UL, db.Recovered!.Slot);
            AssertAccounts(db, Count);
            Assert.True(db.BlockingDiskReads > 100, $"only {db.BlockingDiskReads} reads went to the disk");
            Assert.Equal(0, db.FailedLogReads);
            for (int i = 0; i < Count; i += 2) db.Write(AccountsDbTests.Key(i), (ulong)i + 2, Pubkey.Zero, false, data.AsSpan(0, 10));
            db.WriteRoot(8, [4]);
            db.Checkpoint();
        }
        using (var db = AccountsDb.Open(faster))
        {
            Assert.Equal(8UL, db.Recovered!.Slot);
            for (int i = 0; i < Count; i += 89)
            {
                Assert.Equal((ulong)i + 1 + (i % 2 == 0 ? 1UL : 0), db.Read(AccountsDbTests.Key(i)).Lamports);
            }
        }
    }

    [Fact]
    public void A_log_truncated_under_an_open_store_makes_disk_reads_fail_instead_of_answering_not_found()
    {
        using TempDir dir = new();
        const int Count = 20_000;
        using var db = AccountsDb.Open(AccountsDbTests.SmallOptions(dir.Path));
        byte[] data = new byte[1000];
        for (int i = 0; i < Count; i++) db.Write(AccountsDbTests.Key(i), (ulong)i + 1, Pubkey.Zero, false, data);
        Assert.Equal(1UL, db.Read(AccountsDbTests.Key(0)).Lamports); // on disk: the first records were evicted long ago
        Assert.True(db.BlockingDiskReads > 0);

        using (FileStream truncate = new(Path.Combine(dir.Path, "hlog.log.0"), FileMode.Open, FileAccess.Write, FileShare.ReadWrite)) truncate.SetLength(4096);

        StorageException error = Assert.Throws<StorageException>(() => db.Read(AccountsDbTests.Key(1000)));
        Assert.Contains("damaged", error.Message);
        Assert.True(db.FailedLogReads > 0);
        Assert.Throws<StorageException>(() => db.Read(AccountsDbTests.Key(2000)));
    }

    private static void AssertAccounts(AccountsDb db, int count)
    {
        for (int i = 0; i < count; i += 7)
        {
            Account account = db.Read(AccountsDbTests.Key(i));
            Assert.Equal((ulong)i + 1, account.Lamports);
            Assert.Equal((byte)i, account.Data[0]);
        }
    }

    private static byte Pattern(long address) => (byte)((address / Sector * 31) + (address % 251));

    private static PreadLogDevice NewDevice(string file)
    {
        PreadLogDevice device = new(file);
        device.Initialize(SegmentBytes);
        return device;
    }

    private static void Write(IDevice device, AlignedBuffer buffer, ulong address, int bytes)
    {
        using ManualResetEventSlim done = new();
        uint error = uint.MaxValue;
        device.WriteAsync(buffer.Pointer, address, (uint)bytes, (e, _, _) =>
        {
            error = e;
            done.Set();
        }, null);
        Assert.True(done.Wait(TimeSpan.FromSeconds(30)));
        Assert.Equal(0u, error);
    }

    private static ReadResult Read(PreadLogDevice device, AlignedBuffer buffer, ulong address, int bytes)
    {
        ReadResult result = new();
        device.ReadAsync(address, buffer.Pointer, (uint)bytes, Record, result);
        Assert.Equal(1, result.Calls); // completed before ReadAsync returned
        return result;
    }

    private static ReadResult ReadWaiting(IDevice device, AlignedBuffer buffer, ulong address, int bytes)
    {
        using ManualResetEventSlim done = new();
        ReadResult result = new();
        device.ReadAsync(address, buffer.Pointer, (uint)bytes, (e, n, _) =>
        {
            (result.ErrorCode, result.Bytes) = (e, n);
            done.Set();
        }, null);
        Assert.True(done.Wait(TimeSpan.FromSeconds(30)));
        return result;
    }

    private sealed class ReadResult
    {
        public uint ErrorCode;
        public uint Bytes;
        public int Calls;
    }

    /// <summary>Sector-aligned native memory (FASTER's device writes with O_DIRECT).</summary>
    private sealed class AlignedBuffer(int bytes) : IDisposable
    {
        private readonly byte* _memory = (byte*)NativeMemory.AlignedAlloc((nuint)bytes, 4096);

        public IntPtr Pointer => (IntPtr)_memory;

        public Span<byte> Span => new(_memory, bytes);

        public void Dispose() => NativeMemory.AlignedFree(_memory);
    }
}
