using Fast.Core.Collections;
using Fast.Core.Primitives;
using Fast.Net.Packets;
using Fast.Node.Bench;
using Fast.Node.Pipeline;
using Fast.Testing;
using Xunit;

namespace Fast.Node.Tests.Pipeline;

/// <summary>The sigverify stage's BIP-340 batches: SigverifyWorker, the failing-share switch, and the batched threads.</summary>
public class SigverifyBatchingTests
{
    private static readonly byte[][] Transfers = SampleTransfers.Generate(300, 64, Hash.Compute("batching"u8));

    private sealed class Harness : IDisposable
    {
        public PacketPool Pool { get; } = new(1024);
        public BoundedQueue<Packet> Input { get; } = new(1024);
        public BoundedQueue<VerifiedPacket> Output { get; } = new(1024);
        public SigverifyStage Stage { get; }

        public Harness(int batch = 32, int threads = 1) => Stage = new SigverifyStage(Pool, Input, Output, threads, dedup: new SignatureDedup(12), batchSignatures: batch);

        public Packet Put(byte[] bytes)
        {
            Assert.True(Pool.TryRent(out int slot));
            bytes.CopyTo(Pool.Slot(slot));
            return new Packet(slot, (ushort)bytes.Length, PacketSource.Local);
        }

        public void Dispose() => Pool.Dispose();
    }

    private static byte[] Corrupt(byte[] tx)
    {
        byte[] bad = (byte[])tx.Clone();
        bad[1 + 40] ^= 0x04; // s of the first signature
        return bad;
    }

    [Fact]
    public void A_batch_forwards_exactly_its_valid_packets_in_order_and_drops_the_invalid_ones()
    {
        using Harness h = new(batch: 32);
        using SigverifyWorker worker = h.Stage.CreateWorker();
        HashSet<int> bad = [3, 17, 18, 29];
        for (int i = 0; i < 30; i++) worker.Add(h.Put(bad.Contains(i) ? Corrupt(Transfers[i]) : Transfers[i]));
        Assert.Equal(30, worker.Pending);
        Assert.Equal(0, h.Output.Count); // nothing leaves before the batch is verified
        worker.Flush();

        Assert.Equal(26, h.Stage.Counters.Verified);
        Assert.Equal(4, h.Stage.Counters.DroppedInvalidSignature);
        for (int i = 0; i < 30; i++)
        {
            if (bad.Contains(i)) continue;
            Assert.True(h.Output.TryDequeue(out VerifiedPacket passed));
            Assert.True(h.Pool.Data(passed.Packet).SequenceEqual(Transfers[i]), $"packet {i} out of order");
        }
        Assert.True(h.Output.IsEmpty);
        Assert.Equal(1024 - 26, h.Pool.Available); // the invalid packets' slots went back
    }

    [Fact]
    public void A_full_batch_is_verified_before_the_next_packet_joins()
    {
        using Harness h = new(batch: 8);
        using SigverifyWorker worker = h.Stage.CreateWorker();
        for (int i = 0; i < 8; i++) worker.Add(h.Put(Transfers[i]));
        Assert.True(worker.IsFull);
        worker.Add(h.Put(Transfers[8]));
        Assert.Equal(8, h.Stage.Counters.Verified);
        Assert.Equal(1, worker.Pending);
        worker.Flush();
        Assert.Equal(9, h.Stage.Counters.Verified);
    }

    [Fact]
    public void Two_copies_of_one_packet_in_one_batch_are_forwarded_once()
    {
        using Harness h = new();
        using SigverifyWorker worker = h.Stage.CreateWorker();
        worker.Add(h.Put(Transfers[0]));
        worker.Add(h.Put(Transfers[1]));
        worker.Add(h.Put(Transfers[0]));
        byte[] bad = Corrupt(Transfers[2]);
        worker.Add(h.Put(bad));
        worker.Add(h.Put(bad));
        worker.Flush();
        Assert.Equal(2, h.Stage.Counters.Verified);
        Assert.Equal(1, h.Stage.Counters.DroppedInvalidSignature);
        Assert.Equal(2, h.Stage.Counters.DroppedDuplicate);
        Assert.Equal(1024 - 2, h.Pool.Available);
    }

    [Fact]
    public void Adding_and_flushing_batches_allocates_nothing_per_packet()
    {
        using Harness h = new(batch: 16);
        using SigverifyWorker worker = h.Stage.CreateWorker();
        for (int i = 0; i < 16; i++) worker.Add(h.Put(i == 5 ? Corrupt(Transfers[i]) : Transfers[i])); // warm-up, with a bisection
        worker.Flush();
        byte[][] inputs = [.. Transfers.Select((tx, i) => i % 37 == 0 ? Corrupt(tx) : tx)]; // made before measuring
        int next = 16;
        long allocated = Allocations.Measure(99, () =>
        {
            worker.Add(h.Put(inputs[next++]));
            if (worker.IsFull) worker.Flush();
        });
        worker.Flush();
        Assert.Equal(0, allocated);
        Assert.Equal(116, next);
        Assert.Equal(116, h.Stage.Counters.Verified + h.Stage.Counters.DroppedInvalidSignature);
    }

    [Fact]
    public void Mostly_failing_batches_switch_the_thread_to_single_verification_until_the_share_falls()
    {
        BatchFailureShare share = default;
        for (int i = 0; i < 2; i++) share.Record(failed: true);
        Assert.False(share.Singly); // two failures are not a trend (1 - (7/8)^2 = 23 %)
        share.Record(failed: true);
        Assert.True(share.Singly);
        int clean = 0;
        while (share.Singly)
        {
            share.Record(failed: false);
            clean++;
        }
        Assert.InRange(clean, 5, 30);
        Assert.True(share.SharePercent < BatchFailureShare.LeaveSinglePercent);
    }

    [Fact]
    public void A_worker_under_a_flood_of_invalid_signatures_verifies_singly_and_still_reports_every_packet_exactly()
    {
        using Harness h = new(batch: 8);
        using SigverifyWorker worker = h.Stage.CreateWorker();
        int expectedInvalid = 0;
        for (int i = 0; i < 200; i++)
        {
            bool invalid = i % 8 == 3;
            expectedInvalid += invalid ? 1 : 0;
            worker.Add(h.Put(invalid ? Corrupt(Transfers[i]) : Transfers[i]));
            if (worker.IsFull) worker.Flush();
        }
        worker.Flush();
        Assert.True(worker.Failures.Singly); // every batch of 8 held a bad one
        Assert.Equal(expectedInvalid, h.Stage.Counters.DroppedInvalidSignature);
        Assert.Equal(200 - expectedInvalid, h.Stage.Counters.Verified);

        for (int i = 200; i < 300; i++) worker.Add(h.Put(Transfers[i])); // the flood stops
        worker.Flush();
        Assert.Equal(300 - expectedInvalid, h.Stage.Counters.Verified);
    }

    [Fact]
    public void The_batched_threads_drain_the_input_with_one_percent_invalid_and_count_each_packet_once()
    {
        using Harness h = new(batch: 64, threads: 2);
        int expectedInvalid = 0;
        for (int i = 0; i < 300; i++)
        {
            bool invalid = i % 100 == 50;
            expectedInvalid += invalid ? 1 : 0;
            h.Input.TryEnqueue(h.Put(invalid ? Corrupt(Transfers[i]) : Transfers[i]));
        }
        h.Stage.Start();
        SpinWait.SpinUntil(() => Volatile.Read(ref h.Stage.Counters.Verified) + Volatile.Read(ref h.Stage.Counters.DroppedInvalidSignature) == 300, TimeSpan.FromSeconds(30));
        h.Stage.Stop();
        Assert.Equal(300 - expectedInvalid, h.Stage.Counters.Verified);
        Assert.Equal(expectedInvalid, h.Stage.Counters.DroppedInvalidSignature);
        Assert.Equal(300 - expectedInvalid, h.Output.Count);
    }

    [Theory]
    [InlineData(256, 256, 8.3, 256)]  // 32 µs a signature: 256 fit in 10 ms
    [InlineData(256, 256, 20.0, 128)] // a loaded core (78 µs a signature): half the batch
    [InlineData(256, 100, 50.0, 20)]  // 500 µs a signature: 20 fit
    [InlineData(256, 64, 1000.0, SigverifyStage.MinTimedBatch)] // never below the floor
    [InlineData(64, 64, 0.5, 64)]     // never above the configured size
    public void Each_batch_is_sized_to_verify_within_the_time_budget_at_the_measured_rate(int configured, int signatures, double elapsedMs, int expected)
    {
        const long TicksPerSecond = 1_000_000_000;
        int next = SigverifyStage.NextBatchLimit(configured, elapsedMs * TicksPerSecond / 1000 / signatures, TicksPerSecond);
        Assert.Equal(expected, next);
    }

    [Fact]
    public void A_batch_size_of_one_keeps_the_unbatched_path()
    {
        using Harness h = new(batch: 1);
        Assert.Equal(1, h.Stage.BatchSignatures);
        for (int i = 0; i < 10; i++) h.Input.TryEnqueue(h.Put(i == 4 ? Corrupt(Transfers[i]) : Transfers[i]));
        h.Stage.Start();
        SpinWait.SpinUntil(() => Volatile.Read(ref h.Stage.Counters.Verified) + Volatile.Read(ref h.Stage.Counters.DroppedInvalidSignature) == 10, TimeSpan.FromSeconds(10));
        h.Stage.Stop();
        Assert.Equal(9, h.Stage.Counters.Verified);
        Assert.Equal(1, h.Stage.Counters.DroppedInvalidSignature);
    }
}
