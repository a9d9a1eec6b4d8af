using System.Diagnostics;
using Fast.Core.Collections;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Net.Packets;
using Fast.Node.Pipeline;

namespace Fast.Node.Bench;

/// <summary>
/// `fast bench sigverify`: the sigverify stage (its real threads, queues, parsing and dedup) on
/// N threads against N × the single-thread libsecp256k1 verify loop over the same transactions,
/// interleaved in one run. <c>stage_vs_reference</c> near 1 means the stage adds no overhead to the
/// raw verifies and scales with its threads.
/// </summary>
public static class SigverifyBench
{
    public static BenchReport Run(double seconds, int threads, int transactions)
    {
        byte[][] txs = SampleTransfers.Generate(transactions, 256, Hash.Compute("bench"u8));
        double reference = 0, stage = 0;
        List<double> referenceRounds = [], stageRounds = [];
        using PacketPool pool = new(transactions + 64);
        var packets = new Packet[transactions];
        for (int i = 0; i < transactions; i++)
        {
            pool.TryRent(out int slot);
            txs[i].CopyTo(pool.Slot(slot));
            packets[i] = new Packet(slot, (ushort)txs[i].Length, PacketSource.Local);
        }

        var total = Stopwatch.StartNew();
        ReferenceRate(txs, Math.Min(256, transactions)); // warm-up
        StageRate(pool, packets, threads, Math.Min(256, transactions));
        do
        {
            referenceRounds.Add(ReferenceRate(txs, transactions));
            stageRounds.Add(StageRate(pool, packets, threads, transactions));
        }
        while (total.Elapsed.TotalSeconds < seconds);
        reference = Throughput.Median([.. referenceRounds]);
        stage = Throughput.Median([.. stageRounds]);

        BenchReport report = new("sigverify");
        report.Result("stage_verifies_per_s", stage)
              .Result("stage_threads", threads)
              .Reference("libsecp256k1_verifies_per_s_single_thread", reference)
              .Ratio("stage_vs_reference", stage / (threads * reference));
        report.AllocatedBytesPerOp = StageAllocationPerPacket(pool, packets);
        report.Note($"{transactions} distinct 1-signature transfers, {referenceRounds.Count} interleaved rounds, medians");
        return report;
    }

    /// <summary>The node's sigverify bound: what <paramref name="threads"/> sigverify threads verify per second here.</summary>
    public static double MeasureStageRate(int threads, int transactions, double seconds)
    {
        byte[][] txs = SampleTransfers.Generate(transactions, 64, Hash.Compute("bound"u8));
        using PacketPool pool = new(transactions + 64);
        var packets = new Packet[transactions];
        for (int i = 0; i < transactions; i++)
        {
            pool.TryRent(out int slot);
            txs[i].CopyTo(pool.Slot(slot));
            packets[i] = new Packet(slot, (ushort)txs[i].Length, PacketSource.Local);
        }
        StageRate(pool, packets, threads, Math.Min(256, transactions));
        List<double> rounds = [];
        var total = Stopwatch.StartNew();
        do rounds.Add(StageRate(pool, packets, threads, transactions));
        while (total.Elapsed.TotalSeconds < seconds);
        return Throughput.Median([.. rounds]);
    }

    private static double ReferenceRate(byte[][] txs, int count)
    {
        // The raw libsecp256k1 loop: verify each transaction's signature over its message, nothing else.
        long start = Stopwatch.GetTimestamp();
        int valid = 0;
        for (int i = 0; i < count; i++)
        {
            TransactionView.TryParse(txs[i], out TransactionView tx);
            if (Schnorr.Verify(tx.GetAccountKeyBytes(0), tx.Message, tx.GetSignatureBytes(0))) valid++;
        }
        double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        if (valid != count) throw new InvalidOperationException("benchmark transactions failed to verify");
        return count / elapsed;
    }

    /// <summary>Fills the stage's input with the packets, runs the real stage threads until all come out verified; packets/s.</summary>
    private static double StageRate(PacketPool pool, Packet[] packets, int threads, int count)
    {
        BoundedQueue<Packet> input = new(Math.Max(count, 2));
        BoundedQueue<VerifiedPacket> output = new(Math.Max(count, 2));
        for (int i = 0; i < count; i++) input.TryEnqueue(packets[i]);
        using SigverifyStage stage = new(pool, input, output, threads, dedup: new SignatureDedup());
        long start = Stopwatch.GetTimestamp();
        stage.Start();
        while (Volatile.Read(ref stage.Counters.Verified) + stage.Counters.DroppedInvalidSignature + stage.Counters.DroppedDuplicate < count) Thread.Sleep(1);
        double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        stage.Stop();
        if (stage.Counters.Verified != count) throw new InvalidOperationException($"stage verified {stage.Counters.Verified} of {count}");
        return count / elapsed;
    }

    /// <summary>Bytes allocated per packet by the stage's own work (on this thread), after a warm-up of 64 packets.</summary>
    private static double StageAllocationPerPacket(PacketPool pool, Packet[] packets)
    {
        const int WarmUp = 64;
        int count = Math.Min(4096, packets.Length);
        if (count <= WarmUp) return 0;
        BoundedQueue<Packet> input = new(count);
        BoundedQueue<VerifiedPacket> output = new(count);
        using SigverifyStage stage = new(pool, input, output, 1, dedup: new SignatureDedup());
        for (int i = 0; i < WarmUp; i++) stage.Process(packets[i]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = WarmUp; i < count; i++) stage.Process(packets[i]);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        return allocated / (double)(count - WarmUp);
    }
}
