using Fast.Exec.Banking;
using Fast.Exec.Tests.Infrastructure;
using Fast.Exec.Workloads;
using Xunit;

namespace Fast.Exec.Tests.Programs;

/// <summary>
/// The allocation budget of program execution in steady state (issue 13): the mixed workload — token
/// transfers and mints, a 2-of-3 multisig cycle, stake create + delegate and deactivate, system
/// transfers — executed on two workers slot after slot, each slot frozen and a slot four back rooted
/// (flushed in the background, overlays recycled), allocates nothing per transaction in execution:
/// the account data each changing instruction writes, and each data account a slot loads, comes from
/// the tree's <see cref="Storage.Accounts.AccountDataPool"/>, which recycled overlays and superseded
/// versions refill. Measured process-wide around Execute (the workers count; the previous root's
/// background flush is waited for first, as the transfer budget in SchedulerSteadyStateTests is), so it
/// runs alone.
/// </summary>
[Collection(SerialCollection.Name)]
public class MixedBlockAllocationTests
{
    [Fact]
    public void Mixed_program_slots_allocate_nothing_per_transaction_in_steady_state_across_roots()
    {
        using MixedChain chain = new("fast-mixed-alloc", units: 10, new BankForksOptions { FlushInBackground = true });
        const int RootLag = 4;
        ulong slot = 0;
        (long Bytes, long Misses) RunSlot()
        {
            ProgramBlock block = chain.Workload.NextBlock(); // built outside the measured part (a workload allocates its blocks)
            chain.Forks.WaitForRootFlush();
            long misses = chain.Forks.DataPool.Misses;
            slot++;
            chain.RunSlot(slot, slot - 1, block);
            long executed = chain.LastExecuteAllocatedBytes;
            long missed = chain.Forks.DataPool.Misses - misses;
            if (slot > RootLag) chain.Forks.SetRoot(slot - RootLag);
            return (executed, missed);
        }
        long warmUpMisses = 0;
        for (int warmUp = 0; warmUp < 200; warmUp++) warmUpMisses += RunSlot().Misses; // past 150 slots: the status cache reaches its steady size
        Assert.True(warmUpMisses > 0, "the warm-up rented arrays the pool did not have yet");

        // A per-transaction allocation shows in every window; a one-off runtime allocation (JIT, GC bookkeeping) in one.
        const int Measured = 20;
        long fewestBytes = long.MaxValue, fewestMisses = long.MaxValue;
        for (int window = 0; window < 3; window++)
        {
            long bytes = 0, misses = 0;
            for (int i = 0; i < Measured; i++)
            {
                (long b, long m) = RunSlot();
                bytes += b;
                misses += m;
            }
            fewestBytes = Math.Min(fewestBytes, bytes);
            fewestMisses = Math.Min(fewestMisses, misses);
        }
        int transactions = Measured * chain.Workload.TransactionsPerBlock;
        double perTransaction = fewestBytes / (double)transactions;
        Assert.True(perTransaction < 0.05, $"{fewestBytes} bytes over {transactions} transactions ({perTransaction:0.###} B/tx)");
        Assert.Equal(0, fewestMisses); // every data array came from the pool: recycled overlays and superseded versions refill it
    }
}
