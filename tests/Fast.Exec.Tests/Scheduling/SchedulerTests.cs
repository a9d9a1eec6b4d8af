using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Exec.Scheduling;
using Fast.Exec.Tests.Infrastructure;
using Fast.Exec.Workloads;
using Xunit;

namespace Fast.Exec.Tests.Scheduling;

public class SchedulerTests
{
    private static readonly Pubkey Leader = TestChain.Key(999_999);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Transfers_all_paying_one_hot_account_chain_in_batches_and_all_land(int workers)
    {
        using TestChain chain = new();
        TransferWorkload workload = new(2000, hotAccounts: 1);
        var genesis = Bank.Genesis(chain.Accounts, workload.Genesis(1_000_000, TestChain.GenesisHash));
        Bank bank = new(genesis, 1, Leader);
        TransferBlock block = workload.CreateBlock(1000, hotFraction: 1.0, new Random(1));
        block.Refresh(TestChain.GenesisHash, 1);
        using SealevelScheduler scheduler = new(new SchedulerOptions { Workers = workers });
        var results = new TransactionResult[block.Count];
        scheduler.Execute(bank, block.Transactions, results);
        Assert.All(results, r => Assert.True(r.IsOk));
        Assert.Equal(1_000_000UL + 1000, bank.GetBalance(workload.HotKeys[0]));
        Assert.True(scheduler.Stats.AverageBatchSize > 8, $"average batch {scheduler.Stats.AverageBatchSize}: conflicting transfers should chain in one batch");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_transaction_repeated_in_a_block_is_processed_once(int workers)
    {
        using TestChain chain = new();
        var genesis = Bank.Genesis(chain.Accounts, TestChain.Genesis(4, 1_000_000));
        Bank bank = new(genesis, 1, Leader);
        byte[] tx = TestTransactions.Transfer(new Random(1), TestChain.Key(0), TestChain.Key(1), 10, TestChain.GenesisHash);
        byte[] other = TestTransactions.Transfer(new Random(2), TestChain.Key(2), TestChain.Key(3), 10, TestChain.GenesisHash);
        VerifiedTransaction[] block = [.. new[] { tx, other, tx, tx }.Select(TestTransactions.Verified)];
        using SealevelScheduler scheduler = new(new SchedulerOptions { Workers = workers });
        var results = new TransactionResult[block.Length];
        scheduler.Execute(bank, block, results);
        Assert.Equal([TransactionError.None, TransactionError.None, TransactionError.AlreadyProcessed, TransactionError.AlreadyProcessed], results.Select(r => r.Error));
        Assert.Equal(1_000_010UL, bank.GetBalance(TestChain.Key(1)));
        Assert.Equal(2UL, bank.TransactionCount);
    }

    [Fact]
    public void Executing_on_a_frozen_bank_is_refused()
    {
        using TestChain chain = new();
        var genesis = Bank.Genesis(chain.Accounts, TestChain.Genesis(2, 1_000_000));
        using SealevelScheduler scheduler = new();
        VerifiedTransaction[] block = [TestTransactions.Verified(TestTransactions.Transfer(new Random(1), TestChain.Key(0), TestChain.Key(1), 1, TestChain.GenesisHash))];
        Assert.Throws<InvalidOperationException>(() => scheduler.Execute(genesis, block, new TransactionResult[1]));
    }

    [Fact]
    public void Pinned_helpers_execute_like_unpinned_ones()
    {
        using TestChain chain = new();
        TransferWorkload workload = new(400);
        var genesis = Bank.Genesis(chain.Accounts, workload.Genesis(1_000_000, TestChain.GenesisHash));
        TransferBlock block = workload.CreateBlock(200, 0.1, new Random(3));
        block.Refresh(TestChain.GenesisHash, 1);
        var hashes = new Hash[2];
        for (int run = 0; run < 2; run++)
        {
            using SealevelScheduler scheduler = new(new SchedulerOptions { Workers = 2, HelperCores = run == 0 ? [0] : null });
            Bank bank = new(genesis, 1, Leader);
            scheduler.Execute(bank, block.Transactions, new TransactionResult[block.Count]);
            hashes[run] = bank.Freeze(Hash.Zero);
        }
        Assert.Equal(hashes[0], hashes[1]);
    }
}

[Collection(SerialCollection.Name)]
public class SchedulerSteadyStateTests
{
    private static readonly Pubkey Leader = TestChain.Key(999_999);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Executing_transfers_in_steady_state_allocates_nothing_per_transaction(int workers)
    {
        using TestChain chain = new();
        TransferWorkload workload = new(2000);
        var forks = BankForks.Open(chain.Accounts, workload.Genesis(1_000_000_000, TestChain.GenesisHash), new BankForksOptions { CheckpointIntervalSlots = 1_000_000 });
        using SealevelScheduler scheduler = new(new SchedulerOptions { Workers = workers });
        SlotDriver driver = new(forks, scheduler, rootLag: 4);
        TransferBlock block = workload.CreateBlock(1000, 0.1, new Random(1));
        for (int slot = 0; slot < 200; slot++) driver.RunSlot(block, Leader); // past 150 slots: the status cache reaches its steady size
        // Process-wide: includes the helper threads (and anything else the runtime did meanwhile, such as
        // a background JIT or GC bookkeeping once in a while). A per-transaction allocation shows in every
        // window; a one-off runtime allocation in one window only, so the quietest of three windows counts.
        const int Measured = 30;
        long allocated = long.MaxValue;
        for (int window = 0; window < 3; window++)
        {
            long inWindow = 0;
            for (int slot = 0; slot < Measured; slot++) inWindow += driver.RunSlot(block, Leader);
            allocated = Math.Min(allocated, inWindow);
        }
        double perTransaction = allocated / (double)(Measured * block.Count);
        Assert.True(perTransaction < 0.05, $"{allocated} bytes over {Measured * block.Count} transactions ({perTransaction:0.###} B/tx)");
    }

    [Fact]
    public void Memory_stays_bounded_over_a_long_run_because_rooted_overlays_are_freed()
    {
        using TestChain chain = new();
        TransferWorkload workload = new(4000);
        var forks = BankForks.Open(chain.Accounts, workload.Genesis(1_000_000_000, TestChain.GenesisHash), new BankForksOptions { CheckpointIntervalSlots = 1_000_000 });
        using SealevelScheduler scheduler = new(new SchedulerOptions { Workers = 2 });
        SlotDriver driver = new(forks, scheduler, rootLag: 8);
        TransferBlock block = workload.CreateBlock(2000, 0.1, new Random(1));
        int slots = int.TryParse(Environment.GetEnvironmentVariable("FAST_SOAK_SLOTS"), out int s) ? s : 500;
        long heapAtWarm = 0;
        long statusCapacity = 0;
        for (int slot = 1; slot <= slots; slot++)
        {
            driver.RunSlot(block, Leader);
            if (slot == 200)
            {
                heapAtWarm = GC.GetTotalMemory(forceFullCollection: true);
                statusCapacity = forks.Root.StatusCache.Capacity;
            }
            if (slot > 200 && slot % 50 == 0)
            {
                Assert.InRange(forks.Count, 1, 9 + 1);
                Assert.InRange(forks.RetiredOverlays + forks.PooledOverlays, 0, 16);
                Assert.InRange(forks.Root.StatusCache.Capacity, 0, statusCapacity * 5 / 4);
                Assert.InRange(forks.Root.StatusCache.Groups, 1, 160);
            }
        }
        long heapAtEnd = GC.GetTotalMemory(forceFullCollection: true);
        Assert.True(heapAtEnd < heapAtWarm * 1.2 + (4 << 20), $"managed heap grew from {heapAtWarm} to {heapAtEnd} bytes over {slots - 200} slots");
        // Lamports are conserved across all of it.
        Assert.Equal(driver.Tip.Capitalization, driver.Tip.ReadAllAccounts().Values.Aggregate(0UL, (sum, a) => checked(sum + a.Lamports)));
    }
}
