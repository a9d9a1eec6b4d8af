using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Exec.Scheduling;
using Fast.Exec.Workloads;
using Fast.Storage.Accounts;
using Fast.Testing;

namespace Fast.Exec.Tests.Infrastructure;

/// <summary>
/// A bank tree on its own FASTER store running <see cref="ProgramWorkload"/> blocks (token transfers
/// and mints, a multisig cycle, stake operations, system transfers): a slot is a new bank, the block
/// refreshed for it, executed (every transaction must succeed), frozen. The store holds the whole run
/// in memory, so no read waits on the disk.
/// </summary>
internal sealed class MixedChain : IDisposable
{
    public static readonly Pubkey Leader = TestChain.Key(888_888);

    private readonly TempDir _dir;
    private readonly AccountsDb _store;
    private readonly SealevelScheduler _scheduler;
    private TransactionResult[] _results = [];

    public MixedChain(string prefix, int units, BankForksOptions options, int workers = 2)
    {
        _dir = new TempDir(prefix);
        _store = AccountsDb.Open(new AccountsDbOptions { Directory = _dir.Path, IndexBytes = 4L << 20, PageBytes = 1L << 20, MemoryBytes = 128L << 20, SegmentBytes = 64L << 20 });
        Workload = new ProgramWorkload(pairs: 2 * ProgramWorkload.PairsPerUnit * units, units);
        Forks = BankForks.Open(_store, Workload.Genesis(TestChain.GenesisHash, Leader), options with { CheckpointIntervalSlots = 1_000_000 });
        _scheduler = new SealevelScheduler(new SchedulerOptions { Workers = workers });
    }

    public ProgramWorkload Workload { get; }

    public BankForks Forks { get; }

    /// <summary>Bytes the last <see cref="RunSlot"/>'s Execute call allocated, process-wide (the workers too).</summary>
    public long LastExecuteAllocatedBytes { get; private set; }

    /// <summary>Runs <paramref name="block"/> in a new bank <paramref name="slot"/> on <paramref name="parentSlot"/> and freezes it; returns the bank.</summary>
    public Bank RunSlot(ulong slot, ulong parentSlot, ProgramBlock block)
    {
        Bank parent = Forks[parentSlot]!;
        Bank bank = Forks.NewBank(slot, parentSlot, Leader);
        block.Refresh(parent.LastBlockhash, slot);
        if (_results.Length < block.Count) _results = new TransactionResult[block.Count];
        long before = GC.GetTotalAllocatedBytes(precise: true);
        _scheduler.Execute(bank, block.Transactions, _results);
        LastExecuteAllocatedBytes = GC.GetTotalAllocatedBytes(precise: true) - before;
        for (int i = 0; i < block.Count; i++)
        {
            if (!_results[i].IsOk) throw new InvalidOperationException($"slot {slot} tx {i}: {_results[i]}");
        }
        bank.Freeze(TestChain.HashOf("mixed slot " + slot));
        return bank;
    }

    public void Dispose()
    {
        Forks.Dispose();
        _scheduler.Dispose();
        _store.Dispose();
        _dir.Dispose();
    }
}
