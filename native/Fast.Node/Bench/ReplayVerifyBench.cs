using System.Diagnostics;
using Fast.Core.Codec;
using Fast.Core.Ledger;
using Fast.Core.Primitives;
using Fast.Exec.Scheduling;
using Fast.Exec.Validity;

namespace Fast.Node.Bench;

/// <summary>
/// `fast bench replay-verify`: how fast a replayer checks a block's signatures. A block of N signed
/// transfers (N = 2,048 and 8,192, in entries of 64) is checked the old way — every signature singly,
/// one after another on one thread (<see cref="BlockSignatures.FirstInvalidSingly"/>, the baseline) —
/// and the replay way — BIP-340 batches shared by a scheduler's workers
/// (<see cref="BlockSignatures.FirstInvalid"/>) — interleaved round by round in one process; the
/// ratio is the median of per-round ratios. Also the bytes the batched check allocates per
/// transaction in steady state (on any thread).
/// </summary>
public static class ReplayVerifyBench
{
    /// <summary>Transfers per block measured.</summary>
    public static readonly int[] BlockSizes = [2048, 8192];

    private const int TransactionsPerEntry = 64;

    public static BenchReport Run(double seconds, int threads, int batchSize)
    {
        BenchReport report = new("replay-verify");
        using SealevelScheduler workers = new(new SchedulerOptions { Workers = threads });
        using BlockSignatures check = new(batchSize, threads);
        double secondsPerSize = seconds / BlockSizes.Length;
        double allocated = 0;
        foreach (int n in BlockSizes)
        {
            byte[] block = Block(SampleTransfers.Generate(n, 256, Hash.Compute("replay-verify"u8)));
            if (BlockSignatures.FirstInvalidSingly(block) != -1 || check.FirstInvalid(block, workers) != -1) throw new InvalidOperationException("a generated block does not verify");
            List<double> single = [], batched = [];
            TimeSpan batchedCpu = TimeSpan.Zero, batchedWall = TimeSpan.Zero;
            var total = Stopwatch.StartNew();
            do
            {
                single.Add(Rate(n, () => BlockSignatures.FirstInvalidSingly(block)));
                TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                long wallBefore = Stopwatch.GetTimestamp();
                batched.Add(Rate(n, () => check.FirstInvalid(block, workers)));
                batchedWall += Stopwatch.GetElapsedTime(wallBefore);
                batchedCpu += Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            }
            while (total.Elapsed.TotalSeconds < secondsPerSize);
            report.Result($"batched_cpu_per_wall_{n}", batchedCpu / batchedWall); // about the threads when the batches really run in parallel
            report.Result($"batched_verifies_per_s_{n}", Throughput.Median([.. batched]))
                  .Reference($"single_thread_verifies_per_s_{n}", Throughput.Median([.. single]))
                  .Ratio($"batched_vs_single_{n}", Throughput.MedianRatio([.. batched], [.. single]));
            allocated = Math.Max(allocated, AllocatedPerTransaction(check, block, workers, n));
        }
        report.AllocatedBytesPerOp = allocated;
        report.Result("threads", threads).Result("batch_signatures", batchSize);
        report.Note($"1-signature transfers in entries of {TransactionsPerEntry}; baseline = the old replay loop (TransactionSignatures.VerifyAll per transaction, one thread); " +
                    $"batched = BlockSignatures over a scheduler of {threads} workers, batches of {batchSize}; medians of interleaved rounds; allocated_bytes_per_op = per transaction, all threads of the process, batched (the cheapest of 3 rounds)");
        return report;
    }

    /// <summary>The transactions as one block's entries (the hashes do not matter to the signature check).</summary>
    public static byte[] Block(byte[][] transactions)
    {
        int length = 0;
        for (int start = 0; start < transactions.Length; start += TransactionsPerEntry)
        {
            int count = Math.Min(TransactionsPerEntry, transactions.Length - start), bytes = 0;
            for (int i = start; i < start + count; i++) bytes += transactions[i].Length;
            length += EntryWriter.EncodedLength(count, bytes);
        }
        byte[] block = new byte[length];
        SpanWriter writer = new(block);
        byte[] body = new byte[TransactionsPerEntry * 1232];
        for (int start = 0; start < transactions.Length; start += TransactionsPerEntry)
        {
            int count = Math.Min(TransactionsPerEntry, transactions.Length - start), bytes = 0;
            for (int i = start; i < start + count; i++)
            {
                transactions[i].CopyTo(body, bytes);
                bytes += transactions[i].Length;
            }
            EntryWriter.Write(ref writer, 1, Hash.Compute(body.AsSpan(0, bytes)), count, body.AsSpan(0, bytes));
        }
        return block;
    }

    private static double Rate(int transactions, Func<int> check)
    {
        long start = Stopwatch.GetTimestamp();
        if (check() != -1) throw new InvalidOperationException("a valid block was rejected");
        return transactions / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static double AllocatedPerTransaction(BlockSignatures check, byte[] block, SealevelScheduler workers, int transactions)
    {
        // All threads (the helpers' parts count), the cheapest of a few rounds: another thread of the
        // process (the runtime's tiering, a timer) can allocate during any one of them.
        check.FirstInvalid(block, workers);
        const int Calls = 4;
        long fewest = long.MaxValue;
        for (int round = 0; round < 3; round++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < Calls; i++) check.FirstInvalid(block, workers);
            fewest = Math.Min(fewest, GC.GetTotalAllocatedBytes(precise: true) - before);
        }
        return fewest / (double)(Calls * transactions);
    }
}
