using System.Diagnostics;
using Fast.Core.Platform;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Exec;
using Fast.Exec.Banking;
using Fast.Exec.Scheduling;
using Fast.Exec.Workloads;
using Fast.Storage.Accounts;
using Fast.Storage.Blocks;

namespace Fast.Node.Bench;

/// <summary>
/// `fast bench exec`: transfers per second through the Sealevel scheduler into real banks (accounts
/// on FASTER in a temporary folder, a new bank per slot, frozen and rooted behind), with 1 worker
/// and with N, on (a) conflict-free transfers and (b) transfers where a share pays a few hot
/// accounts. Signatures are not checked (that is the sigverify stage). The timed part is
/// <c>SealevelScheduler.Execute</c>; freezing and rooting are measured beside it. Ends with a
/// storage round trip in this binary: FASTER checkpoint, reopen and recovery, and a Blockstore
/// commit and reopen. With <c>--workload mixed</c>, the same measurements on blocks mixing every
/// built-in program (ExecBench.Programs.cs), reported beside the transfers as ratios.
/// </summary>
public static partial class ExecBench
{
    private const int HotAccounts = 4;
    private const int SlotsPerTurn = 3;
    private const int WarmUpSlots = TransactionLimits.BlockhashMaxAgeSlots + 2 * SlotsPerTurn;
    private const int SteadySlots = 20;
    private const int SlotTurns = 2;
    private static readonly Hash GenesisHash = Hash.Compute("fast bench exec genesis"u8);

    private enum Mix
    {
        ConflictFree,
        Hot,
    }

    public static BenchReport Run(int threads, int accounts, double conflictPercent, double seconds, bool pin, int coldAccounts, bool mixed = false, bool coldFasterReads = false)
    {
        string directory = Directory.CreateTempSubdirectory("fast-bench-exec-").FullName;
        try
        {
            return Measure(directory, threads, accounts, conflictPercent, seconds, pin, coldAccounts, mixed, coldFasterReads);
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static BenchReport Measure(string directory, int threads, int accountCount, double conflictPercent, double seconds, bool pin, int coldAccounts, bool mixed, bool coldFasterReads)
    {
        AccountsDbOptions storeOptions = new()
        {
            Directory = Path.Combine(directory, "accounts"),
            IndexBytes = 16L << 20,
            MemoryBytes = 256L << 20,
        };
        TransferWorkload workload = new(accountCount, HotAccounts);
        Pubkey leader = new(Hash.Compute("leader"u8).Span);
        Random random = new(7);
        TransferBlock conflictFree = workload.CreateBlock(accountCount / 2, 0, random);
        TransferBlock hot = workload.CreateBlock(accountCount / 2, conflictPercent / 100, random);
        var results = new TransactionResult[conflictFree.Count];

        int[] helperCores = pin ? [.. Enumerable.Range(1, Math.Max(1, threads - 1)).Select(i => i % Environment.ProcessorCount)] : [];
        if (pin) CpuAffinity.TryPinCurrentThread(0, out _);
        using SealevelScheduler one = new(new SchedulerOptions { Workers = 1 });
        // Helpers spin through the freeze and root between slots (as on dedicated cores fed back to back) instead of parking each slot.
        using SealevelScheduler many = new(new SchedulerOptions { Workers = threads, HelperCores = helperCores, IdleSpin = TimeSpan.FromMilliseconds(20) });
        using SealevelScheduler inlineReference = new(new SchedulerOptions { Workers = threads, HelperCores = helperCores, IdleSpin = TimeSpan.FromMilliseconds(20), FreezeOnWorkers = false });

        var store = AccountsDb.Open(storeOptions);
        var forks = BankForks.Open(store, workload.Genesis(1_000_000_000_000, GenesisHash, leader), ChainOptions(background: true));
        BenchChain chain = new(forks, leader, conflictFree.Count);
        long overheadTicks = 0, slotsRun = 0;

        double RunSlot(SealevelScheduler scheduler, TransferBlock block)
        {
            double rate = chain.RunSlot(scheduler, block);
            overheadTicks += chain.FreezeTicks + chain.RootTicks;
            slotsRun++;
            return rate;
        }

        (SealevelScheduler Scheduler, TransferBlock Block)[] configs = [(one, conflictFree), (many, conflictFree), (one, hot), (many, hot)];
        // Warm-up to the steady state of a running node: past the blockhash age, so the status cache recycles
        // its groups (a young node allocates a new one per slot, and first touches of fresh pages by the workers
        // cost page faults that contend in the kernel); overlays are pooled by then too.
        foreach ((SealevelScheduler scheduler, TransferBlock block) in configs) RunSlot(scheduler, block);
        for (int w = 0; w < WarmUpSlots; w++) RunSlot(many, conflictFree);
        List<double>[] rates = [[], [], [], []];
        SchedulerStats manyBefore = many.Stats, oneBefore = one.Stats;
        var clock = Stopwatch.StartNew();
        while (rates[0].Count < 3 * SlotsPerTurn || clock.Elapsed.TotalSeconds < seconds)
        {
            // Each configuration runs a few slots back to back (as a pipeline would); the N-worker helpers are
            // parked before a 1-worker turn so the baseline has its spare core idle.
            for (int c = 0; c < configs.Length; c++)
            {
                many.ParkHelpers();
                for (int k = 0; k < SlotsPerTurn; k++) rates[c].Add(RunSlot(configs[c].Scheduler, configs[c].Block));
            }
            if (rates[0].Count >= 50 * SlotsPerTurn) break;
        }
        double freeOne = Throughput.Median([.. rates[0]]), freeMany = Throughput.Median([.. rates[1]]);
        double hotOne = Throughput.Median([.. rates[2]]), hotMany = Throughput.Median([.. rates[3]]);
        // The reference: the same chain and workers with the freeze on the coordinator alone and each root's
        // flush waited for (the pre-change path's costs on the critical path), interleaved with the real path.
        List<double> slotTps = [], referenceTps = [], freezeMs = [], rootMs = [], executeMs = [], referenceFreezeMs = [], referenceRootMs = [];
        for (int turn = 0; turn < SlotTurns; turn++)
        {
            many.ParkHelpers();
            chain.WaitForFlush = true;
            var reference = SlotRun.Measure(chain, inlineReference, _ => conflictFree, SteadySlots / SlotTurns);
            chain.WaitForFlush = false;
            inlineReference.ParkHelpers();
            var measured = SlotRun.Measure(chain, many, _ => conflictFree, SteadySlots / SlotTurns);
            referenceTps.Add(reference.SlotTps);
            referenceFreezeMs.Add(reference.FreezeMs);
            referenceRootMs.Add(reference.RootMs);
            slotTps.Add(measured.SlotTps);
            freezeMs.Add(measured.FreezeMs);
            rootMs.Add(measured.RootMs);
            executeMs.Add(measured.ExecuteMs);
        }
        SlotRun slots = new(Throughput.Median([.. slotTps]), Throughput.Median([.. executeMs]), Throughput.Median([.. freezeMs]), Throughput.Median([.. rootMs]), SteadySlots);
        double referenceSlotTps = Throughput.Median([.. referenceTps]);
        ColdRun? cold = coldAccounts > 0 ? ColdRun.Measure(Path.Combine(directory, "cold"), threads, helperCores, coldAccounts, ColdSlots, preadLogReads: !coldFasterReads) : null;
        MixedRun? mixedRun = mixed ? MixedRun.Measure(Path.Combine(directory, "mixed"), threads, helperCores, accountCount, conflictFree.Count) : null;
        ulong slot = chain.Tip;

        Bank tip = forks[slot]!;
        ulong capitalization = tip.Capitalization;
        ulong rootSlot = forks.Root.Slot;
        Hash rootHash = forks.Root.Hash;
        forks.WaitForRootFlush();
        long checkpointStart = Stopwatch.GetTimestamp();
        store.Checkpoint();
        double checkpointMs = (Stopwatch.GetTimestamp() - checkpointStart) * 1000.0 / Stopwatch.Frequency;
        store.Dispose();
        string recovery = CheckRecovery(storeOptions, workload, leader, rootSlot, rootHash, capitalization);
        SchedulerStats split = many.Stats.Since(manyBefore), oneSplit = one.Stats.Since(oneBefore);
        (double allocatedPerTransaction, double rootAllocatedPerSlot) = SteadyStateAllocation(Path.Combine(directory, "steady"), threads, helperCores);
        string blockstore = CheckBlockstore(Path.Combine(directory, "blocks"));

        (double readsOne, double readsMany) = MemoryReference.RandomReads(threads, 2);

        BenchReport report = new("exec");
        report.Result("conflict_free_tps", freeMany)
              .Result("conflict_free_tps_1_worker", freeOne)
              .Result("hot_tps", hotMany)
              .Result("hot_tps_1_worker", hotOne)
              .Result("workers", threads)
              .Result("accounts", accountCount)
              .Result("transactions_per_slot", conflictFree.Count)
              .Result("hot_percent", conflictPercent)
              .Result("slot_tps", slots.SlotTps)
              .Result("slot_execute_ms", slots.ExecuteMs)
              .Result("slot_freeze_ms", slots.FreezeMs)
              .Result("slot_root_ms", slots.RootMs)
              .Result("slot_freeze_and_root_ms", overheadTicks * 1000.0 / Stopwatch.Frequency / slotsRun)
              .Result("checkpoint_ms", checkpointMs)
              .Result("root_and_flush_allocated_bytes_per_slot", rootAllocatedPerSlot)
              .Result("scheduling_cpu_ns_per_tx", split.SchedulingNanoseconds / (double)Math.Max(1, split.SampledTransactions))
              .Result("execution_cpu_ns_per_tx", split.ExecutionNanoseconds / (double)Math.Max(1, split.SampledTransactions))
              .Result("execution_cpu_ns_per_tx_1_worker", oneSplit.ExecutionNanoseconds / (double)Math.Max(1, oneSplit.SampledTransactions))
              .Result("scheduling_cpu_ns_per_tx_1_worker", oneSplit.SchedulingNanoseconds / (double)Math.Max(1, oneSplit.SampledTransactions))
              .Result("execution_cpu_ns_per_tx_on_helpers", split.HelperExecutionNanoseconds / (double)Math.Max(1, split.HelperSampledTransactions))
              .Result("execution_cpu_ns_per_tx_on_coordinator", (split.ExecutionNanoseconds - split.HelperExecutionNanoseconds) / (double)Math.Max(1, split.SampledTransactions - split.HelperSampledTransactions))
              .Result("helper_share", split.HelperSampledTransactions / (double)Math.Max(1, split.SampledTransactions))
              .Reference("one_worker_conflict_free_tps", freeOne)
              .Reference("slot_tps_freeze_on_one_thread_root_flush_waited", referenceSlotTps)
              .Reference("slot_freeze_ms_on_one_thread", Throughput.Median([.. referenceFreezeMs]))
              .Reference("slot_root_ms_flush_waited", Throughput.Median([.. referenceRootMs]))
              .Reference("random_reads_per_s_1_thread", readsOne)
              .Reference("random_reads_per_s_all_workers", readsMany)
              .Ratio("slot_vs_execute_only", slots.SlotTps / freeMany)
              .Ratio("slot_vs_critical_path_reference", slots.SlotTps / referenceSlotTps)
              .Ratio("speedup_workers_vs_1", freeMany / freeOne)
              .Ratio("hot_vs_conflict_free", hotMany / freeMany)
              .Ratio("hot_speedup_workers_vs_1", hotMany / hotOne)
              .Ratio("amdahl_bound_workers", split.IdealSpeedup(threads))
              .Ratio("memory_random_read_scaling", readsMany / readsOne);
        if (cold is ColdRun coldRun) coldRun.AddTo(report, coldAccounts, slots.SlotTps);
        if (mixedRun is MixedRun mixedMeasured) ReportMixed(report, mixedMeasured, freeMany, slots.SlotTps);
        report.Note($"slot_tps: {slots.Slots} slots of {conflictFree.Count} conflict-free transfers back to back on the N-worker scheduler, each executed, frozen and the slot {BenchChain.RootDistance} back rooted (flush into FASTER on the background root thread, as the validator does), timed from the first slot's execution start to the next slot's; slot_vs_execute_only = slot_tps / conflict_free_tps; the reference runs the same chain with the freeze on the coordinator alone and each root's flush waited for (the costs on the critical path, as before), in {SlotTurns} interleaved turns");
        report.AllocatedBytesPerOp = allocatedPerTransaction;
        report.Note($"{rates[0].Count / SlotsPerTurn} rounds of {SlotsPerTurn} slots per configuration; each rate is the median per slot of {conflictFree.Count} transfers executed into a new bank (accounts on FASTER), freeze and root timed apart");
        report.Note($"workers = the scheduling thread plus {threads - 1} helper thread(s){(pin ? ", pinned to cores" : "")}; signatures are not checked (the sigverify stage does that)");
        report.Note($"timed after {WarmUpSlots + configs.Length} warm-up slots: the steady state of a running node (the status cache holds {TransactionLimits.BlockhashMaxAgeSlots} slots of signatures and recycles its tables; a young node's first slots page-fault on fresh tables); allocated_bytes_per_op is measured separately in steady state (2000 accounts, 200 slots of warm-up, then 20 slots; it is Execute's, with the background root flush waited for before each slot, since the measure is process-wide; root_and_flush_allocated_bytes_per_slot is SetRoot plus its flush, per root — the same per-root allocation the inline root made, not per transaction)");
        report.Note("amdahl_bound_workers is the speedup N workers could reach from the measured thread CPU split (one batch in 16): serial S = coordinator scheduling, parallel E = execution on all workers; bound = total / max(S, total / N)");
        report.Note("memory_random_read_scaling is this machine's aggregate random-read rate on the workers' cores over one core (64 MiB buffer, same run): the ceiling of speedup_workers_vs_1 once the accounts outgrow the caches; with a cache-sized working set (e.g. --accounts 8192) the speedup is bounded by amdahl_bound_workers instead");
        report.Note(recovery);
        report.Note(blockstore);
        return report;
    }

    /// <summary>
    /// Bytes allocated per transaction by <c>SealevelScheduler.Execute</c> in steady state (after the status
    /// cache and the overlay pool have filled): a small chain run past 150 slots, then measured process-wide.
    /// </summary>
    private static (double PerTransaction, double RootPerSlot) SteadyStateAllocation(string directory, int threads, int[] helperCores)
    {
        using var store = AccountsDb.Open(new AccountsDbOptions { Directory = directory, IndexBytes = 1L << 20, MemoryBytes = 32L << 20 });
        TransferWorkload workload = new(2000, HotAccounts, seed: 2);
        Pubkey leader = new(Hash.Compute("steady leader"u8).Span);
        var forks = BankForks.Open(store, workload.Genesis(1_000_000_000_000, GenesisHash, leader), ChainOptions(background: true));
        using SealevelScheduler scheduler = new(new SchedulerOptions { Workers = threads, HelperCores = helperCores });
        TransferBlock block = workload.CreateBlock(1000, 0.1, new Random(3));
        var results = new TransactionResult[block.Count];
        long allocated = 0, transactions = 0, rootAllocated = 0, roots = 0;
        for (ulong slot = 1; slot <= 220; slot++)
        {
            Bank parent = forks[slot - 1]!;
            Bank bank = forks.NewBank(slot, slot - 1, leader);
            block.Refresh(parent.LastBlockhash, slot);
            forks.WaitForRootFlush(); // the measure is process-wide: the root-flush thread's work is counted apart, below
            long before = GC.GetTotalAllocatedBytes(precise: true);
            scheduler.Execute(bank, block.Transactions, results);
            if (slot > 200)
            {
                allocated += GC.GetTotalAllocatedBytes(precise: true) - before;
                transactions += block.Count;
            }
            bank.Freeze(Hash.Compute(BitConverter.GetBytes(slot)));
            long rootBefore = GC.GetTotalAllocatedBytes(precise: true);
            if (slot > BenchChain.RootDistance) forks.SetRoot(slot - BenchChain.RootDistance);
            forks.WaitForRootFlush();
            if (slot > 200)
            {
                rootAllocated += GC.GetTotalAllocatedBytes(precise: true) - rootBefore;
                roots++;
            }
        }
        forks.Dispose();
        return (allocated / (double)transactions, rootAllocated / (double)roots);
    }

    /// <summary>Reopens the store this process wrote and checks the recovered root (exercises FASTER recovery inside the AOT binary).</summary>
    private static string CheckRecovery(AccountsDbOptions options, TransferWorkload workload, Pubkey leader, ulong rootSlot, Hash rootHash, ulong capitalization)
    {
        using var store = AccountsDb.Open(options);
        var forks = BankForks.Open(store, workload.Genesis(1, GenesisHash, leader));
        if (!forks.RecoveredFromCheckpoint || forks.Root.Slot != rootSlot || forks.Root.Hash != rootHash)
        {
            throw new InvalidOperationException($"recovery returned slot {forks.Root.Slot} ({forks.Root.Hash}), expected {rootSlot} ({rootHash})");
        }
        ulong total = 0;
        foreach (Account account in forks.Root.ReadAllAccounts().Values) total = checked(total + account.Lamports);
        if (total != capitalization) throw new InvalidOperationException($"recovered accounts hold {total} lamports, expected {capitalization}");
        return $"storage: FASTER checkpoint recovered root slot {rootSlot} with its bank hash; {total} lamports conserved";
    }

    private static string CheckBlockstore(string directory)
    {
        byte[] entries = new byte[4096];
        new Random(1).NextBytes(entries);
        BlockstoreOptions options = new() { Directory = directory, PageBytes = 1L << 20, MemoryBytes = 4L << 20, SegmentBytes = 16L << 20 };
        using (var store = Blockstore.Open(options))
        {
            if (store.AppendEntries(1, 0, 1, entries, slotComplete: true) != AppendStatus.Ok) throw new InvalidOperationException("blockstore append failed");
        }
        using var reopened = Blockstore.Open(options);
        byte[]? read = reopened.ReadSlotEntries(1);
        if (read is null || !read.AsSpan().SequenceEqual(entries)) throw new InvalidOperationException("blockstore did not return the committed slot after reopen");
        return "storage: Blockstore (FasterLog) commit and reopen returned the slot";
    }
}
