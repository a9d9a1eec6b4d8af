using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Exec.Scheduling;
using Fast.Exec.Tests.Infrastructure;
using Fast.Exec.Workloads;
using Fast.Storage.Accounts;
using Xunit;

namespace Fast.Exec.Tests.Banking;

/// <summary>
/// BankForks with <see cref="BankForksOptions.FlushInBackground"/>: the same chain, accounts and
/// recovered root as the inline flush; rooted slots readable until flushed; overlays retired once
/// flushed; freeze and root allocate nothing on the owner thread in steady state.
/// </summary>
public class BackgroundRootFlushTests
{
    private static readonly Pubkey Leader = TestChain.Key(999);

    /// <summary>
    /// 60 slots of transfers among 40 accounts (a losing sibling fork every 7 slots, pruned by the next
    /// root), rooted 2 behind the tip, a checkpoint every 5 roots; returns every slot's bank hash, the
    /// tip's accounts and what the store holds once the flushes are done.
    /// </summary>
    private static ChainResult RunChain(bool background)
    {
        using TestChain chain = new("fast-bg-flush");
        List<Hash> hashes = [];
        Dictionary<Pubkey, Account> tipAccounts, stored;
        ulong rootSlot;
        using (var forks = BankForks.Open(chain.Accounts, TestChain.Genesis(40, 1_000_000_000, Leader),
            new BankForksOptions { CheckpointIntervalSlots = 5, FlushInBackground = background, MaxPendingRootFlushes = 2, OverlayGraceRoots = 2 }))
        {
            Random random = new(17);
            for (ulong slot = 1; slot <= 60; slot++)
            {
                Bank parent = forks[slot - 1]!;
                Bank bank = forks.NewBank(slot, slot - 1, Leader);
                for (int t = 0; t < 6; t++)
                {
                    TransactionResult result = bank.Process(TestTransactions.View(TestTransactions.Transfer(random, TestChain.Key(random.Next(40)), TestChain.Key(random.Next(40)), (ulong)random.Next(1, 1000), parent.LastBlockhash)));
                    Assert.True(result.IsCommitted, result.ToString());
                }
                hashes.Add(bank.Freeze(TestChain.HashOf("slot " + slot)));
                if (slot % 7 == 0)
                {
                    // A sibling of this slot on the same parent: it loses and is pruned by a later root.
                    Bank sibling = forks.NewBank(slot + 100, slot - 1, Leader); // above the chain's slots, within the blockhash age
                    TransactionResult lost = sibling.Process(TestTransactions.View(TestTransactions.Transfer(random, TestChain.Key(1), TestChain.Key(2), 5, parent.LastBlockhash)));
                    Assert.True(lost.IsOk, lost.ToString());
                    sibling.Freeze(TestChain.HashOf("sibling " + slot));
                }
                if (slot > 2) forks.SetRoot(slot - 2);
            }
            tipAccounts = forks[60]!.ReadAllAccounts();
            forks.WaitForRootFlush();
            Assert.Equal(0, forks.PendingRootFlushes);
            Assert.True(forks.Root.IsFlushed);
            stored = chain.Accounts.ReadAll();
            rootSlot = forks.Root.Slot;
        }
        chain.Accounts.Checkpoint();
        chain.Accounts.Dispose(); // closed before the folder is reopened (TestChain's dispose is then a no-op for it)
        using var reopened = AccountsDb.Open(TestChain.StoreOptions(chain.Directory));
        var recovered = BankForks.Open(reopened, TestChain.Genesis(40, 1_000_000_000, Leader));
        Assert.Equal(rootSlot, recovered.Root.Slot);
        return new ChainResult(hashes, tipAccounts, stored, recovered.Root.Slot, recovered.Root.Hash);
    }

    private sealed record ChainResult(List<Hash> Hashes, Dictionary<Pubkey, Account> Tip, Dictionary<Pubkey, Account> Store, ulong RecoveredRoot, Hash RecoveredHash);

    [Fact]
    public void A_background_root_flush_leaves_the_same_bank_hashes_accounts_and_recovered_root_as_the_inline_flush()
    {
        ChainResult inline = RunChain(background: false);
        ChainResult background = RunChain(background: true);

        Assert.Equal(inline.Hashes, background.Hashes);
        Assert.Equal(inline.Tip, background.Tip);
        Assert.Equal(inline.Store, background.Store);
        Assert.Equal((inline.RecoveredRoot, inline.RecoveredHash), (background.RecoveredRoot, background.RecoveredHash));
    }

    [Fact]
    public void Once_a_background_flush_is_done_the_rooted_overlays_are_retired_and_the_root_reads_from_the_store()
    {
        using TestChain chain = new("fast-bg-retire");
        using var forks = BankForks.Open(chain.Accounts, TestChain.Genesis(4, 1_000_000, Leader), new BankForksOptions { FlushInBackground = true, OverlayGraceRoots = 1 });
        Bank one = forks.NewBank(1, 0, Leader);
        Assert.True(one.Process(TestTransactions.View(TestTransactions.Transfer(new Random(1), TestChain.Key(0), TestChain.Key(1), 7, TestChain.GenesisHash))).IsOk);
        one.Freeze(TestChain.HashOf("1"));
        Bank two = forks.NewBank(2, 1, Leader);
        two.Freeze(TestChain.HashOf("2"));

        RootOutcome first = forks.SetRoot(1);
        Assert.True(one.IsRooted);
        Assert.Equal(1_000_007UL, two.GetBalance(TestChain.Key(1))); // flushed or not, slot 1's write is visible below slot 2
        forks.WaitForRootFlush();
        Assert.True(one.IsFlushed);
        Assert.Equal(0, one.TouchedAccounts); // its overlay was retired once the flush was collected
        Assert.Equal(1_000_007UL, chain.Accounts.Read(TestChain.Key(1)).Lamports);
        Assert.Equal(1_000_007UL, one.GetBalance(TestChain.Key(1)));
        Assert.Equal(0, first.FlushedBanks); // the flush figures come with the root after the flush finished

        RootOutcome second = forks.SetRoot(2);
        Assert.Equal(1, second.FlushedBanks);
        Assert.True(second.FlushedAccounts >= 2);
        forks.WaitForRootFlush();
        Assert.Null(two.Parent); // the link to the flushed slot 1 is dropped once that flush is collected
    }

    [Fact]
    public void Freezing_on_the_workers_and_rooting_in_the_background_allocate_nothing_on_the_owner_thread_in_steady_state()
    {
        using TestChain chain = new("fast-bg-alloc");
        TransferWorkload workload = new(20_000, hotAccounts: 4, seed: 3);
        using var forks = BankForks.Open(chain.Accounts, workload.Genesis(1_000_000_000, TestChain.GenesisHash, Leader),
            new BankForksOptions { CheckpointIntervalSlots = 1_000_000, FlushInBackground = true });
        using SealevelScheduler scheduler = new(new SchedulerOptions { Workers = 2 });
        TransferBlock block = workload.CreateBlock(6000, 0.05, new Random(5)); // 12,000 stored accounts: past the parallel threshold
        var results = new TransactionResult[block.Count];
        Hash[] lastHashes = [.. Enumerable.Range(0, 60).Select(i => TestChain.HashOf("slot " + i))];
        ulong slot = 0;
        long frozenAndRooted = 0;
        void Slot()
        {
            slot++;
            Bank parent = forks[slot - 1]!;
            Bank bank = forks.NewBank(slot, slot - 1, Leader);
            block.Refresh(parent.LastBlockhash, slot);
            scheduler.Execute(bank, block.Transactions, results);
            long before = GC.GetAllocatedBytesForCurrentThread();
            bank.Freeze(lastHashes[slot]);
            if (slot > 2) forks.SetRoot(slot - 2);
            frozenAndRooted += GC.GetAllocatedBytesForCurrentThread() - before;
        }
        for (int warmUp = 0; warmUp < 20; warmUp++) Slot();
        long fewest = long.MaxValue;
        for (int round = 0; round < 3; round++) // a per-slot allocation shows in every round of 10 slots; a one-off under load in one (see Allocations.SteadyState)
        {
            frozenAndRooted = 0;
            for (int i = 0; i < 10; i++) Slot();
            fewest = Math.Min(fewest, frozenAndRooted);
        }
        Assert.Equal(0, fewest);
    }
}
