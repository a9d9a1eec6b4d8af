using System.Diagnostics;
using Fast.Core.Collections;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Net.Packets;
using Fast.Node.Pipeline;

namespace Fast.Node.Bench;

/// <summary>
/// `fast bench sigverify`: the sigverify stage (its real threads, queues, parsing, dedup and BIP-340
/// batches) on N threads against N × the single-thread libsecp256k1 verify loop over the same
/// transactions, interleaved in one run: the stage batched (the default batch size), unbatched,
/// and batched with 1 % invalid signatures; plus the per-core batch-verification curve (64 …
/// 4,096 signatures a batch) against the same single loop. The stage keeps a cache of parsed public
/// keys per thread (<see cref="XOnlyKeyCache"/>; the transfers come from 256 payers, as repeat
/// senders do), so it is also run over transfers whose every payer is new (the cache never hits: the
/// floor a flood of fresh keys gets); the curve is the batch equation alone, without the cache, plus
/// the default batch with it. Ratios are medians of per-round ratios, so a machine shared with other
/// work still compares like with like.
/// </summary>
public static class SigverifyBench
{
    /// <summary>Batch sizes of the per-core curve.</summary>
    public static readonly int[] CurveSizes = [64, 128, 256, 512, 1024, 2048, 4096];

    /// <summary>One packet in this many has a corrupted signature in the invalid-signature case.</summary>
    public const int InvalidOneIn = 100;

    public static BenchReport Run(double seconds, int threads, int transactions, int batchSignatures = SigverifyStage.DefaultBatchSignatures)
    {
        byte[][] txs = SampleTransfers.Generate(transactions, 256, Hash.Compute("bench"u8));
        using PacketPool pool = new(2 * transactions + 64);
        Packet[] packets = Load(pool, txs);
        int invalidCount = 0;
        byte[][] mixed = new byte[transactions][];
        for (int i = 0; i < transactions; i++)
        {
            mixed[i] = txs[i];
            if (i % InvalidOneIn != InvalidOneIn / 2) continue;
            mixed[i] = (byte[])txs[i].Clone();
            mixed[i][1 + 40] ^= 0x04; // a bit of s in the first signature
            invalidCount++;
        }
        Packet[] mixedPackets = Load(pool, mixed);
        byte[][] distinct = SampleTransfers.Generate(transactions, transactions, Hash.Compute("bench-distinct-payers"u8));
        using PacketPool distinctPool = new(transactions + 64);
        Packet[] distinctPackets = Load(distinctPool, distinct);
        int[] curve = Array.FindAll(CurveSizes, n => n <= transactions);
        using SchnorrBatch curveBatch = new(curve[^1]);
        using SchnorrBatch cachedBatch = new(batchSignatures, keyCacheEntries: XOnlyKeyCache.DefaultEntries);

        List<double> reference = [], batched = [], unbatched = [], withInvalid = [], distinctPayers = [], cachedCore = [];
        var curveRates = new List<double>[curve.Length];
        for (int c = 0; c < curve.Length; c++) curveRates[c] = [];

        var total = Stopwatch.StartNew();
        int warm = Math.Min(512, transactions);
        ReferenceRate(txs, warm);
        StageRate(pool, packets, threads, warm, batchSignatures, 0);
        StageRate(pool, packets, threads, warm, 1, 0);
        BatchRate(curveBatch, txs, curve[0], curve[0]);
        do
        {
            reference.Add(ReferenceRate(txs, transactions));
            batched.Add(StageRate(pool, packets, threads, transactions, batchSignatures, 0));
            unbatched.Add(StageRate(pool, packets, threads, transactions, 1, 0));
            withInvalid.Add(StageRate(pool, mixedPackets, threads, transactions, batchSignatures, invalidCount));
            distinctPayers.Add(StageRate(distinctPool, distinctPackets, threads, transactions, batchSignatures, 0));
            for (int c = 0; c < curve.Length; c++) curveRates[c].Add(BatchRate(curveBatch, txs, curve[c], Math.Max(curve[c], 4096)));
            if (batchSignatures > 1) cachedCore.Add(BatchRate(cachedBatch, txs, batchSignatures, Math.Max(batchSignatures, 4096)));
        }
        while (total.Elapsed.TotalSeconds < seconds);

        double[] single = [.. reference];
        double[] perThreadsReference = Array.ConvertAll(single, r => r * threads);
        BenchReport report = new("sigverify");
        report.Result("stage_verifies_per_s", Throughput.Median([.. batched]))
              .Result("stage_unbatched_verifies_per_s", Throughput.Median([.. unbatched]))
              .Result("stage_1pct_invalid_packets_per_s", Throughput.Median([.. withInvalid]))
              .Result("stage_distinct_payers_verifies_per_s", Throughput.Median([.. distinctPayers]))
              .Result("stage_threads", threads)
              .Result("sigverify_batch", batchSignatures);
        double defaultRate = 0;
        int within20Ms = 0;
        for (int c = 0; c < curve.Length; c++)
        {
            double rate = Throughput.Median([.. curveRates[c]]);
            report.Result($"batch_verifies_per_s_per_core_{curve[c]}", rate);
            if (curve[c] == batchSignatures) defaultRate = rate;
            // A packet waits at most for the batch in progress and its own: 2 × n ÷ the per-core batch rate.
            if (2.0 * curve[c] / rate <= 0.020) within20Ms = curve[c];
        }
        if (defaultRate > 0) report.Result("batch_wait_ms_max_at_default", 2000.0 * batchSignatures / defaultRate);
        report.Result("largest_curve_batch_within_20ms_wait", within20Ms);
        report.Reference("libsecp256k1_verifies_per_s_single_thread", Throughput.Median(single));

        for (int c = 0; c < curve.Length; c++)
        {
            double ratio = Throughput.MedianRatio([.. curveRates[c]], single);
            report.Ratio($"batch_vs_single_per_core_{curve[c]}", ratio);
            if (curve[c] == batchSignatures) report.Ratio("batch_vs_single_per_core", ratio);
        }
        if (cachedCore.Count > 0)
        {
            report.Result("batch_with_key_cache_verifies_per_s_per_core", Throughput.Median([.. cachedCore]));
            report.Ratio("batch_with_key_cache_vs_single_per_core", Throughput.MedianRatio([.. cachedCore], single));
        }
        report.Ratio("stage_vs_reference", Throughput.MedianRatio([.. batched], perThreadsReference))
              .Ratio("stage_distinct_payers_vs_reference", Throughput.MedianRatio([.. distinctPayers], perThreadsReference))
              .Ratio("stage_unbatched_vs_reference", Throughput.MedianRatio([.. unbatched], perThreadsReference))
              .Ratio("stage_1pct_invalid_vs_reference", Throughput.MedianRatio([.. withInvalid], perThreadsReference))
              .Ratio("stage_batched_vs_unbatched", Throughput.MedianRatio([.. batched], [.. unbatched]));

        double unbatchedAllocation = StageAllocationPerPacket(pool, packets, 1);
        report.AllocatedBytesPerOp = Math.Max(StageAllocationPerPacket(pool, packets, batchSignatures), unbatchedAllocation);
        report.Note($"{transactions} distinct 1-signature transfers, {reference.Count} interleaved rounds, medians of per-round ratios; " +
                    $"stage_vs_reference = batched stage (batch {batchSignatures}) ÷ ({threads} × the single loop); " +
                    "256 payers (the stage's per-thread key cache hits); distinct payers: every transfer from a new payer (it never hits); " +
                    "batch_vs_single_per_core = the batch equation alone (no key cache); " +
                    $"1 % invalid: one packet in {InvalidOneIn} has a corrupted signature; stage rates in steady state (the first quarter of each round warms the stage up, untimed); " +
                    $"batch_wait_ms_max_at_default = 2 × the default batch ÷ the per-core batch rate (the stage also caps each batch at {SigverifyStage.BatchTimeBudgetMs} ms at its measured rate); allocated_bytes_per_op = the stage per packet, batched and unbatched (the larger)");
        if (batchSignatures > 1 && Array.IndexOf(curve, batchSignatures) < 0) report.Note($"batch size {batchSignatures} is not on the curve: batch_vs_single_per_core omitted");
        return report;
    }

    /// <summary>The node's sigverify bound: what <paramref name="threads"/> sigverify threads verify per second here (batched as the node is; pinned to <paramref name="cores"/> as the node pins them, when given).</summary>
    public static double MeasureStageRate(int threads, int transactions, double seconds, int batchSignatures = SigverifyStage.DefaultBatchSignatures, int[]? cores = null)
    {
        byte[][] txs = SampleTransfers.Generate(transactions, 64, Hash.Compute("bound"u8));
        using PacketPool pool = new(transactions + 64);
        Packet[] packets = Load(pool, txs);
        StageRate(pool, packets, threads, Math.Min(256, transactions), batchSignatures, 0, cores);
        List<double> rounds = [];
        var total = Stopwatch.StartNew();
        do rounds.Add(StageRate(pool, packets, threads, transactions, batchSignatures, 0, cores));
        while (total.Elapsed.TotalSeconds < seconds);
        return Throughput.Median([.. rounds]);
    }

    private static Packet[] Load(PacketPool pool, byte[][] txs)
    {
        var packets = new Packet[txs.Length];
        for (int i = 0; i < txs.Length; i++)
        {
            pool.TryRent(out int slot);
            txs[i].CopyTo(pool.Slot(slot));
            packets[i] = new Packet(slot, (ushort)txs[i].Length, PacketSource.Local);
        }
        return packets;
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

    /// <summary>One core's batch verification: parse, add <paramref name="size"/> signatures, one batch equation; signatures/s over at least <paramref name="atLeast"/>.</summary>
    private static double BatchRate(SchnorrBatch batch, byte[][] txs, int size, int atLeast)
    {
        long start = Stopwatch.GetTimestamp();
        int done = 0, next = 0;
        while (done < atLeast)
        {
            batch.Clear();
            for (int i = 0; i < size; i++)
            {
                TransactionView.TryParse(txs[next], out TransactionView tx);
                batch.TryAdd(tx.GetAccountKeyBytes(0), tx.Message, tx.GetSignatureBytes(0));
                next = next + 1 == txs.Length ? 0 : next + 1;
            }
            if (!batch.VerifyAll()) throw new InvalidOperationException("benchmark batch failed to verify");
            done += size;
        }
        return done / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>
    /// Runs the real stage threads over the packets; packets/s in steady state: the first quarter
    /// (at most 8 batches per thread) warms the stage up untimed — its threads, and their
    /// batch-or-single switch, as in a node that has been running — then the rest is queued and timed
    /// until every packet is forwarded or dropped.
    /// </summary>
    private static double StageRate(PacketPool pool, Packet[] packets, int threads, int count, int batchSignatures, int invalidExpected, int[]? cores = null)
    {
        BoundedQueue<Packet> input = new(Math.Max(count, 2));
        BoundedQueue<VerifiedPacket> output = new(Math.Max(count, 2));
        int warm = Math.Min(count / 4, 8 * threads * Math.Max(batchSignatures, SigverifyStage.DefaultBatch));
        for (int i = 0; i < warm; i++) input.TryEnqueue(packets[i]);
        using SigverifyStage stage = new(pool, input, output, threads, cores, new SignatureDedup(), batchSignatures);
        stage.Start();
        while (Handled(stage) < warm) Thread.Sleep(1);
        long start = Stopwatch.GetTimestamp();
        for (int i = warm; i < count; i++) input.TryEnqueue(packets[i]);
        while (Handled(stage) < count) Thread.Sleep(1);
        double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        stage.Stop();
        if (invalidExpected == 0 && stage.Counters.Verified != count) throw new InvalidOperationException($"stage verified {stage.Counters.Verified} of {count}");
        if (stage.Counters.DroppedInvalidSignature > invalidExpected || stage.Counters.Verified + stage.Counters.DroppedInvalidSignature != count)
        {
            throw new InvalidOperationException($"stage verified {stage.Counters.Verified} and dropped {stage.Counters.DroppedInvalidSignature} as invalid of {count} ({invalidExpected} invalid)");
        }
        return (count - warm) / elapsed;
    }

    private static long Handled(SigverifyStage stage) =>
        Volatile.Read(ref stage.Counters.Verified) + Volatile.Read(ref stage.Counters.DroppedInvalidSignature) + Volatile.Read(ref stage.Counters.DroppedDuplicate);

    /// <summary>Bytes allocated per packet by the stage's own work (on this thread), after a warm-up batch.</summary>
    private static double StageAllocationPerPacket(PacketPool pool, Packet[] packets, int batchSignatures)
    {
        int count = Math.Min(4096, packets.Length);
        int warmUp = Math.Min(count / 2, Math.Max(64, batchSignatures));
        if (count - warmUp < 64) return 0;
        BoundedQueue<Packet> input = new(count);
        BoundedQueue<VerifiedPacket> output = new(count);
        using SigverifyStage stage = new(pool, input, output, 1, dedup: new SignatureDedup(), batchSignatures: batchSignatures);
        using SigverifyWorker worker = stage.CreateWorker();
        for (int i = 0; i < warmUp; i++) Step(stage, worker, packets[i], batchSignatures);
        worker.Flush();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = warmUp; i < count; i++) Step(stage, worker, packets[i], batchSignatures);
        worker.Flush();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        return allocated / (double)(count - warmUp);
    }

    private static void Step(SigverifyStage stage, SigverifyWorker worker, Packet packet, int batchSignatures)
    {
        if (batchSignatures == 1)
        {
            stage.Process(packet);
            return;
        }
        worker.Add(packet);
        if (worker.IsFull) worker.Flush();
    }
}
