using System.Diagnostics;
using Fast.Core.Primitives;
using Fast.Exec;
using Fast.Exec.Banking;
using Fast.Exec.Scheduling;
using Fast.Exec.Workloads;

namespace Fast.Node.Bench;

/// <summary>
/// A chain of slots as `fast bench exec` drives it: each slot is a new bank on the tip, one block (transfers or the mixed-program workload)
/// executed through a <see cref="SealevelScheduler"/>, the bank frozen, and the slot
/// <see cref="RootDistance"/> back rooted — what the validator's banking stage does per slot. Records
/// when each slot's execution started and how long its execution, freeze and root took.
/// Bench thread only.
/// </summary>
internal sealed class BenchChain(BankForks forks, Pubkey leader, int maxTransactions)
{
    /// <summary>Slots between the tip and the root (the validator's RootDistance stand-in).</summary>
    public const int RootDistance = 2;

    private readonly TransactionResult[] _results = new TransactionResult[maxTransactions];

    public BankForks Forks { get; } = forks;

    /// <summary>The last frozen slot.</summary>
    public ulong Tip { get; private set; } = forks.Root.Slot;

    /// <summary>Stopwatch timestamp at which the last slot's execution began.</summary>
    public long ExecutionStarted { get; private set; }

    public long ExecuteTicks { get; private set; }

    public long FreezeTicks { get; private set; }

    /// <summary>The last slot's preload of cold accounts (inside <see cref="ExecuteTicks"/>; 0 when the state was warm).</summary>
    public long PreloadTicks { get; private set; }

    public long RootTicks { get; private set; }

    /// <summary>Wait for each root's flush into FASTER before the next slot (the inline root's cost on the critical path, with a background flush).</summary>
    public bool WaitForFlush { get; set; }

    /// <summary>Accounts the roots reported flushed (inline roots: by this root; background roots: finished since the previous one).</summary>
    public long FlushedAccounts { get; private set; }

    /// <summary>Runs one slot; returns its execution rate (transactions per second of <c>Execute</c> alone).</summary>
    public double RunSlot(SealevelScheduler scheduler, TransferBlock block) => RunSlot(scheduler, block.Transactions, block.Refresh);

    /// <summary>Runs one slot of the mixed-program workload; returns its execution rate.</summary>
    public double RunSlot(SealevelScheduler scheduler, ProgramBlock block) => RunSlot(scheduler, block.Transactions, block.Refresh);

    private delegate void BlockRefresh(in Hash blockhash, ulong nonce);

    private double RunSlot(SealevelScheduler scheduler, VerifiedTransaction[] transactions, BlockRefresh refresh)
    {
        Bank parent = Forks[Tip]!;
        Bank bank = Forks.NewBank(Tip + 1, Tip, leader);
        refresh(parent.LastBlockhash, bank.Slot);
        long start = Stopwatch.GetTimestamp();
        scheduler.Execute(bank, transactions, _results);
        long executed = Stopwatch.GetTimestamp();
        for (int i = 0; i < transactions.Length; i++)
        {
            if (!_results[i].IsOk) throw new InvalidOperationException($"bench transaction {i} in slot {bank.Slot} failed: {_results[i]}");
        }
        long checkedAt = Stopwatch.GetTimestamp();
        bank.Freeze(Hash.Compute(BitConverter.GetBytes(bank.Slot)));
        long frozen = Stopwatch.GetTimestamp();
        Tip = bank.Slot;
        if (Tip > RootDistance)
        {
            RootOutcome outcome = Forks.SetRoot(Tip - RootDistance);
            FlushedAccounts += outcome.FlushedAccounts;
            if (WaitForFlush) Forks.WaitForRootFlush();
        }
        long rooted = Stopwatch.GetTimestamp();
        ExecutionStarted = start;
        ExecuteTicks = executed - start;
        PreloadTicks = scheduler.LastPreloadTicks;
        FreezeTicks = frozen - checkedAt;
        RootTicks = rooted - frozen;
        return transactions.Length * (double)Stopwatch.Frequency / ExecuteTicks;
    }
}

/// <summary>
/// What <see cref="ExecBench"/> measures over slots run back to back: <see cref="SlotTps"/> =
/// transactions ÷ the wall time from the first slot's execution start to the start of the slot after
/// the last (so every cost on any thread that delays the next slot counts), and the per-slot medians.
/// </summary>
internal readonly record struct SlotRun(double SlotTps, double ExecuteMs, double FreezeMs, double RootMs, int Slots, double PreloadMs = 0)
{
    /// <summary>Runs <paramref name="slots"/> + 1 slots back to back, taking block i from <paramref name="blockFor"/>.</summary>
    public static SlotRun Measure(BenchChain chain, SealevelScheduler scheduler, Func<int, TransferBlock> blockFor, int slots) =>
        Measure(chain, i =>
        {
            TransferBlock block = blockFor(i);
            chain.RunSlot(scheduler, block);
            return block.Count;
        }, slots);

    /// <summary>Runs <paramref name="slots"/> + 1 slots back to back, slot i by <paramref name="runSlot"/> (which returns its transaction count).</summary>
    public static SlotRun Measure(BenchChain chain, Func<int, int> runSlot, int slots)
    {
        double[] execute = new double[slots], freeze = new double[slots], root = new double[slots], preload = new double[slots];
        long transactions = 0;
        long first = 0;
        for (int i = 0; i <= slots; i++)
        {
            int count = runSlot(i);
            if (i == 0) first = chain.ExecutionStarted;
            if (i == slots) break;
            transactions += count;
            execute[i] = Milliseconds(chain.ExecuteTicks);
            freeze[i] = Milliseconds(chain.FreezeTicks);
            root[i] = Milliseconds(chain.RootTicks);
            preload[i] = Milliseconds(chain.PreloadTicks);
        }
        double seconds = (chain.ExecutionStarted - first) / (double)Stopwatch.Frequency;
        return new SlotRun(transactions / seconds, Throughput.Median(execute), Throughput.Median(freeze), Throughput.Median(root), slots, Throughput.Median(preload));
    }

    private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
