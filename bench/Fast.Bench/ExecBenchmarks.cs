using BenchmarkDotNet.Attributes;
using Fast.Core.Primitives;
using Fast.Exec;
using Fast.Exec.Banking;
using Fast.Exec.Scheduling;
using Fast.Exec.Workloads;
using Fast.Storage.Accounts;

namespace Fast.Bench;

/// <summary>
/// One slot of 2,048 conflict-free transfers (new bank on the tip, execute, freeze — 4,097 stored
/// accounts, so the Sealevel runs hash the delta on their workers — and root 2 slots behind with the
/// flush into FASTER on BankForks' background thread, as the validator does), in steady state (GlobalSetup runs 200 slots first so the status cache
/// and the overlay pool are full): the serial path (<see cref="Bank.Process(in Fast.Core.Transactions.TransactionView)"/> per transaction, the
/// baseline) against the Sealevel scheduler with 1 and 2 workers. An invocation is a slot, so its
/// allocation budget (16 KiB, bench/allocations.json) covers the per-slot objects — the bank and its
/// copy of the 300-entry blockhash queue (~14 KB) — i.e. under 8 B per transaction at 2,048 per slot;
/// per transaction Execute allocates nothing (tests/Fast.Exec.Tests proves it).
/// </summary>
[MemoryDiagnoser]
public class ExecBenchmarks
{
    private const int Transfers = 2048;
    private static readonly Hash GenesisHash = Hash.Compute("bench genesis"u8);

    private string _directory = "";
    private AccountsDb? _store;
    private BankForks? _forks;
    private SealevelScheduler? _one;
    private SealevelScheduler? _two;
    private TransferBlock? _block;
    private readonly TransactionResult[] _results = new TransactionResult[Transfers];
    private readonly Pubkey _leader = new(Hash.Compute("bench leader"u8).Span);
    private ulong _slot;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("fast-bench-exec-").FullName;
        _store = AccountsDb.Open(new AccountsDbOptions { Directory = _directory, IndexBytes = 1L << 20, MemoryBytes = 64L << 20 });
        TransferWorkload workload = new(2 * Transfers);
        _forks = BankForks.Open(_store, workload.Genesis(1_000_000_000_000, GenesisHash, _leader), new BankForksOptions { CheckpointIntervalSlots = ulong.MaxValue, FlushInBackground = true });
        _one = new SealevelScheduler(new SchedulerOptions { Workers = 1 });
        _two = new SealevelScheduler(new SchedulerOptions { Workers = 2 });
        _block = workload.CreateBlock(Transfers, 0, new Random(1));
        for (int i = 0; i < 200; i++) SealevelTwoWorkers();
        foreach (TransactionResult result in _results)
        {
            if (!result.IsOk) throw new InvalidOperationException($"benchmark transfers must succeed: {result}");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _one?.Dispose();
        _two?.Dispose();
        _forks?.Dispose();
        _store?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Transfers)]
    public void SerialProcess()
    {
        Bank bank = NextBank();
        foreach (VerifiedTransaction tx in _block!.Transactions) bank.Process(tx.View);
        EndSlot(bank);
    }

    [Benchmark(OperationsPerInvoke = Transfers)]
    public void SealevelOneWorker() => Run(_one!);

    [Benchmark(OperationsPerInvoke = Transfers)]
    public void SealevelTwoWorkers() => Run(_two!);

    private void Run(SealevelScheduler scheduler)
    {
        Bank bank = NextBank();
        scheduler.Execute(bank, _block!.Transactions, _results);
        EndSlot(bank);
    }

    private Bank NextBank()
    {
        Bank parent = _forks![_slot]!;
        Bank bank = _forks.NewBank(_slot + 1, _slot, _leader);
        _block!.Refresh(parent.LastBlockhash, bank.Slot);
        return bank;
    }

    private void EndSlot(Bank bank)
    {
        bank.Freeze(Hash.Compute(BitConverter.GetBytes(bank.Slot)));
        _slot = bank.Slot;
        if (_slot > 2) _forks!.SetRoot(_slot - 2);
    }
}
