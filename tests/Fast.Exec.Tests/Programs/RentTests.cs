using Rent = Fast.Core.Genesis.Rent;
using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Exec.Programs;
using Fast.Exec.Tests.Infrastructure;
using Fast.Storage.Accounts;
using Xunit;

namespace Fast.Exec.Tests.Programs;

/// <summary>The rent-exempt minimum (docs/block-validity.md, "Rent"): no account is left between zero and its minimum.</summary>
public class RentTests
{
    private static readonly Pubkey Owner = TestChain.Key(7777);
    private static readonly Pubkey Leader = TestChain.Key(999);
    private const ulong Fee = GenesisConfig.DefaultLamportsPerSignature;
    private const ulong DataLessMinimum = 890_880;

    private static (TestChain Chain, Bank Bank) NewBank(Rent rent, params (int Key, ulong Lamports)[] accounts)
    {
        TestChain chain = new();
        GenesisConfig genesis = new(TestChain.GenesisHash, [.. accounts.Select(a => (TestChain.Key(a.Key), new Account(a.Lamports, Pubkey.Zero, false, null)))]) { Rent = rent };
        return (chain, new Bank(Bank.Genesis(chain.Accounts, genesis), 1, Leader));
    }

    private static TransactionResult Run(Bank bank, int payer, params Instruction[] instructions) =>
        bank.Process(TestTransactions.View(TestTransactions.Build(new Random(Random.Shared.Next()), TestChain.Key(payer), TestChain.GenesisHash, instructions)));

    [Fact]
    public void The_default_minimum_is_solanas_890880_lamports_plus_6960_per_byte()
    {
        Assert.Equal(DataLessMinimum, Rent.Default.MinimumBalance(0));
        Assert.Equal(DataLessMinimum + 6960, Rent.Default.MinimumBalance(1));
        Assert.Equal((128UL + (10 << 20)) * 6960, Rent.Default.MinimumBalance(10 << 20));
        Assert.Equal(0UL, Rent.Free.MinimumBalance(10 << 20));
        Assert.Null(Rent.Default.Validate());
        Assert.NotNull(new Rent(ulong.MaxValue / 2, 2).Validate());
    }

    [Fact]
    public void A_create_that_cannot_pay_the_minimum_fails_with_insufficient_funds_for_rent_and_changes_nothing_but_the_fee()
    {
        (TestChain chain, Bank bank) = NewBank(Rent.Default, (0, 100_000_000));
        using (chain)
        {
            ulong minimum = Rent.Default.MinimumBalance(200);
            Dictionary<Pubkey, Account> before = bank.ReadAllAccounts();

            TransactionResult result = Run(bank, 0, SystemInstruction.CreateAccount(TestChain.Key(0), TestChain.Key(1), minimum - 1, 200, Owner));

            Assert.Equal(TransactionError.InsufficientFundsForRent, result.Error);
            Assert.True(result.IsCommitted);
            Assert.Equal(1, result.InstructionIndex); // the account left below its minimum: the new one
            Assert.Equal(2 * Fee, result.Fee); // funder and new account both sign
            Dictionary<Pubkey, Account> after = bank.ReadAllAccounts();
            Assert.Equal(before.Keys.Order(), after.Keys.Order()); // no account created
            Assert.False(bank.GetAccount(TestChain.Key(1)).Exists);
            Assert.Equal(100_000_000UL - 2 * Fee, bank.GetBalance(TestChain.Key(0)));

            Assert.True(Run(bank, 0, SystemInstruction.CreateAccount(TestChain.Key(0), TestChain.Key(1), minimum, 200, Owner)).IsOk);
            Assert.Equal(minimum, bank.GetBalance(TestChain.Key(1)));
        }
    }

    [Fact]
    public void A_transfer_to_a_new_account_below_the_minimum_fails_and_one_at_the_minimum_creates_it()
    {
        (TestChain chain, Bank bank) = NewBank(Rent.Default, (0, 10_000_000));
        using (chain)
        {
            TransactionResult small = Run(bank, 0, SystemInstruction.Transfer(TestChain.Key(0), TestChain.Key(1), DataLessMinimum - 1));
            Assert.Equal(TransactionError.InsufficientFundsForRent, small.Error);
            Assert.Equal(1, small.InstructionIndex);
            Assert.False(bank.GetAccount(TestChain.Key(1)).Exists);
            Assert.Equal(10_000_000UL - Fee, bank.GetBalance(TestChain.Key(0)));

            Assert.True(Run(bank, 0, SystemInstruction.Transfer(TestChain.Key(0), TestChain.Key(1), DataLessMinimum)).IsOk);
            Assert.Equal(DataLessMinimum, bank.GetBalance(TestChain.Key(1)));
        }
    }

    [Fact]
    public void A_transfer_leaving_the_sender_between_zero_and_its_minimum_fails_and_emptying_it_succeeds()
    {
        (TestChain chain, Bank bank) = NewBank(Rent.Default, (0, 2_000_000), (1, 2_000_000));
        using (chain)
        {
            // 2,000,000 − 5,000 fee − 1,105,000 = 890,000: 880 lamports short of the minimum.
            TransactionResult result = Run(bank, 0, SystemInstruction.Transfer(TestChain.Key(0), TestChain.Key(1), 1_105_000));
            Assert.Equal(TransactionError.InsufficientFundsForRent, result.Error);
            Assert.Equal(0, result.InstructionIndex);
            Assert.Equal(2_000_000UL - Fee, bank.GetBalance(TestChain.Key(0)));
            Assert.Equal(2_000_000UL, bank.GetBalance(TestChain.Key(1)));

            Assert.True(Run(bank, 0, SystemInstruction.Transfer(TestChain.Key(0), TestChain.Key(1), 2_000_000 - 2 * Fee)).IsOk);
            Assert.False(bank.GetAccount(TestChain.Key(0)).Exists);
        }
    }

    [Fact]
    public void An_account_already_below_its_minimum_may_shrink_but_not_be_credited()
    {
        // A rent-paying account (from genesis) may spend down, never grow while below the minimum.
        (TestChain chain, Bank bank) = NewBank(Rent.Default, (0, 10_000_000), (1, 500_000));
        using (chain)
        {
            Assert.True(Run(bank, 1, SystemInstruction.Transfer(TestChain.Key(1), TestChain.Key(0), 100_000)).IsOk);
            Assert.Equal(TransactionError.InsufficientFundsForRent, Run(bank, 0, SystemInstruction.Transfer(TestChain.Key(0), TestChain.Key(1), 1_000)).Error);
            Assert.True(Run(bank, 0, SystemInstruction.Transfer(TestChain.Key(0), TestChain.Key(1), 1_000_000)).IsOk); // credited past the minimum: exempt
            Assert.Equal(1_395_000UL, bank.GetBalance(TestChain.Key(1)));
        }
    }

    [Fact]
    public void Allocating_data_needs_the_minimum_for_the_new_length()
    {
        (TestChain chain, Bank bank) = NewBank(Rent.Default, (0, 10_000_000), (1, DataLessMinimum + 1000 * 6960 - 1));
        using (chain)
        {
            Assert.Equal(TransactionError.InsufficientFundsForRent, Run(bank, 0, SystemInstruction.Allocate(TestChain.Key(1), 1000)).Error);
            Assert.Equal(0, bank.GetAccount(TestChain.Key(1)).DataLength);
            Assert.True(Run(bank, 0, SystemInstruction.Allocate(TestChain.Key(1), 999)).IsOk);
            Assert.Equal(999, bank.GetAccount(TestChain.Key(1)).DataLength);
        }
    }

    [Fact]
    public void A_rent_free_genesis_keeps_one_lamport_accounts_possible()
    {
        (TestChain chain, Bank bank) = NewBank(Rent.Free, (0, 1_000_000));
        using (chain)
        {
            Assert.True(Run(bank, 0, SystemInstruction.Transfer(TestChain.Key(0), TestChain.Key(1), 1)).IsOk);
            Assert.Equal(1UL, bank.GetBalance(TestChain.Key(1)));
        }
    }
}
