using System.Diagnostics;
using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Exec.Scheduling;
using Fast.Exec.Workloads;
using Fast.Storage.Accounts;

namespace Fast.Node.Bench;

/// <summary>
/// `fast bench exec`'s cold-state mode: slots run back to back (as <see cref="SlotRun"/>) over a state
/// far larger than FASTER's memory — by default 10 M accounts with the in-memory log at most 1/8 of
/// the state — with each slot's senders and recipients drawn uniformly, so most of an account's first
/// touches in a slot miss FASTER's memory and go through its pending-I/O path.
/// </summary>
public static partial class ExecBench
{
    /// <summary>Transfers per cold slot (the same as the warm run's default block).</summary>
    private const int ColdBlockTransfers = 50_000;
    private const int ColdSlots = 4;
    private const int ColdWarmUpSlots = 2;

    /// <summary>Bytes one funded system account takes in FASTER's log (key, value header, record header), rounded up: sizes the cold store.</summary>
    private const long RecordBytesEstimate = 96;

    private static BankForksOptions ChainOptions(bool background) =>
        new() { CheckpointIntervalSlots = ulong.MaxValue, FlushInBackground = background };

    /// <summary>
    /// The cold slots (<see cref="Slots"/>, preload on every execution thread) and the same-run reference
    /// (<see cref="CoordinatorPreload"/>: each block's preload on the coordinator alone, 256 reads in flight
    /// — the path before the preload ran on the workers), measured in interleaved turns on one chain.
    /// </summary>
    private readonly record struct ColdRun(SlotRun Slots, SlotRun CoordinatorPreload, SlotRun PreadPreload, long StateBytes, long MemoryBytes, double SetupSeconds, bool PreadLogReads)
    {
        private const int Turns = 2;

        public static ColdRun Measure(string directory, int threads, int[] helperCores, int accounts, int slots, bool preadLogReads)
        {
            long setupStart = Stopwatch.GetTimestamp();
            long memory = Math.Max(2L << 20, FloorPowerOfTwo(accounts * RecordBytesEstimate / 8));
            AccountsDbOptions options = new()
            {
                Directory = Path.Combine(directory, "accounts"),
                IndexBytes = FloorPowerOfTwo(Math.Max(1L << 20, accounts * 16L)),
                PageBytes = 1L << 20,
                MemoryBytes = memory,
                CompactAboveBytes = 0,
                PreadLogReads = preadLogReads,
            };
            TransferWorkload workload = new(accounts, hotAccounts: 0, seed: 3);
            Pubkey leader = new(Hash.Compute("cold leader"u8).Span);
            using var store = AccountsDb.Open(options);
            using var forks = BankForks.Open(store, workload.Genesis(1_000_000_000_000, GenesisHash, leader), ChainOptions(background: true));
            long stateBytes = store.LogBytes;
            Random random = new(11);
            int perTurn = Math.Max(1, slots / Turns);
            // A fresh block per slot (a block run twice would find its accounts warm): warm-up, then each turn's two runs of perTurn + 1 slots.
            var blocks = new TransferBlock[ColdWarmUpSlots + Turns * 3 * (perTurn + 1)];
            for (int i = 0; i < blocks.Length; i++) blocks[i] = workload.CreateUniformBlock(ColdBlockTransfers, random);
            using SealevelScheduler scheduler = new(new SchedulerOptions { Workers = threads, HelperCores = helperCores, IdleSpin = TimeSpan.FromMilliseconds(20) });
            using SealevelScheduler coordinatorPreload = new(new SchedulerOptions
            {
                Workers = threads, HelperCores = helperCores, IdleSpin = TimeSpan.FromMilliseconds(20), PreloadOnWorkers = false, PreloadReadsInFlight = 256,
            });
            using SealevelScheduler preadPreload = new(new SchedulerOptions
            {
                Workers = threads, HelperCores = helperCores, IdleSpin = TimeSpan.FromMilliseconds(20), PreloadBatchedReads = false,
            });
            BenchChain chain = new(forks, leader, ColdBlockTransfers);
            for (int i = 0; i < ColdWarmUpSlots; i++) chain.RunSlot(scheduler, blocks[i]);
            double setupSeconds = Stopwatch.GetElapsedTime(setupStart).TotalSeconds;
            List<SlotRun> measured = [], reference = [], pread = [];
            int next = ColdWarmUpSlots;
            for (int turn = 0; turn < Turns; turn++)
            {
                scheduler.ParkHelpers();
                int at = next;
                reference.Add(SlotRun.Measure(chain, coordinatorPreload, i => blocks[at + i], perTurn));
                next += perTurn + 1;
                coordinatorPreload.ParkHelpers();
                int by = next;
                pread.Add(SlotRun.Measure(chain, preadPreload, i => blocks[by + i], perTurn));
                next += perTurn + 1;
                preadPreload.ParkHelpers();
                int from = next;
                measured.Add(SlotRun.Measure(chain, scheduler, i => blocks[from + i], perTurn));
                next += perTurn + 1;
            }
            forks.WaitForRootFlush();
            return new ColdRun(Combine(measured), Combine(reference), Combine(pread), stateBytes, memory, setupSeconds, preadLogReads);
        }

        /// <summary>Adds the cold figures to <paramref name="report"/>; <paramref name="warmSlotTps"/> is the warm run's slot rate.</summary>
        public void AddTo(BenchReport report, int accounts, double warmSlotTps)
        {
            report.Result("cold_slot_tps", Slots.SlotTps)
                  .Result("cold_slot_execute_ms", Slots.ExecuteMs)
                  .Result("cold_slot_preload_ms", Slots.PreloadMs)
                  .Result("cold_slot_freeze_ms", Slots.FreezeMs)
                  .Result("cold_slot_root_ms", Slots.RootMs)
                  .Result("cold_accounts", accounts)
                  .Result("cold_state_mib", StateBytes / (double)(1 << 20))
                  .Result("cold_faster_memory_mib", MemoryBytes / (double)(1 << 20))
                  .Result("cold_setup_s", SetupSeconds)
                  .Reference("cold_slot_tps_preload_on_coordinator", CoordinatorPreload.SlotTps)
                  .Reference("cold_slot_execute_ms_preload_on_coordinator", CoordinatorPreload.ExecuteMs)
                  .Reference("cold_slot_tps_preload_by_pread", PreadPreload.SlotTps)
                  .Reference("cold_slot_preload_ms_by_pread", PreadPreload.PreloadMs)
                  .Ratio("cold_vs_warm_slot_tps", Slots.SlotTps / warmSlotTps)
                  .Ratio("cold_batched_reads_vs_pread", Slots.SlotTps / PreadPreload.SlotTps)
                  .Ratio("cold_preload_on_workers_vs_coordinator", Slots.SlotTps / CoordinatorPreload.SlotTps);
            report.Note($"cold state: {accounts} accounts ({StateBytes >> 20} MiB of FASTER log) with FASTER's memory at {MemoryBytes >> 20} MiB, {Slots.Slots} slots back to back of {ColdBlockTransfers} transfers between senders and recipients drawn uniformly (a fresh block per slot), so most first touches miss FASTER's memory and read the disk; each block's cold accounts are preloaded by every execution thread, 1,024 reads in flight per thread, each thread's reads handed to the kernel together (one io_uring call per 1,024); references, in {Turns} interleaved turns on the same chain: the same preload with one pread per read (cold_slot_tps_preload_by_pread), and the preload on the coordinator alone with 256 in flight (the path before that); the log is read {(PreadLogReads ? "by the reading thread" : "through FASTER's own device (thread-pool completions; --cold-faster-reads)")}; setup took {SetupSeconds:0} s");
        }

        private static SlotRun Combine(List<SlotRun> runs)
        {
            double transactions = 0, seconds = 0;
            int slots = 0;
            foreach (SlotRun run in runs)
            {
                transactions += (double)run.Slots * ColdBlockTransfers;
                seconds += run.Slots * ColdBlockTransfers / run.SlotTps;
                slots += run.Slots;
            }
            double[] execute = [.. runs.Select(r => r.ExecuteMs)], freeze = [.. runs.Select(r => r.FreezeMs)], root = [.. runs.Select(r => r.RootMs)], preload = [.. runs.Select(r => r.PreloadMs)];
            return new SlotRun(transactions / seconds, Throughput.Median(execute), Throughput.Median(freeze), Throughput.Median(root), slots, Throughput.Median(preload));
        }

        private static long FloorPowerOfTwo(long value) => 1L << (int)(63 - long.LeadingZeroCount(value));
    }
}
