using Fast.Core.Codec;
using Fast.Core.Collections;
using Fast.Core.Primitives;
using Fast.Crypto;
using Fast.Net.Packets;
using Fast.Node.Bench;
using Fast.Node.Pipeline;
using Fast.Testing;
using Xunit;

namespace Fast.Node.Tests.Pipeline;

public class SigverifyStageTests
{
    private sealed class Harness : IDisposable
    {
        public PacketPool Pool { get; } = new(64);
        public BoundedQueue<Packet> Input { get; } = new(64);
        public BoundedQueue<VerifiedPacket> Output { get; }
        public SigverifyStage Stage { get; }

        public Harness(int outputCapacity = 64)
        {
            Output = new BoundedQueue<VerifiedPacket>(outputCapacity);
            Stage = new SigverifyStage(Pool, Input, Output, 1, dedup: new SignatureDedup(8));
        }

        public Packet Put(byte[] bytes)
        {
            Pool.TryRent(out int slot);
            bytes.CopyTo(Pool.Slot(slot));
            return new Packet(slot, (ushort)bytes.Length, PacketSource.Local);
        }

        public void Dispose() => Pool.Dispose();
    }

    private static byte[] Transfer(ulong lamports = 1) => SampleTransfers.Transfer(Keypair.Generate(), new Pubkey(Enumerable.Repeat((byte)7, 32).ToArray()), lamports, Hash.Compute("b"u8));

    [Fact]
    public void A_valid_transaction_passes_with_its_layout_and_keeps_its_buffer()
    {
        using Harness h = new();
        byte[] tx = Transfer();
        h.Stage.Process(h.Put(tx));
        Assert.True(h.Output.TryDequeue(out VerifiedPacket verified));
        Assert.Equal(tx.Length, verified.Layout.Length);
        Assert.Equal(1, h.Stage.Counters.Verified);
        Assert.Equal(63, h.Pool.Available);
    }

    [Fact]
    public void A_bad_signature_is_dropped_counted_and_its_buffer_returned()
    {
        using Harness h = new();
        byte[] tx = Transfer();
        tx[10] ^= 1;
        h.Stage.Process(h.Put(tx));
        Assert.True(h.Output.IsEmpty);
        Assert.Equal(1, h.Stage.Counters.DroppedInvalidSignature);
        Assert.Equal(64, h.Pool.Available);
    }

    [Fact]
    public void Malformed_packets_are_counted_by_decode_status()
    {
        using Harness h = new();
        h.Stage.Process(h.Put([1, 2, 3]));
        byte[] tx = Transfer();
        h.Stage.Process(h.Put(tx[..^1]));
        Assert.Equal(2, h.Stage.Counters.DroppedMalformed[(int)DecodeStatus.Truncated]);
        Assert.Equal(2, h.Stage.Counters.DroppedMalformedTotal);
        Assert.Equal(64, h.Pool.Available);
    }

    [Fact]
    public void An_exact_duplicate_is_dropped_before_its_signature_is_checked_again()
    {
        using Harness h = new();
        byte[] tx = Transfer();
        h.Stage.Process(h.Put(tx));
        h.Stage.Process(h.Put(tx));
        Assert.Equal(1, h.Stage.Counters.Verified);
        Assert.Equal(1, h.Stage.Counters.DroppedDuplicate);
    }

    [Fact]
    public void A_forged_copy_sent_first_cannot_censor_the_genuine_transaction()
    {
        using Harness h = new();
        byte[] genuine = Transfer();
        byte[] corrupted = (byte[])genuine.Clone();
        corrupted[20] ^= 0x40; // a bit of the signature that a signature-prefix filter would not see
        byte[] pasted = Transfer(999);
        genuine.AsSpan(1, 64).CopyTo(pasted.AsSpan(1, 64)); // the genuine signature on other bytes
        h.Stage.Process(h.Put(corrupted));
        h.Stage.Process(h.Put(pasted));
        h.Stage.Process(h.Put(genuine));
        Assert.Equal(2, h.Stage.Counters.DroppedInvalidSignature);
        Assert.Equal(1, h.Stage.Counters.Verified);
        Assert.Equal(0, h.Stage.Counters.DroppedDuplicate);
    }

    [Fact]
    public void A_full_output_drops_the_newest_and_counts_it()
    {
        using Harness h = new(outputCapacity: 2);
        for (int i = 0; i < 3; i++) h.Stage.Process(h.Put(Transfer((ulong)i + 1)));
        Assert.Equal(2, h.Stage.Counters.Verified);
        Assert.Equal(1, h.Stage.Counters.DroppedOutputFull);
    }

    [Fact]
    public void A_packet_dropped_for_a_full_output_goes_through_when_sent_again_after_the_queue_drains()
    {
        using Harness h = new(outputCapacity: 2);
        h.Stage.Process(h.Put(Transfer(1)));
        h.Stage.Process(h.Put(Transfer(2)));
        byte[] retried = Transfer(3);
        h.Stage.Process(h.Put(retried));
        Assert.Equal(1, h.Stage.Counters.DroppedOutputFull);

        while (h.Output.TryDequeue(out VerifiedPacket drained)) h.Pool.Return(drained.Packet.Slot);
        h.Stage.Process(h.Put(retried)); // the client's retry: the same bytes
        Assert.Equal(0, h.Stage.Counters.DroppedDuplicate);
        Assert.Equal(3, h.Stage.Counters.Verified);
        Assert.True(h.Output.TryDequeue(out VerifiedPacket passed));
        Assert.True(h.Pool.Data(passed.Packet).SequenceEqual(retried));

        // Once forwarded, the same bytes are a duplicate again.
        h.Pool.Return(passed.Packet.Slot);
        h.Stage.Process(h.Put(retried));
        Assert.Equal(1, h.Stage.Counters.DroppedDuplicate);
        Assert.Equal(64, h.Pool.Available);
    }

    [Fact]
    public void A_packet_with_a_bad_signature_is_remembered_so_a_flood_of_it_costs_one_check()
    {
        using Harness h = new();
        byte[] tx = Transfer();
        tx[10] ^= 1;
        for (int i = 0; i < 5; i++) h.Stage.Process(h.Put(tx));
        Assert.Equal(1, h.Stage.Counters.DroppedInvalidSignature);
        Assert.Equal(4, h.Stage.Counters.DroppedDuplicate);
        Assert.Equal(64, h.Pool.Available);
    }

    [Fact]
    public void The_threads_drain_the_input_and_the_stage_allocates_nothing_per_packet()
    {
        using Harness h = new();
        byte[][] txs = [.. Enumerable.Range(0, 40).Select(i => Transfer((ulong)i + 1))];
        h.Stage.Process(h.Put(txs[0]));
        h.Output.TryDequeue(out _);
        int next = 1;
        long allocated = Allocations.Measure(18, () => h.Stage.Process(h.Put(txs[next++]))); // packets 1..19, each once
        Assert.Equal(0, allocated);
        Assert.Equal(20, next);

        for (int i = 20; i < 40; i++) h.Input.TryEnqueue(h.Put(txs[i]));
        h.Stage.Start();
        SpinWait.SpinUntil(() => h.Stage.Counters.Verified == 40, TimeSpan.FromSeconds(10));
        h.Stage.Stop();
        Assert.Equal(40, h.Stage.Counters.Verified);
    }
}
