using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Exec.Programs;
using Fast.Exec.Runtime;
using Fast.Exec.Tests.Infrastructure;
using Fast.Testing;
using Xunit;

namespace Fast.Exec.Tests.Programs;

/// <summary>
/// Allocation budgets of the token, multisig and vote programs (the stake program's are in
/// <see cref="StakeAllocationTests"/>), measured on the program alone over scratch accounts as the
/// runtime gives them: an instruction's decoding, checks, inner-instruction dispatch and every refusal
/// allocate nothing; an instruction that changes account data allocates exactly the fresh copy of each
/// account it changes (docs/programs.md "Data is copy-on-write": the slot's array is never written in
/// place) — one array per changed account, nothing else per transaction. These scratch accounts have no
/// <see cref="ScratchAccount.Pool"/>, so the copies are new arrays; in a bank they are rented from the
/// tree's pool and recycled, and whole mixed slots allocate nothing (<see cref="MixedBlockAllocationTests"/>).
/// </summary>
public class ProgramAllocationTests
{
    private const int Calls = 200;

    /// <summary>Bytes the runtime adds to a byte array of <paramref name="length"/> (header and length, 64-bit, rounded to 8).</summary>
    private static long ArrayBytes(int length) => (24 + length + 7) & ~7L;

    private static readonly Pubkey Mint = TestChain.Key(60_000), Authority = TestChain.Key(60_001), Freezer = TestChain.Key(60_002);
    private static readonly Pubkey Alice = TestChain.Key(60_010), Bob = TestChain.Key(60_011);
    private static readonly Pubkey AliceTokens = TestChain.Key(60_020), BobTokens = TestChain.Key(60_021);
    private static readonly Pubkey Multisig = TestChain.Key(60_030), Proposal = TestChain.Key(60_031), Recipient = TestChain.Key(60_032);

    private static ProgramBank TokenBank()
    {
        ProgramBank bank = new(seed: 4, (Alice, 1_000_000_000), (Bob, 1_000_000_000));
        bank.CreateMint(Mint, Authority, 1_000_000, Freezer);
        bank.CreateTokenAccount(AliceTokens, Mint, Alice);
        bank.CreateTokenAccount(BobTokens, Mint, Bob);
        bank.Ok(TokenInstruction.MintTo(Mint, AliceTokens, Authority, 10_000));
        return bank;
    }

    [Fact]
    public void Token_instructions_allocate_only_the_new_data_of_the_accounts_they_change_and_refusals_nothing()
    {
        using ProgramBank bank = TokenBank();
        long token = ArrayBytes(TokenAccountState.Length), mint = ArrayBytes(MintState.Length);
        Measured transfer = Measure(bank, Alice, TokenInstruction.Transfer(AliceTokens, BobTokens, Alice, 5));
        Assert.Equal((TransactionError.None, 2 * token), (transfer.Error, transfer.BytesPerCall));
        Measured mintTo = Measure(bank, Authority, TokenInstruction.MintTo(Mint, BobTokens, Authority, 5));
        Assert.Equal((TransactionError.None, mint + token), (mintTo.Error, mintTo.BytesPerCall));
        Measured burn = Measure(bank, Alice, TokenInstruction.Burn(AliceTokens, Mint, Alice, 5));
        Assert.Equal((TransactionError.None, mint + token), (burn.Error, burn.BytesPerCall));
        Measured approve = Measure(bank, Alice, TokenInstruction.Approve(AliceTokens, Bob, Alice, 5));
        Assert.Equal((TransactionError.None, token), (approve.Error, approve.BytesPerCall));
        Measured freeze = Measure(bank, Freezer, TokenInstruction.Freeze(BobTokens, Mint, Freezer));
        Assert.Equal((TransactionError.None, token), (freeze.Error, freeze.BytesPerCall));

        Assert.Equal(new Measured(TransactionError.InsufficientFunds, 0), Measure(bank, Bob, TokenInstruction.Transfer(BobTokens, AliceTokens, Bob, 5)));
        Assert.Equal(new Measured(TransactionError.InvalidAuthority, 0), Measure(bank, Bob, TokenInstruction.Transfer(AliceTokens, BobTokens, Bob, 5)));
        Assert.Equal(new Measured(TransactionError.MintCapExceeded, 0), Measure(bank, Authority, TokenInstruction.MintTo(Mint, BobTokens, Authority, 1_000_000)));
        Assert.Equal(new Measured(TransactionError.InvalidAuthority, 0), Measure(bank, Bob, TokenInstruction.MintTo(Mint, BobTokens, Bob, 1)));
    }

    [Fact]
    public void Multisig_instructions_allocate_only_the_new_data_of_the_accounts_they_change_and_refusals_nothing()
    {
        using ProgramBank bank = new(seed: 5, (Alice, 1_000_000_000), (Bob, 1_000_000_000));
        Pubkey vault = bank.CreateMultisig(Multisig, 2, [Alice, Bob], 1_000);
        bank.Ok(SystemInstruction.Transfer(ProgramBank.Payer, vault, 50_000_000));
        Instruction pay = SystemInstruction.Transfer(vault, Recipient, 5_000_000);
        Assert.True(bank.Propose(Multisig, Proposal, Alice, pay).IsOk);
        long proposal = ArrayBytes(bank.Account(Proposal).DataLength);

        Measured approve = Measure(bank, Alice, MultisigInstruction.Approve(Multisig, Proposal, Alice));
        Assert.Equal((TransactionError.None, proposal), (approve.Error, approve.BytesPerCall));
        Assert.Equal(new Measured(TransactionError.InvalidAuthority, 0), Measure(bank, Recipient, MultisigInstruction.Approve(Multisig, Proposal, Recipient)));
        Assert.Equal(new Measured(TransactionError.ProposalThresholdNotMet, 0), Measure(bank, Alice, MultisigInstruction.Execute(Multisig, Proposal, [pay])));

        bank.Ok(MultisigInstruction.Approve(Multisig, Proposal, Alice));
        Assert.Equal(new Measured(TransactionError.ProposalAlreadyApproved, 0), Measure(bank, Alice, MultisigInstruction.Approve(Multisig, Proposal, Alice)));
        bank.Ok(MultisigInstruction.Approve(Multisig, Proposal, Bob));
        // Execute: the proposal marked executed (its one copy), then the inner transfer out of the vault (lamports only: nothing).
        Measured execute = Measure(bank, Alice, MultisigInstruction.Execute(Multisig, Proposal, [pay]));
        Assert.Equal((TransactionError.None, proposal), (execute.Error, execute.BytesPerCall));
    }

    [Fact]
    public void A_multisig_executing_a_token_transfer_allocates_only_the_proposal_and_the_two_token_accounts()
    {
        using ProgramBank bank = TokenBank();
        Pubkey vault = bank.CreateMultisig(Multisig, 1, [Alice, Bob], 1_000);
        Pubkey vaultTokens = TestChain.Key(60_040);
        bank.CreateTokenAccount(vaultTokens, Mint, vault);
        bank.Ok(TokenInstruction.MintTo(Mint, vaultTokens, Authority, 500));
        Instruction pay = TokenInstruction.Transfer(vaultTokens, BobTokens, vault, 50);
        Assert.True(bank.Propose(Multisig, Proposal, Alice, pay).IsOk);
        bank.Ok(MultisigInstruction.Approve(Multisig, Proposal, Bob));
        Measured execute = Measure(bank, Alice, MultisigInstruction.Execute(Multisig, Proposal, [pay]));
        Assert.Equal((TransactionError.None, ArrayBytes(bank.Account(Proposal).DataLength) + 2 * ArrayBytes(TokenAccountState.Length)), (execute.Error, execute.BytesPerCall));
    }

    [Fact]
    public void Vote_withdrawals_allocate_nothing_and_refusals_nothing()
    {
        using StakeChain chain = new();
        Pubkey vote = TestChain.Key(60_050), wallet = TestChain.Key(60_051);
        chain.Ok(StakeInstruction.CreateVoteAccount(StakeChain.Payer, vote, chain.Rent(VoteState.Length) + 1_000_000), StakeInstruction.InitializeVote(vote, StakeChain.Payer, StakeChain.Payer, 5));
        Assert.Equal(new Measured(TransactionError.None, 0), Measure(chain.Bank, StakeChain.Payer, StakeInstruction.WithdrawVote(vote, wallet, StakeChain.Payer, 1_000)));
        Assert.Equal(new Measured(TransactionError.InsufficientFunds, 0), Measure(chain.Bank, StakeChain.Payer, StakeInstruction.WithdrawVote(vote, wallet, StakeChain.Payer, 2_000_000)));
        Assert.Equal(new Measured(TransactionError.InvalidAuthority, 0), Measure(chain.Bank, StakeChain.Payer, StakeInstruction.WithdrawVote(StakeChain.VoteA, wallet, StakeChain.Payer, 1)));
    }

    [Fact]
    public void A_transaction_writing_one_account_in_several_instructions_allocates_its_data_once()
    {
        using StakeChain chain = new();
        Pubkey stake = TestChain.Key(60_060);
        // CreateAccount allocates the 128 zero bytes; Initialize and Delegate write that same array in place.
        Measured created = Measure(chain.Bank, StakeChain.Payer,
            StakeInstruction.CreateStakeAccount(StakeChain.Payer, stake, chain.Rent(StakeState.Length) + 1_000_000_000),
            StakeInstruction.Initialize(stake, StakeChain.Payer),
            StakeInstruction.Delegate(stake, StakeChain.VoteA, StakeChain.Payer));
        Assert.Equal(new Measured(TransactionError.None, ArrayBytes(StakeState.Length)), created);

        using ProgramBank bank = TokenBank();
        // Two transfers out of one account: each account copied once, not once per instruction.
        Measured twice = Measure(bank, Alice, TokenInstruction.Transfer(AliceTokens, BobTokens, Alice, 5), TokenInstruction.Transfer(AliceTokens, BobTokens, Alice, 7));
        Assert.Equal(new Measured(TransactionError.None, 2 * ArrayBytes(TokenAccountState.Length)), twice);
    }

    private readonly record struct Measured(TransactionError Error, long BytesPerCall);

    private static Measured Measure(ProgramBank bank, Pubkey payer, params Instruction[] instructions) => Measure(bank.Bank, payer, instructions);

    /// <summary>Runs a transaction of <paramref name="instructions"/> (signed by <paramref name="payer"/>) <see cref="Calls"/> times on fresh scratch copies of the bank's accounts; the bank is not changed.</summary>
    private static Measured Measure(Fast.Exec.Banking.Bank bank, Pubkey payer, params Instruction[] instructions)
    {
        byte[] transaction = TestTransactions.Build(new Random(1), payer, TestChain.GenesisHash, instructions);
        TransactionView view = TestTransactions.View(transaction);
        var accounts = new Storage.Accounts.Account[view.AccountKeyCount];
        byte[][] data = new byte[view.AccountKeyCount][];
        for (int i = 0; i < accounts.Length; i++)
        {
            accounts[i] = bank.GetAccount(view.GetAccountKey(i));
            data[i] = accounts[i].Data.ToArray();
        }
        var scratch = new ScratchAccount[accounts.Length];
        StakeRules? rules = bank.Context.StakeRules;
        TransactionError error = TransactionError.None;
        long bytes = Allocations.SteadyState(3, Calls, () => error = Invoke(bank.Slot, transaction, accounts, data, scratch, rules));
        return new Measured(error, bytes / Calls);
    }

    /// <summary>Loads scratch from the accounts (copies of references, as the runtime does) and runs the transaction's instructions until one fails.</summary>
    private static TransactionError Invoke(ulong slot, byte[] transaction, Storage.Accounts.Account[] accounts, byte[][] data, ScratchAccount[] scratch, StakeRules? rules)
    {
        TransactionView view = TestTransactions.View(transaction);
        for (int i = 0; i < accounts.Length; i++)
        {
            scratch[i] = new ScratchAccount
            {
                Lamports = accounts[i].Lamports,
                Owner = accounts[i].Owner,
                Data = data[i],
                IsSigner = view.IsSigner(i),
                IsWritable = view.IsWritable(i),
            };
        }
        InvokeContext context = new(scratch, view, slot, 1, rules);
        foreach (InstructionView instruction in view.Instructions)
        {
            TransactionError error = BuiltinPrograms.Invoke(context, view.GetAccountKey(instruction.ProgramIdIndex), instruction);
            if (error != TransactionError.None) return error;
        }
        return TransactionError.None;
    }
}
