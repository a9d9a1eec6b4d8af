using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Exec.Tests.Infrastructure;
using Fast.Storage.Accounts;
using Xunit;

namespace Fast.Exec.Tests.Banking;

public class BankForksTests
{
    private static readonly Pubkey Leader = TestChain.Key(999);

    private static void Transfer(Bank bank, int from, int to, ulong lamports, int seed)
    {
        TransactionResult result = bank.Process(TestTransactions.View(TestTransactions.Transfer(new Random(seed), TestChain.Key(from), TestChain.Key(to), lamports, bank.Parent!.LastBlockhash)));
        Assert.True(result.IsOk, result.ToString());
    }

    [Fact]
    public void Rooting_flushes_the_path_into_the_store_and_prunes_the_other_forks()
    {
        using TestChain chain = new();
        var forks = BankForks.Open(chain.Accounts, TestChain.Genesis(4, 1_000_000));
        Assert.False(forks.RecoveredFromCheckpoint);
        Assert.Equal(1_000_000UL, chain.Accounts.Read(TestChain.Key(0)).Lamports);

        Bank one = forks.NewBank(1, 0, Leader);
        Transfer(one, 0, 1, 100, 1);
        one.Freeze(TestChain.HashOf("1"));
        Bank two = forks.NewBank(2, 1, Leader);
        Transfer(two, 1, 2, 50, 2);
        two.Freeze(TestChain.HashOf("2"));
        Bank fork = forks.NewBank(3, 1, Leader); // sibling of 2
        Transfer(fork, 0, 3, 7, 3);
        fork.Freeze(TestChain.HashOf("3"));

        RootOutcome outcome = forks.SetRoot(2);
        Assert.Equal(2, outcome.FlushedBanks);
        Assert.Equal(1, outcome.PrunedBanks);
        Assert.Same(two, forks.Root);
        Assert.Null(two.Parent);
        Assert.True(fork.IsDead);
        Assert.Null(forks[3]);
        Assert.Equal(1, forks.Count);
        Assert.Equal(1_000_000UL + 100 - 50 - 5000, chain.Accounts.Read(TestChain.Key(1)).Lamports);
        Assert.Equal(1_000_050UL, chain.Accounts.Read(TestChain.Key(2)).Lamports);
        Assert.Equal(1_000_000UL, chain.Accounts.Read(TestChain.Key(3)).Lamports); // the pruned fork never reached the store
        Assert.Equal(10_000UL, chain.Accounts.Read(Leader).Lamports);
        Assert.Equal(1_000_050UL, two.GetBalance(TestChain.Key(2))); // the root reads the store
        Assert.Throws<InvalidOperationException>(() => fork.GetAccount(TestChain.Key(0)));
        Assert.Throws<InvalidOperationException>(() => one.GetAccount(TestChain.Key(0)));
        Assert.Equal(4_000_000UL, forks.Root.ReadAllAccounts().Values.Aggregate(0UL, (s, a) => s + a.Lamports));
    }

    [Fact]
    public void Released_overlays_are_reused_after_the_grace_period()
    {
        using TestChain chain = new();
        var forks = BankForks.Open(chain.Accounts, TestChain.Genesis(2, 1_000_000), new BankForksOptions { OverlayGraceRoots = 2 });
        for (ulong slot = 1; slot <= 6; slot++)
        {
            Bank bank = forks.NewBank(slot, slot - 1, Leader);
            bank.Freeze(TestChain.HashOf(slot.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            forks.SetRoot(slot);
        }
        Assert.Equal(2, forks.RetiredOverlays);
        Assert.True(forks.PooledOverlays >= 1);
    }

    [Fact]
    public void A_restart_recovers_the_last_checkpoint_root_with_its_hash_blockhashes_and_accounts()
    {
        using TestChain chain = new("fast-forks");
        string directory = Path.Combine(chain.Directory, "store");
        Hash rootHash = default;
        Dictionary<Pubkey, Account> rootAccounts;
        using (var accounts = AccountsDb.Open(TestChain.StoreOptions(directory)))
        {
            var forks = BankForks.Open(accounts, TestChain.Genesis(4, 1_000_000), new BankForksOptions { CheckpointIntervalSlots = 2 });
            for (ulong slot = 1; slot <= 5; slot++)
            {
                Bank bank = forks.NewBank(slot, slot - 1, Leader);
                Transfer(bank, (int)slot % 4, ((int)slot + 1) % 4, slot * 10, (int)slot);
                bank.Freeze(TestChain.HashOf("slot " + slot));
                if (slot == 4) rootHash = bank.Hash;
                RootOutcome outcome = forks.SetRoot(slot);
                Assert.Equal(slot % 2 == 0, outcome.Checkpointed);
                accounts.WaitForCheckpoint(); // written in the background; the next one starts only after it
                Assert.Equal(slot - slot % 2, forks.DurableRootSlot);
            }
            rootAccounts = forks.Root.ReadAllAccounts(); // slot 5, not checkpointed
            Assert.NotEqual(rootAccounts[TestChain.Key(1)], Account.Empty);
        }
        using (var accounts = AccountsDb.Open(TestChain.StoreOptions(directory)))
        {
            var forks = BankForks.Open(accounts, TestChain.Genesis(4, 1_000_000));
            Assert.True(forks.RecoveredFromCheckpoint);
            Assert.Equal(4UL, forks.Root.Slot); // the last checkpoint; slot 5 must be replayed
            Assert.Equal(rootHash, forks.Root.Hash);
            Assert.Equal(TestChain.HashOf("slot 4"), forks.Root.LastBlockhash);
            Assert.Equal(4_000_000UL, forks.Root.Capitalization);
            Bank five = forks.NewBank(5, 4, Leader);
            Assert.True(five.IsBlockhashValid(TestChain.HashOf("slot 2")));
            Assert.True(five.IsBlockhashValid(TestChain.GenesisHash));
            Transfer(five, 1, 2, 50, 5); // the same transaction as before the crash
            five.Freeze(TestChain.HashOf("slot 5"));
            Assert.Equal(rootAccounts.OrderBy(p => p.Key), five.ReadAllAccounts().OrderBy(p => p.Key));
        }
    }

    [Fact]
    public void Restored_transactions_of_rooted_slots_are_refused_as_duplicates()
    {
        using TestChain chain = new();
        var forks = BankForks.Open(chain.Accounts, TestChain.Genesis(2, 1_000_000));
        byte[] tx = TestTransactions.Transfer(new Random(1), TestChain.Key(0), TestChain.Key(1), 5, TestChain.GenesisHash);
        byte[] entries = new byte[Fast.Core.Ledger.EntryWriter.EncodedLength(1, tx.Length)];
        Fast.Core.Codec.SpanWriter writer = new(entries);
        Fast.Core.Ledger.EntryWriter.Write(ref writer, 1, TestChain.HashOf("entry"), 1, tx);
        Assert.Equal(1, forks.RestoreProcessedTransactions(0, entries));
        Bank one = forks.NewBank(1, 0, Leader);
        Assert.Equal(TransactionError.AlreadyProcessed, one.Process(TestTransactions.View(tx)).Error);
        Assert.Throws<ArgumentException>(() => forks.RestoreProcessedTransactions(1, entries));
    }
}
