using Fast.Core.Primitives;
using Fast.Storage.Accounts;
using Fast.Testing;
using Xunit;

namespace Fast.Storage.Tests.Accounts;

/// <summary>
/// Batched reads (PreadLogDevice.Batch.cs): queued on the thread's io_uring, completed together at the
/// batch's end with the same bytes as the pread path (its truncated-file test runs both ways), more
/// reads than the ring holds, no allocation, and preads again where io_uring is unavailable.
/// </summary>
public sealed unsafe partial class PreadLogDeviceTests
{
    [Fact]
    public void Batched_reads_across_segments_complete_at_the_batch_end_with_the_same_bytes_as_preads()
    {
        Assert.True(PreadLogDevice.BeginThreadReadBatch(), "io_uring is unavailable on this machine");
        PreadLogDevice.EndThreadReadBatch();
        using TempDir dir = new();
        using AlignedBuffer source = new(3 * SegmentBytes);
        for (int i = 0; i < 3 * SegmentBytes; i++) source.Span[i] = Pattern(i);
        using PreadLogDevice device = NewDevice(Path.Combine(dir.Path, "hlog.log"));
        for (int s = 0; s < 3; s++)
        {
            using AlignedBuffer one = new(SegmentBytes);
            source.Span.Slice(s * SegmentBytes, SegmentBytes).CopyTo(one.Span);
            Write(device, one, (ulong)(s * SegmentBytes), SegmentBytes);
        }

        const int Reads = 3 * SegmentBytes / Sector;
        using AlignedBuffer destination = new(Reads * Sector);
        destination.Span.Fill(0xEE);
        var results = new ReadResult[Reads];
        Assert.True(PreadLogDevice.BeginThreadReadBatch());
        for (int r = 0; r < Reads; r++)
        {
            results[r] = new ReadResult();
            ulong address = (ulong)(((r * 7) % Reads) * Sector); // out of order, every segment
            device.ReadAsync(address, destination.Pointer + (r * Sector), Sector, Record, results[r]);
        }
        Assert.All(results, result => Assert.Equal(0, result.Calls)); // queued, not read yet
        PreadLogDevice.EndThreadReadBatch();

        for (int r = 0; r < Reads; r++)
        {
            Assert.Equal((0u, (uint)Sector, 1), (results[r].ErrorCode, results[r].Bytes, results[r].Calls));
            int address = ((r * 7) % Reads) * Sector;
            Assert.True(destination.Span.Slice(r * Sector, Sector).SequenceEqual(source.Span.Slice(address, Sector)), $"read {r} at {address}");
        }
        Assert.Equal(0, device.ReadFailures);
        Assert.False(PreadLogDevice.ThreadBatchActive);
    }

    [Fact]
    public void More_batched_reads_than_the_ring_holds_all_complete()
    {
        using TempDir dir = new();
        using AlignedBuffer buffer = new(SegmentBytes);
        for (int i = 0; i < SegmentBytes; i++) buffer.Span[i] = Pattern(i);
        using PreadLogDevice device = NewDevice(Path.Combine(dir.Path, "hlog.log"));
        Write(device, buffer, 0, SegmentBytes);

        int reads = (3 * PreadLogDevice.BatchEntries) + 5;
        using AlignedBuffer destination = new(Sector);
        ReadResult result = new();
        Assert.True(PreadLogDevice.BeginThreadReadBatch());
        for (int r = 0; r < reads; r++) device.ReadAsync((ulong)((r % 8) * Sector), destination.Pointer, Sector, Record, result);
        PreadLogDevice.EndThreadReadBatch();
        Assert.Equal((reads, 0u, (uint)Sector), (result.Calls, result.ErrorCode, result.Bytes));
        Assert.Equal(0, device.ReadFailures);
    }

    [Fact]
    public void A_batched_read_allocates_nothing()
    {
        using TempDir dir = new();
        using AlignedBuffer buffer = new(SegmentBytes);
        using PreadLogDevice device = NewDevice(Path.Combine(dir.Path, "hlog.log"));
        Write(device, buffer, 0, SegmentBytes);
        Read(device, buffer, 0, Sector); // opens the segment's file
        ReadResult result = new();
        ulong address = 0;
        long allocated = Allocations.Measure(1000, () =>
        {
            PreadLogDevice.BeginThreadReadBatch();
            device.ReadAsync(address, buffer.Pointer, Sector, Record, result);
            PreadLogDevice.EndThreadReadBatch();
            address = (address + Sector) % SegmentBytes;
        });
        Assert.Equal(0, allocated);
        Assert.Equal(1001, result.Calls);
    }

    [Fact]
    public void Without_io_uring_a_batch_is_refused_and_reads_complete_inline()
    {
        PreadLogDevice.DisableBatchesForTests();
        try
        {
            using TempDir dir = new();
            using AlignedBuffer buffer = new(SegmentBytes);
            using PreadLogDevice device = NewDevice(Path.Combine(dir.Path, "hlog.log"));
            buffer.Span.Fill(0x42);
            Write(device, buffer, 0, SegmentBytes);
            buffer.Span.Clear();
            Assert.False(PreadLogDevice.BeginThreadReadBatch());
            Assert.Equal(((uint)Sector, 1), (Read(device, buffer, 1024, Sector).Bytes, 1)); // Read asserts it completed inline
            Assert.True(buffer.Span[..Sector].IndexOfAnyExcept((byte)0x42) < 0);
        }
        finally
        {
            PreadLogDevice.EnableBatchesForTests();
        }
    }

    [Fact]
    public void Accounts_read_in_a_batch_from_disk_are_the_accounts_written()
    {
        using TempDir dir = new();
        const int Count = 20_000;
        using var db = AccountsDb.Open(AccountsDbTests.SmallOptions(dir.Path));
        byte[] data = new byte[1000]; // 20 MB of records against 4 MB of memory: most are on disk
        for (int i = 0; i < Count; i++)
        {
            data[0] = (byte)i;
            db.Write(AccountsDbTests.Key(i), (ulong)i + 1, Pubkey.Zero, false, data);
        }
        var accounts = new Account[Count];
        int pending = 0;
        Assert.True(db.BeginReadBatch());
        try
        {
            for (int i = 0; i < Count; i++)
            {
                if (db.TryReadWithoutWaiting(AccountsDbTests.Key(i), ticket: i, out Account account)) accounts[i] = account;
                else pending++;
            }
        }
        finally
        {
            AccountsDb.EndReadBatch();
        }
        Assert.True(pending > Count / 2, $"only {pending} reads went to the disk");
        Assert.Equal(pending, db.CompletePendingReadsByTicket(accounts));
        for (int i = 0; i < Count; i++)
        {
            Assert.Equal((ulong)i + 1, accounts[i].Lamports);
            Assert.Equal((byte)i, accounts[i].Data[0]);
        }
        Assert.Equal(0, db.FailedLogReads);
    }

    /// <summary>One read queued in a batch and completed by its end.</summary>
    private static ReadResult ReadBatched(PreadLogDevice device, AlignedBuffer buffer, ulong address, int bytes)
    {
        ReadResult result = new();
        Assert.True(PreadLogDevice.BeginThreadReadBatch());
        device.ReadAsync(address, buffer.Pointer, (uint)bytes, Record, result);
        Assert.Equal(0, result.Calls); // queued, not read yet
        PreadLogDevice.EndThreadReadBatch();
        return result;
    }
}
