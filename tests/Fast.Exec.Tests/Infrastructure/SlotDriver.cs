using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Exec.Scheduling;
using Fast.Exec.Workloads;

namespace Fast.Exec.Tests.Infrastructure;

/// <summary>Drives a bank chain slot by slot: new bank, execute a refreshed block, freeze, root with a lag.</summary>
internal sealed class SlotDriver(BankForks forks, SealevelScheduler scheduler, int rootLag)
{
    private TransactionResult[] _results = [];

    public BankForks Forks { get; } = forks;

    public ulong Slot { get; private set; } = forks.Root.Slot;

    public Bank Tip => Forks[Slot]!;

    public static Hash BlockhashOf(ulong slot) => TestChain.HashOf("slot " + slot);

    /// <summary>Runs one slot; returns the bytes allocated (process-wide) by the Execute call alone.</summary>
    public long RunSlot(TransferBlock block, Pubkey leader)
    {
        Bank parent = Tip;
        Bank bank = Forks.NewBank(Slot + 1, Slot, leader);
        block.Refresh(parent.LastBlockhash, bank.Slot);
        if (_results.Length < block.Count) _results = new TransactionResult[block.Count];
        long before = GC.GetTotalAllocatedBytes(precise: true);
        scheduler.Execute(bank, block.Transactions, _results);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        for (int i = 0; i < block.Count; i++)
        {
            if (!_results[i].IsOk) throw new InvalidOperationException($"slot {bank.Slot} tx {i}: {_results[i]}");
        }
        bank.Freeze(BlockhashOf(bank.Slot));
        Slot = bank.Slot;
        if (Slot > (ulong)rootLag) Forks.SetRoot(Slot - (ulong)rootLag);
        return allocated;
    }
}
