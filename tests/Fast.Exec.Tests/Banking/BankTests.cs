using System.Buffers.Binary;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Exec.Banking;
using Fast.Exec.Programs;
using Fast.Exec.Tests.Infrastructure;
using Fast.Storage.Accounts;
using Xunit;

namespace Fast.Exec.Tests.Banking;

public class BankTests
{
    private static readonly Pubkey Leader = TestChain.Key(1000);

    [Fact]
    public void A_transfer_moves_lamports_and_the_fee_goes_to_the_leader_at_freeze()
    {
        using TestChain chain = new();
        var genesis = Bank.Genesis(chain.Accounts, TestChain.Genesis(4, 1_000_000));
        Bank bank = new(genesis, 1, Leader);
        Random random = new(1);
        TransactionResult result = bank.Process(TestTransactions.View(TestTransactions.Transfer(random, TestChain.Key(0), TestChain.Key(1), 1000, TestChain.GenesisHash)));

        Assert.True(result.IsOk, result.ToString());
        Assert.Equal(5000UL, result.Fee);
        Assert.Equal(1_000_000UL - 1000 - 5000, bank.GetBalance(TestChain.Key(0)));
        Assert.Equal(1_001_000UL, bank.GetBalance(TestChain.Key(1)));
        Assert.Equal(0UL, bank.GetBalance(Leader));
        bank.Freeze(TestChain.HashOf("slot 1"));
        Assert.Equal(5000UL, bank.GetBalance(Leader));
        Assert.Equal(4_000_000UL, bank.ReadAllAccounts().Values.Aggregate(0UL, (sum, a) => sum + a.Lamports));
    }

    [Fact]
    public void The_bank_hash_is_sha256_of_parent_hash_delta_hash_signature_count_and_last_blockhash()
    {
        using TestChain chain = new();
        var genesis = Bank.Genesis(chain.Accounts, TestChain.Genesis(2, 1_000_000));
        Bank bank = new(genesis, 1, Leader);
        bank.Process(TestTransactions.View(TestTransactions.Transfer(new Random(2), TestChain.Key(0), TestChain.Key(1), 7, TestChain.GenesisHash)));
        Hash last = TestChain.HashOf("last");
        Hash hash = bank.Freeze(last);

        byte[] preimage = new byte[104];
        genesis.Hash.CopyTo(preimage.AsSpan(0, 32));
        bank.AccountsDeltaHash.CopyTo(preimage.AsSpan(32, 32));
        BinaryPrimitives.WriteUInt64LittleEndian(preimage.AsSpan(64), 1);
        last.CopyTo(preimage.AsSpan(72, 32));
        Assert.Equal(Hash.Compute(preimage), hash);
        Assert.Equal(1UL, bank.SignatureCount);
        Assert.NotEqual(Hash.Zero, bank.AccountsDeltaHash);
    }

    [Fact]
    public void The_accounts_delta_hash_covers_exactly_the_stored_accounts_in_key_order()
    {
        using TestChain chain = new();
        GenesisConfig config = TestChain.Genesis(3, 1_000_000);
        var genesisA = Bank.Genesis(chain.Accounts, config);
        var genesisB = Bank.Genesis(chain.Accounts, config);
        Assert.Equal(genesisA.Hash, genesisB.Hash);

        // Same transfers in a different order (no conflicts between them): same delta hash.
        byte[] t1 = TestTransactions.Transfer(new Random(1), TestChain.Key(0), TestChain.Key(5), 10, TestChain.GenesisHash);
        byte[] t2 = TestTransactions.Transfer(new Random(2), TestChain.Key(1), TestChain.Key(6), 20, TestChain.GenesisHash);
        Bank a = new(genesisA, 1, Leader);
        a.Process(TestTransactions.View(t1));
        a.Process(TestTransactions.View(t2));
        Bank b = new(genesisB, 1, Leader);
        b.Process(TestTransactions.View(t2));
        b.Process(TestTransactions.View(t1));
        Assert.Equal(a.Freeze(Hash.Zero), b.Freeze(Hash.Zero));

        // Reading an account (it is loaded into the overlay) does not store it.
        Bank c = new(a, 2, Leader);
        Bank d = new(a, 2, Leader);
        c.GetAccount(TestChain.Key(2));
        Assert.Equal(c.Freeze(Hash.Zero), d.Freeze(Hash.Zero));
        Assert.Equal(Hash.Zero, c.AccountsDeltaHash);
    }

    [Fact]
    public void A_signature_is_processed_at_most_once_per_fork_but_may_appear_on_a_sibling_fork()
    {
        using TestChain chain = new();
        var genesis = Bank.Genesis(chain.Accounts, TestChain.Genesis(2, 1_000_000));
        byte[] tx = TestTransactions.Transfer(new Random(3), TestChain.Key(0), TestChain.Key(1), 100, TestChain.GenesisHash);

        Bank slot1 = new(genesis, 1, Leader);
        Assert.True(slot1.Process(TestTransactions.View(tx)).IsOk);
        TransactionResult again = slot1.Process(TestTransactions.View(tx));
        Assert.Equal(TransactionError.AlreadyProcessed, again.Error);
        Assert.False(again.IsCommitted);
        Assert.Equal(1_000_000UL - 100 - 5000, slot1.GetBalance(TestChain.Key(0)));
        Assert.True(slot1.TryGetSignatureStatus(TestTransactions.View(tx).FirstSignature, out ulong slot, out TransactionError error));
        Assert.Equal(1UL, slot);
        Assert.Equal(TransactionError.None, error);
        slot1.Freeze(TestChain.HashOf("1"));

        Bank child = new(slot1, 2, Leader);
        Assert.Equal(TransactionError.AlreadyProcessed, child.Process(TestTransactions.View(tx)).Error);

        Bank sibling = new(genesis, 3, Leader);
        Assert.True(sibling.Process(TestTransactions.View(tx)).IsOk);
    }

    [Fact]
    public void A_blockhash_is_valid_for_150_slots_then_expired_and_an_unknown_one_is_not_found()
    {
        using TestChain chain = new();
        var genesis = Bank.Genesis(chain.Accounts, TestChain.Genesis(2, 1_000_000_000));
        Bank at150 = new(genesis, TransactionLimits.BlockhashMaxAgeSlots, Leader);
        Assert.True(at150.Process(TestTransactions.View(TestTransactions.Transfer(new Random(1), TestChain.Key(0), TestChain.Key(1), 1, TestChain.GenesisHash))).IsOk);
        Bank at151 = new(genesis, TransactionLimits.BlockhashMaxAgeSlots + 1, Leader);
        TransactionResult expired = at151.Process(TestTransactions.View(TestTransactions.Transfer(new Random(2), TestChain.Key(0), TestChain.Key(1), 1, TestChain.GenesisHash)));
        Assert.Equal(TransactionError.BlockhashExpired, expired.Error);
        TransactionResult unknown = at151.Process(TestTransactions.View(TestTransactions.Transfer(new Random(3), TestChain.Key(0), TestChain.Key(1), 1, TestChain.HashOf("never"))));
        Assert.Equal(TransactionError.BlockhashNotFound, unknown.Error);
        Assert.Equal(1_000_000_000UL, at151.GetBalance(TestChain.Key(0)));
        Assert.False(at151.IsBlockhashValid(TestChain.GenesisHash));
        Assert.True(at150.IsBlockhashValid(TestChain.GenesisHash));
    }

    [Fact]
    public void A_fee_payer_that_cannot_pay_is_not_committed_and_may_send_again_once_funded()
    {
        using TestChain chain = new();
        GenesisConfig config = new(TestChain.GenesisHash, [(TestChain.Key(0), new Account(4999, Pubkey.Zero, false, null)), (TestChain.Key(1), new Account(10_000_000, Pubkey.Zero, false, null))]);
        var genesis = Bank.Genesis(chain.Accounts, config);
        Bank bank = new(genesis, 1, Leader);
        byte[] tx = TestTransactions.Transfer(new Random(1), TestChain.Key(0), TestChain.Key(2), 890_880, TestChain.GenesisHash); // the rent-exempt minimum: creates key 2
        Assert.Equal(TransactionError.InsufficientFundsForFee, bank.Process(TestTransactions.View(tx)).Error);
        Assert.Equal(TransactionError.AccountNotFound, bank.Process(TestTransactions.View(TestTransactions.Transfer(new Random(2), TestChain.Key(9), TestChain.Key(2), 1, TestChain.GenesisHash))).Error);
        Assert.True(bank.Process(TestTransactions.View(TestTransactions.Transfer(new Random(3), TestChain.Key(1), TestChain.Key(0), 2_000_000, TestChain.GenesisHash))).IsOk);
        Assert.True(bank.Process(TestTransactions.View(tx)).IsOk);
        Assert.Equal(4999UL + 2_000_000 - 5000 - 890_880, bank.GetBalance(TestChain.Key(0)));
        Assert.Equal(2UL, bank.TransactionCount);
    }

    [Fact]
    public void A_failed_transaction_pays_its_fee_and_changes_nothing_else()
    {
        using TestChain chain = new();
        var genesis = Bank.Genesis(chain.Accounts, TestChain.Genesis(3, 1_000_000));
        Bank bank = new(genesis, 1, Leader);
        // First instruction succeeds, second overdraws: the first is rolled back too.
        byte[] tx = TestTransactions.Build(new Random(1), TestChain.Key(0), TestChain.GenesisHash,
            SystemInstruction.Transfer(TestChain.Key(0), TestChain.Key(1), 100),
            SystemInstruction.Transfer(TestChain.Key(0), TestChain.Key(2), 10_000_000));
        TransactionResult result = bank.Process(TestTransactions.View(tx));
        Assert.Equal(TransactionError.InsufficientFunds, result.Error);
        Assert.Equal(1, result.InstructionIndex);
        Assert.True(result.IsCommitted);
        Assert.Equal(1_000_000UL - 5000, bank.GetBalance(TestChain.Key(0)));
        Assert.Equal(1_000_000UL, bank.GetBalance(TestChain.Key(1)));
        Assert.Equal(1_000_000UL, bank.GetBalance(TestChain.Key(2)));
        Assert.Equal(TransactionError.AlreadyProcessed, bank.Process(TestTransactions.View(tx)).Error);
        bank.Freeze(Hash.Zero);
        Assert.Equal(1UL, bank.SignatureCount);
        Assert.Equal(5000UL, bank.GetBalance(Leader));
    }

    [Fact]
    public void A_child_reads_its_parents_accounts_and_a_frozen_bank_refuses_transactions()
    {
        using TestChain chain = new();
        var genesis = Bank.Genesis(chain.Accounts, TestChain.Genesis(2, 10_000_000));
        Bank one = new(genesis, 1, Leader);
        one.Process(TestTransactions.View(TestTransactions.Transfer(new Random(1), TestChain.Key(0), TestChain.Key(7), 1_000_000, TestChain.GenesisHash)));
        one.Freeze(TestChain.HashOf("1"));
        Bank two = new(one, 2, Leader);
        Assert.Equal(1_000_000UL, two.GetBalance(TestChain.Key(7)));
        Assert.Equal(10_000_000UL, two.GetBalance(TestChain.Key(1)));
        Assert.Equal(0UL, two.GetBalance(TestChain.Key(8)));
        Assert.False(two.GetAccount(TestChain.Key(8)).Exists);
        Assert.Throws<InvalidOperationException>(() => one.Process(TestTransactions.View(TestTransactions.Transfer(new Random(2), TestChain.Key(0), TestChain.Key(7), 1, TestChain.GenesisHash))));
        Assert.Throws<InvalidOperationException>(() => new Bank(two, 3, Leader));
        Assert.Throws<ArgumentException>(() => new Bank(one, 1, Leader));
    }

    [Fact]
    public void The_accounts_delta_hash_is_the_merkle_root_of_account_hashes_in_full_key_order_even_for_keys_sharing_a_prefix()
    {
        using TestChain chain = new();
        // Keys equal in their first 8 bytes (and one pair in their first 31): the order must come from whole keys.
        var keys = new Pubkey[6];
        for (int i = 0; i < keys.Length; i++)
        {
            byte[] bytes = new byte[32];
            bytes.AsSpan(0, 8).Fill(0xAB);
            bytes[31 - (i % 2) * 20] = (byte)(keys.Length - i);
            keys[i] = new Pubkey(bytes);
        }
        GenesisConfig genesis = new(TestChain.GenesisHash, [(TestChain.Key(0), new Account(100_000_000, Pubkey.Zero, false, null))]);
        var hashes = new Hash[2];
        for (int run = 0; run < 2; run++)
        {
            Bank bank = new(Bank.Genesis(chain.Accounts, genesis), 1, Leader);
            IEnumerable<int> order = run == 0 ? Enumerable.Range(0, keys.Length) : Enumerable.Range(0, keys.Length).Reverse();
            foreach (int i in order)
            {
                Assert.True(bank.Process(TestTransactions.View(TestTransactions.Transfer(new Random(i), TestChain.Key(0), keys[i], 1_000_000 + (ulong)i, TestChain.GenesisHash))).IsOk); // above the rent-exempt minimum
            }
            bank.Freeze(Hash.Zero);
            hashes[run] = bank.AccountsDeltaHash;

            // Independently: sha256(0x00 | key | lamports | owner | executable | data_length | data) per stored account, sorted by key.
            List<(Pubkey Key, Account Account)> stored = [.. keys.Select(k => (k, bank.GetAccount(k))), (TestChain.Key(0), bank.GetAccount(TestChain.Key(0))), (Leader, bank.GetAccount(Leader))];
            stored.Sort((a, b) => a.Key.CompareTo(b.Key));
            Hash[] leaves = [.. stored.Select(p =>
            {
                byte[] preimage = new byte[1 + 32 + 8 + 32 + 1 + 8 + p.Account.DataLength];
                p.Key.CopyTo(preimage.AsSpan(1, 32));
                BinaryPrimitives.WriteUInt64LittleEndian(preimage.AsSpan(33), p.Account.Lamports);
                p.Account.Owner.CopyTo(preimage.AsSpan(41, 32));
                preimage[73] = p.Account.Executable ? (byte)1 : (byte)0;
                BinaryPrimitives.WriteUInt64LittleEndian(preimage.AsSpan(74), (ulong)p.Account.DataLength);
                p.Account.Data.CopyTo(preimage.AsSpan(82));
                return Hash.Compute(preimage);
            })];
            Assert.Equal(Fast.Core.Merkle.MerkleTree.ComputeRoot(leaves), bank.AccountsDeltaHash);
        }
        Assert.Equal(hashes[0], hashes[1]);
    }

    [Fact]
    public void Reading_balances_through_overlays_and_the_rooted_store_allocates_nothing()
    {
        using TestChain chain = new();
        var forks = BankForks.Open(chain.Accounts, TestChain.Genesis(4, 1_000_000));
        Bank one = forks.NewBank(1, 0, Leader);
        one.Process(TestTransactions.View(TestTransactions.Transfer(new Random(1), TestChain.Key(0), TestChain.Key(1), 5, TestChain.GenesisHash)));
        one.Freeze(TestChain.HashOf("1"));
        Bank two = forks.NewBank(2, 1, Leader);
        Pubkey inOverlay = TestChain.Key(1), inStore = TestChain.Key(3), absent = TestChain.Key(77);
        ulong sum = 0;
        long allocated = Fast.Testing.Allocations.Measure(1000, () => sum += two.GetBalance(inOverlay) + two.GetBalance(inStore) + two.GetBalance(absent));
        Assert.Equal(0, allocated);
        Assert.Equal(1001UL * (1_000_005 + 1_000_000), sum);
    }
}
