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

    private readonly record struct ColdRun(SlotRun Slots, long StateBytes, long MemoryBytes, double SetupSeconds)
    {
        public static ColdRun Measure(string directory, int threads, int[] helperCores, int accounts, int slots)
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
            };
            TransferWorkload workload = new(accounts, hotAccounts: 0, seed: 3);
            Pubkey leader = new(Hash.Compute("cold leader"u8).Span);
            using var store = AccountsDb.Open(options);
            using var forks = BankForks.Open(store, workload.Genesis(1_000_000_000_000, GenesisHash, leader), ChainOptions(background: true));
            long stateBytes = store.LogBytes;
            Random random = new(11);
            var blocks = new TransferBlock[ColdWarmUpSlots + slots + 1];
            for (int i = 0; i < blocks.Length; i++) blocks[i] = workload.CreateUniformBlock(ColdBlockTransfers, random);
            using SealevelScheduler scheduler = new(new SchedulerOptions { Workers = threads, HelperCores = helperCores, IdleSpin = TimeSpan.FromMilliseconds(20) });
            BenchChain chain = new(forks, leader, ColdBlockTransfers);
            for (int i = 0; i < ColdWarmUpSlots; i++) chain.RunSlot(scheduler, blocks[i]);
            double setupSeconds = Stopwatch.GetElapsedTime(setupStart).TotalSeconds;
            var run = SlotRun.Measure(chain, scheduler, i => blocks[ColdWarmUpSlots + i], slots);
            forks.WaitForRootFlush();
            return new ColdRun(run, stateBytes, memory, setupSeconds);
        }

        private static long FloorPowerOfTwo(long value) => 1L << (int)(63 - long.LeadingZeroCount(value));
    }
}
