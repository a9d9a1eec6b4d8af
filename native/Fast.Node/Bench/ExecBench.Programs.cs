using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Exec.Scheduling;
using Fast.Exec.Workloads;
using Fast.Storage.Accounts;

namespace Fast.Node.Bench;

/// <summary>
/// `fast bench exec --workload mixed`: the same measurements as the transfer workload — execution
/// rate with 1 and N workers, and slots run back to back (execute, freeze, root) — on blocks of
/// <see cref="ProgramWorkload"/> (token, multisig, stake and system transactions in a fixed ratio) on
/// their own chain of real banks (accounts on FASTER), so a run reads as a ratio against its transfers.
/// </summary>
public static partial class ExecBench
{
    /// <summary>Slots before timing: the status cache and the overlay pool settle, and the stakes of the first blocks can be deactivated.</summary>
    private const int MixedWarmUpSlots = 24;

    /// <summary>Rounds of (1 worker, N workers) execution-rate slots.</summary>
    private const int MixedRounds = 4;

    /// <summary>Slots whose allocation is measured.</summary>
    private const int MixedAllocationSlots = 5;

    /// <summary>The most transactions a mixed block holds (blocks of the slot run are built before it, so they are held at once).</summary>
    private const int MixedMaxTransactionsPerSlot = 12_000;

    /// <summary>What the mixed-program run measured.</summary>
    private readonly record struct MixedRun(double Tps, double TpsOneWorker, SlotRun Slots, int TransactionsPerSlot, int Accounts, SchedulerStats Split, SchedulerStats SplitOneWorker, int Workers, double AllocatedBytesPerTransaction)
    {
        public static MixedRun Measure(string directory, int threads, int[] helperCores, int accounts, int transferTransactionsPerSlot)
        {
            int units = Math.Max(1, Math.Min(transferTransactionsPerSlot, MixedMaxTransactionsPerSlot) / ProgramWorkload.UnitTransactions);
            int pairs = Math.Max(accounts / 4, 2 * ProgramWorkload.PairsPerUnit * units);
            ProgramWorkload workload = new(pairs, units);
            Pubkey leader = new(Hash.Compute("mixed leader"u8).Span);
            using var store = AccountsDb.Open(new AccountsDbOptions { Directory = directory, IndexBytes = 16L << 20, MemoryBytes = 256L << 20 });
            using var forks = BankForks.Open(store, workload.Genesis(GenesisHash, leader), ChainOptions(background: true));
            using SealevelScheduler one = new(new SchedulerOptions { Workers = 1 });
            using SealevelScheduler many = new(new SchedulerOptions { Workers = threads, HelperCores = helperCores, IdleSpin = TimeSpan.FromMilliseconds(20) });
            BenchChain chain = new(forks, leader, workload.TransactionsPerBlock);
            for (int i = 0; i < MixedWarmUpSlots; i++) chain.RunSlot(i % 2 == 0 ? many : one, workload.NextBlock());

            List<double> rateOne = [], rateMany = [];
            SchedulerStats manyBefore = many.Stats, oneBefore = one.Stats;
            for (int round = 0; round < MixedRounds; round++)
            {
                // Blocks are built before each timed Execute (RunSlot times Execute alone).
                many.ParkHelpers();
                for (int k = 0; k < SlotsPerTurn; k++) rateOne.Add(chain.RunSlot(one, workload.NextBlock()));
                for (int k = 0; k < SlotsPerTurn; k++) rateMany.Add(chain.RunSlot(many, workload.NextBlock()));
            }

            SchedulerStats split = many.Stats.Since(manyBefore), splitOne = one.Stats.Since(oneBefore);

            // Allocation, process-wide (the workers allocate too): whole slots, each after the previous root's flush finished.
            long allocated = 0, measured = 0;
            for (int i = 0; i < MixedAllocationSlots; i++)
            {
                ProgramBlock block = workload.NextBlock();
                forks.WaitForRootFlush();
                long before = GC.GetTotalAllocatedBytes(precise: true);
                chain.RunSlot(many, block);
                allocated += GC.GetTotalAllocatedBytes(precise: true) - before;
                measured += block.Count;
            }

            // Slots back to back time every thread's work between slots, so the blocks are built first.
            var blocks = new ProgramBlock[SteadySlots + 1];
            for (int i = 0; i < blocks.Length; i++) blocks[i] = workload.NextBlock();
            var slots = SlotRun.Measure(chain, i => { chain.RunSlot(many, blocks[i]); return blocks[i].Count; }, SteadySlots);
            forks.WaitForRootFlush();
            return new MixedRun(Throughput.Median([.. rateMany]), Throughput.Median([.. rateOne]), slots, workload.TransactionsPerBlock, workload.GenesisAccounts, split, splitOne, threads, allocated / (double)measured);
        }
    }

    private static void ReportMixed(BenchReport report, MixedRun mixed, double transferTps, double transferSlotTps)
    {
        report.Result("mixed_tps", mixed.Tps)
              .Result("mixed_tps_1_worker", mixed.TpsOneWorker)
              .Result("mixed_slot_tps", mixed.Slots.SlotTps)
              .Result("mixed_slot_execute_ms", mixed.Slots.ExecuteMs)
              .Result("mixed_slot_freeze_ms", mixed.Slots.FreezeMs)
              .Result("mixed_slot_root_ms", mixed.Slots.RootMs)
              .Result("mixed_transactions_per_slot", mixed.TransactionsPerSlot)
              .Result("mixed_accounts", mixed.Accounts)
              .Result("mixed_scheduling_cpu_ns_per_tx", mixed.Split.SchedulingNanoseconds / (double)Math.Max(1, mixed.Split.SampledTransactions))
              .Result("mixed_execution_cpu_ns_per_tx", mixed.Split.ExecutionNanoseconds / (double)Math.Max(1, mixed.Split.SampledTransactions))
              .Result("mixed_execution_cpu_ns_per_tx_1_worker", mixed.SplitOneWorker.ExecutionNanoseconds / (double)Math.Max(1, mixed.SplitOneWorker.SampledTransactions))
              .Result("mixed_deferrals_per_tx", mixed.Split.Deferrals / (double)Math.Max(1, mixed.Split.ScheduledTransactions))
              .Result("mixed_allocated_bytes_per_tx", mixed.AllocatedBytesPerTransaction)
              .Result("mixed_helper_share", mixed.Split.HelperSampledTransactions / (double)Math.Max(1, mixed.Split.SampledTransactions))
              .Ratio("mixed_vs_transfer_tps", mixed.Tps / transferTps)
              .Ratio("mixed_vs_transfer_slot_tps", mixed.Slots.SlotTps / transferSlotTps)
              .Ratio("mixed_speedup_workers_vs_1", mixed.Tps / mixed.TpsOneWorker)
              .Ratio("mixed_amdahl_bound_workers", mixed.Split.IdealSpeedup(mixed.Workers));
        report.Note($"mixed workload: per {ProgramWorkload.UnitTransactions} transactions {ProgramWorkload.TokenTransfersPerUnit} token transfers, {ProgramWorkload.TokenMintsPerUnit} token mints (to {ProgramWorkload.Mints} mints: the hot accounts), {ProgramWorkload.SystemTransfersPerUnit} system transfers, one 2-of-3 multisig cycle (propose into a new proposal account, 2 approvals, execute paying from the vault; its steps a quarter block apart) and {ProgramWorkload.StakeOperationsPerUnit} stake operations (create + delegate, deactivate); accounts drawn at random per block from {mixed.Accounts} (its own chain on FASTER); every transaction must succeed. mixed_tps (execute only, N workers) and mixed_slot_tps ({mixed.Slots.Slots} slots back to back: execute + freeze + root) are measured as conflict_free_tps and slot_tps are, after {MixedWarmUpSlots} warm-up slots; mixed_vs_transfer_tps = mixed_tps / conflict_free_tps, mixed_vs_transfer_slot_tps = mixed_slot_tps / slot_tps (same run); mixed_allocated_bytes_per_tx is process-wide over {MixedAllocationSlots} whole slots (execute, freeze, root; each after the previous root's flush): the data arrays instructions write and slots load come from the bank tree's AccountDataPool and are recycled (docs/programs.md, 'Data is copy-on-write'), so execution allocates nothing per transaction (tests/Fast.Exec.Tests MixedBlockAllocationTests); what remains is outside execution: per slot (the new bank) and per root (the background flush, chiefly the owner-index records it reads and rewrites for the stake and proposal accounts each block creates), spread over the block");
    }
}
