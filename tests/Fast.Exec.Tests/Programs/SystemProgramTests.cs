using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Exec.Banking;
using Fast.Exec.Programs;
using Fast.Exec.Runtime;
using Fast.Exec.Tests.Infrastructure;
using Fast.Storage.Accounts;
using Xunit;

namespace Fast.Exec.Tests.Programs;

public class SystemProgramTests
{
    private static readonly Pubkey Owner = TestChain.Key(7777);
    private static readonly Pubkey Leader = TestChain.Key(999);

    private static (TestChain Chain, Bank Bank) NewBank(params (int Key, Account Account)[] accounts)
    {
        TestChain chain = new();
        GenesisConfig genesis = new(TestChain.GenesisHash, [.. accounts.Select(a => (TestChain.Key(a.Key), a.Account))]);
        return (chain, new Bank(Bank.Genesis(chain.Accounts, genesis), 1, Leader));
    }

    private static Account System(ulong lamports) => new(lamports, Pubkey.Zero, false, null);

    private static TransactionResult Run(Bank bank, int payer, params Instruction[] instructions) =>
        bank.Process(TestTransactions.View(TestTransactions.Build(new Random(Random.Shared.Next()), TestChain.Key(payer), TestChain.GenesisHash, instructions)));

    [Fact]
    public void Create_account_funds_sizes_and_assigns_a_new_account()
    {
        (TestChain chain, Bank bank) = NewBank((0, System(10_000_000)));
        using (chain)
        {
            const ulong minimum = (128 + 100) * 3480 * 2; // the rent-exempt minimum of 100 bytes
            TransactionResult result = Run(bank, 0, SystemInstruction.CreateAccount(TestChain.Key(0), TestChain.Key(1), minimum, 100, Owner));
            Assert.True(result.IsOk, result.ToString());
            Account created = bank.GetAccount(TestChain.Key(1));
            Assert.Equal(minimum, created.Lamports);
            Assert.Equal(100, created.DataLength);
            Assert.True(created.Data.IndexOfAnyExcept((byte)0) < 0);
            Assert.Equal(Owner, created.Owner);
            Assert.Equal(10_000_000UL - minimum - 2 * 5000, bank.GetBalance(TestChain.Key(0))); // two signers: two signatures
        }
    }

    [Fact]
    public void Create_account_on_an_existing_account_fails_with_account_already_exists()
    {
        (TestChain chain, Bank bank) = NewBank((0, System(1_000_000)), (1, System(1)));
        using (chain)
        {
            TransactionResult result = Run(bank, 0, SystemInstruction.CreateAccount(TestChain.Key(0), TestChain.Key(1), 10, 0, Owner));
            Assert.Equal(TransactionError.AccountAlreadyExists, result.Error);
            Assert.Equal(1UL, bank.GetBalance(TestChain.Key(1)));
            Assert.Equal(1_000_000UL - 2 * 5000, bank.GetBalance(TestChain.Key(0)));
        }
    }

    [Fact]
    public void Create_account_over_ten_mebibytes_fails_with_invalid_account_data_length()
    {
        (TestChain chain, Bank bank) = NewBank((0, System(1_000_000)));
        using (chain)
        {
            Assert.Equal(TransactionError.InvalidAccountDataLength,
                Run(bank, 0, SystemInstruction.CreateAccount(TestChain.Key(0), TestChain.Key(1), 10, Account.MaxDataLength + 1UL, Owner)).Error);
        }
    }

    [Fact]
    public void Assign_hands_a_system_account_to_a_program_once()
    {
        (TestChain chain, Bank bank) = NewBank((0, System(1_000_000)));
        using (chain)
        {
            Assert.True(Run(bank, 0, SystemInstruction.Assign(TestChain.Key(0), Owner)).IsOk);
            Assert.Equal(Owner, bank.GetAccount(TestChain.Key(0)).Owner);
            // Owned by a program now: it cannot pay fees any more.
            Assert.Equal(TransactionError.InvalidAccountForFee, Run(bank, 0, SystemInstruction.Assign(TestChain.Key(0), Pubkey.Zero)).Error);
        }
    }

    [Fact]
    public void Assign_of_an_account_owned_by_another_program_fails_with_invalid_account_owner()
    {
        (TestChain chain, Bank bank) = NewBank((0, System(1_000_000)), (1, new Account(5, Owner, false, null)));
        using (chain)
        {
            TransactionResult result = Run(bank, 0, SystemInstruction.Assign(TestChain.Key(1), TestChain.Key(8888)));
            Assert.Equal(TransactionError.InvalidAccountOwner, result.Error);
            Assert.Equal(Owner, bank.GetAccount(TestChain.Key(1)).Owner);
        }
    }

    [Fact]
    public void Allocate_gives_an_empty_system_account_zeroed_data_and_refuses_one_in_use()
    {
        (TestChain chain, Bank bank) = NewBank((0, System(2_000_000)), (1, new Account(5, Pubkey.Zero, false, [1])), (2, System(1_000_000)));
        using (chain)
        {
            Assert.True(Run(bank, 2, SystemInstruction.Allocate(TestChain.Key(0), 64)).IsOk); // 2,000,000 ≥ (128 + 64) × 6,960: still rent-exempt
            Assert.Equal(64, bank.GetAccount(TestChain.Key(0)).DataLength);
            Assert.Equal(TransactionError.AccountAlreadyExists, Run(bank, 2, SystemInstruction.Allocate(TestChain.Key(1), 8)).Error);
            // An account holding data cannot pay fees.
            Assert.Equal(TransactionError.InvalidAccountForFee, Run(bank, 0, SystemInstruction.Transfer(TestChain.Key(0), TestChain.Key(2), 1)).Error);
        }
    }

    [Fact]
    public void Transfer_overdraft_fails_with_insufficient_funds_and_from_an_account_with_data_is_refused()
    {
        (TestChain chain, Bank bank) = NewBank((0, System(100_000)), (1, new Account(1_000_000, Pubkey.Zero, false, [1, 2])));
        using (chain)
        {
            Assert.Equal(TransactionError.InsufficientFunds, Run(bank, 0, SystemInstruction.Transfer(TestChain.Key(0), TestChain.Key(2), 100_000)).Error);
            Assert.Equal(100_000UL - 5000, bank.GetBalance(TestChain.Key(0)));
            Assert.Equal(TransactionError.InvalidArgument, Run(bank, 0, SystemInstruction.Transfer(TestChain.Key(1), TestChain.Key(2), 1)).Error);
        }
    }

    [Fact]
    public void Malformed_instruction_data_and_unknown_programs_are_typed_errors()
    {
        (TestChain chain, Bank bank) = NewBank((0, System(1_000_000)));
        using (chain)
        {
            AccountMeta[] payer = [AccountMeta.Writable(TestChain.Key(0), signer: true)];
            Assert.Equal(TransactionError.InvalidInstruction, Run(bank, 0, new Instruction(SystemProgram.Id, payer, [2, 0, 0, 0, 1])).Error);
            Assert.Equal(TransactionError.InvalidInstruction, Run(bank, 0, new Instruction(SystemProgram.Id, payer, [99, 0, 0, 0])).Error);
            Assert.Equal(TransactionError.NotEnoughAccountKeys, Run(bank, 0, new Instruction(SystemProgram.Id, payer, SystemInstruction.TransferData(1))).Error);
            Assert.Equal(TransactionError.UnsupportedProgram, Run(bank, 0, new Instruction(Owner, payer, [0])).Error);
            Assert.Equal(1_000_000UL - 4 * 5000, bank.GetBalance(TestChain.Key(0)));
        }
    }

    [Fact]
    public void A_transfer_to_an_account_the_transaction_marks_read_only_fails_with_readonly_account_modified()
    {
        (TestChain chain, Bank bank) = NewBank((0, System(1_000_000)));
        using (chain)
        {
            Instruction instruction = new(SystemProgram.Id, [AccountMeta.Writable(TestChain.Key(0), true), AccountMeta.ReadOnly(TestChain.Key(1))], SystemInstruction.TransferData(5));
            Assert.Equal(TransactionError.ReadonlyAccountModified, Run(bank, 0, instruction).Error);
        }
    }

    [Fact]
    public void A_transfer_that_would_overflow_the_recipient_fails_with_arithmetic_overflow()
    {
        // Conservation makes this unreachable in a bank (total lamports fit a u64), so run the program on scratch accounts.
        ScratchAccount[] accounts =
        [
            new() { Lamports = 10, Owner = Pubkey.Zero, Data = [], IsSigner = true, IsWritable = true },
            new() { Lamports = ulong.MaxValue - 5, Owner = Pubkey.Zero, Data = [], IsWritable = true },
        ];
        byte[] data = SystemInstruction.TransferData(10);
        InstructionView instruction = new(2, [0, 1], data);
        Assert.Equal(TransactionError.ArithmeticOverflow, SystemProgram.Execute(accounts, instruction));
    }

    [Fact]
    public void An_account_emptied_to_zero_lamports_stops_existing()
    {
        (TestChain chain, Bank bank) = NewBank((0, System(1_000_000)), (1, System(20_000)));
        using (chain)
        {
            Assert.True(Run(bank, 1, SystemInstruction.Transfer(TestChain.Key(1), TestChain.Key(0), 15_000)).IsOk);
            Assert.False(bank.GetAccount(TestChain.Key(1)).Exists);
            Assert.Equal(Account.Empty, bank.GetAccount(TestChain.Key(1)));
        }
    }
}
