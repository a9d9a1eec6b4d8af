using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Exec.Programs;
using Fast.Exec.Tests.Infrastructure;
using Fast.Storage.Accounts;
using Xunit;

namespace Fast.Exec.Tests.Programs;

public class TokenProgramTests
{
    private static readonly Pubkey Mint = TestChain.Key(100);
    private static readonly Pubkey OtherMint = TestChain.Key(101);
    private static readonly Pubkey Authority = TestChain.Key(110);
    private static readonly Pubkey FreezeAuthority = TestChain.Key(111);
    private static readonly Pubkey Alice = TestChain.Key(120);
    private static readonly Pubkey Bob = TestChain.Key(121);
    private static readonly Pubkey Mallory = TestChain.Key(122);
    private static readonly Pubkey AliceTokens = TestChain.Key(130);
    private static readonly Pubkey BobTokens = TestChain.Key(131);
    private static readonly Pubkey OtherTokens = TestChain.Key(132);

    private static ProgramBank WithAccounts(ulong maxSupply = 1_000_000, Pubkey? freeze = null)
    {
        ProgramBank bank = new();
        bank.CreateMint(Mint, Authority, maxSupply, freeze);
        bank.CreateTokenAccount(AliceTokens, Mint, Alice);
        bank.CreateTokenAccount(BobTokens, Mint, Bob);
        return bank;
    }

    /// <summary>Asserts the transaction failed with <paramref name="expected"/> and changed nothing but the payer's fee.</summary>
    private static void FailsWith(ProgramBank bank, TransactionError expected, params Instruction[] instructions)
    {
        Pubkey[] touched = [.. instructions.SelectMany(i => i.Accounts.Select(a => a.Key)).Where(k => k != ProgramBank.Payer).Distinct()];
        Account[] before = [.. touched.Select(bank.Account)];
        ulong payerBefore = bank.Lamports(ProgramBank.Payer);
        TransactionResult result = bank.Run(instructions);
        Assert.Equal(expected, result.Error);
        Assert.True(result.IsCommitted);
        Assert.Equal(payerBefore - result.Fee, bank.Lamports(ProgramBank.Payer));
        for (int i = 0; i < touched.Length; i++) Assert.Equal(before[i], bank.Account(touched[i]));
    }

    [Fact]
    public void A_new_mint_and_token_account_hold_their_configuration_and_are_owned_by_the_token_program()
    {
        using ProgramBank bank = WithAccounts(maxSupply: 21_000_000, freeze: FreezeAuthority);
        MintState mint = bank.Mint(Mint);
        Assert.Equal(Authority, mint.MintAuthority);
        Assert.True(mint.HasFreezeAuthority);
        Assert.Equal(FreezeAuthority, mint.FreezeAuthority);
        Assert.Equal(21_000_000UL, mint.MaxSupply);
        Assert.Equal((byte)6, mint.Decimals);
        Assert.Equal(0UL, mint.MintedTotal);
        TokenAccountState alice = bank.Token(AliceTokens);
        Assert.Equal(Mint, alice.Mint);
        Assert.Equal(Alice, alice.Owner);
        Assert.Equal(0UL, alice.Amount);
        Assert.Equal(TokenProgram.Id, bank.Account(Mint).Owner);
        Assert.Equal(TokenProgram.Id, bank.Account(AliceTokens).Owner);
    }

    [Fact]
    public void Initializing_a_mint_twice_fails_with_account_already_initialized()
    {
        using ProgramBank bank = WithAccounts();
        FailsWith(bank, TransactionError.AccountAlreadyInitialized, TokenInstruction.InitializeMint(Mint, Mallory, 0, ulong.MaxValue));
        FailsWith(bank, TransactionError.AccountAlreadyInitialized, TokenInstruction.InitializeAccount(AliceTokens, Mint, Mallory));
    }

    [Fact]
    public void A_token_account_of_something_that_is_not_a_mint_is_refused()
    {
        using ProgramBank bank = WithAccounts();
        bank.Ok(TokenInstruction.CreateTokenAccount(ProgramBank.Payer, OtherTokens, bank.Rent(TokenAccountState.Length)));
        FailsWith(bank, TransactionError.InvalidAccountData, TokenInstruction.InitializeAccount(OtherTokens, AliceTokens, Alice)); // a token account is not a mint
        FailsWith(bank, TransactionError.InvalidAccountOwner, TokenInstruction.InitializeAccount(OtherTokens, ProgramBank.Payer, Alice)); // a system account is not a mint
    }

    [Fact]
    public void Mint_to_credits_the_account_and_counts_the_minted_total_up_to_exactly_the_cap()
    {
        using ProgramBank bank = WithAccounts(maxSupply: 1_000);
        bank.Ok(TokenInstruction.MintTo(Mint, AliceTokens, Authority, 600));
        bank.Ok(TokenInstruction.MintTo(Mint, BobTokens, Authority, 400));
        Assert.Equal(600UL, bank.Token(AliceTokens).Amount);
        Assert.Equal(400UL, bank.Token(BobTokens).Amount);
        Assert.Equal(1_000UL, bank.Mint(Mint).MintedTotal);
        Assert.Equal(1_000UL, bank.Mint(Mint).Supply);
    }

    [Fact]
    public void Mint_to_past_max_supply_fails_with_mint_cap_exceeded_and_changes_nothing_but_the_fee()
    {
        using ProgramBank bank = WithAccounts(maxSupply: 1_000);
        bank.Ok(TokenInstruction.MintTo(Mint, AliceTokens, Authority, 999));
        FailsWith(bank, TransactionError.MintCapExceeded, TokenInstruction.MintTo(Mint, AliceTokens, Authority, 2));
        Assert.Equal(999UL, bank.Mint(Mint).MintedTotal);
    }

    [Fact]
    public void Burning_does_not_make_room_to_mint_past_the_cap_again()
    {
        using ProgramBank bank = WithAccounts(maxSupply: 1_000);
        bank.Ok(TokenInstruction.MintTo(Mint, AliceTokens, Authority, 1_000));
        bank.Ok(TokenInstruction.Burn(AliceTokens, Mint, Alice, 300));
        Assert.Equal(700UL, bank.Mint(Mint).Supply);
        Assert.Equal(300UL, bank.Mint(Mint).BurntTotal);
        FailsWith(bank, TransactionError.MintCapExceeded, TokenInstruction.MintTo(Mint, AliceTokens, Authority, 1));
    }

    [Fact]
    public void Mint_to_whose_minted_total_would_pass_u64_fails_with_arithmetic_overflow()
    {
        using ProgramBank bank = WithAccounts(maxSupply: ulong.MaxValue);
        bank.Ok(TokenInstruction.MintTo(Mint, AliceTokens, Authority, ulong.MaxValue - 1));
        FailsWith(bank, TransactionError.ArithmeticOverflow, TokenInstruction.MintTo(Mint, BobTokens, Authority, 2));
        bank.Ok(TokenInstruction.MintTo(Mint, BobTokens, Authority, 1));
        Assert.Equal(ulong.MaxValue, bank.Mint(Mint).MintedTotal);
    }

    [Fact]
    public void Mint_to_by_anyone_but_the_signing_mint_authority_is_refused()
    {
        using ProgramBank bank = WithAccounts();
        FailsWith(bank, TransactionError.InvalidAuthority, TokenInstruction.MintTo(Mint, AliceTokens, Mallory, 5));
        Instruction unsigned = new(TokenProgram.Id, [AccountMeta.Writable(Mint), AccountMeta.Writable(AliceTokens), AccountMeta.ReadOnly(Authority)], new TokenInstructionData { Kind = TokenInstructionKind.MintTo, Amount = 5 }.ToArray());
        FailsWith(bank, TransactionError.MissingRequiredSignature, unsigned);
    }

    [Fact]
    public void Mint_to_an_account_of_another_mint_fails_with_mint_mismatch()
    {
        using ProgramBank bank = WithAccounts();
        bank.CreateMint(OtherMint, Authority, 100);
        bank.CreateTokenAccount(OtherTokens, OtherMint, Alice);
        FailsWith(bank, TransactionError.MintMismatch, TokenInstruction.MintTo(Mint, OtherTokens, Authority, 5));
        FailsWith(bank, TransactionError.MintMismatch, TokenInstruction.Transfer(AliceTokens, OtherTokens, Alice, 0));
    }

    [Fact]
    public void Transfer_moves_tokens_between_accounts_of_one_mint()
    {
        using ProgramBank bank = WithAccounts();
        bank.Ok(TokenInstruction.MintTo(Mint, AliceTokens, Authority, 100));
        bank.Ok(TokenInstruction.Transfer(AliceTokens, BobTokens, Alice, 40));
        Assert.Equal(60UL, bank.Token(AliceTokens).Amount);
        Assert.Equal(40UL, bank.Token(BobTokens).Amount);
        bank.Ok(TokenInstruction.Transfer(AliceTokens, AliceTokens, Alice, 60)); // to itself: nothing moves
        Assert.Equal(60UL, bank.Token(AliceTokens).Amount);
    }

    [Fact]
    public void Transfer_past_the_balance_or_signed_by_someone_else_is_refused()
    {
        using ProgramBank bank = WithAccounts();
        bank.Ok(TokenInstruction.MintTo(Mint, AliceTokens, Authority, 100));
        FailsWith(bank, TransactionError.InsufficientFunds, TokenInstruction.Transfer(AliceTokens, BobTokens, Alice, 101));
        FailsWith(bank, TransactionError.InvalidAuthority, TokenInstruction.Transfer(AliceTokens, BobTokens, Bob, 1));
        FailsWith(bank, TransactionError.InvalidAccountOwner, TokenInstruction.Transfer(AliceTokens, ProgramBank.Payer, Alice, 1));
    }

    [Fact]
    public void Transfer_marked_read_only_by_the_transaction_fails_with_readonly_account_modified()
    {
        using ProgramBank bank = WithAccounts();
        bank.Ok(TokenInstruction.MintTo(Mint, AliceTokens, Authority, 100));
        Instruction readOnly = new(TokenProgram.Id, [AccountMeta.Writable(AliceTokens), AccountMeta.ReadOnly(BobTokens), AccountMeta.ReadOnly(Alice, signer: true)], new TokenInstructionData { Kind = TokenInstructionKind.Transfer, Amount = 1 }.ToArray());
        FailsWith(bank, TransactionError.ReadonlyAccountModified, readOnly);
    }

    [Fact]
    public void A_delegate_spends_up_to_its_allowance_and_nothing_after_a_revoke()
    {
        using ProgramBank bank = WithAccounts();
        bank.Ok(TokenInstruction.MintTo(Mint, AliceTokens, Authority, 100));
        FailsWith(bank, TransactionError.InvalidAuthority, TokenInstruction.Approve(AliceTokens, Bob, Mallory, 30));
        bank.Ok(TokenInstruction.Approve(AliceTokens, Bob, Alice, 30));
        bank.Ok(TokenInstruction.Transfer(AliceTokens, BobTokens, Bob, 20));
        Assert.Equal(10UL, bank.Token(AliceTokens).DelegatedAmount);
        FailsWith(bank, TransactionError.InsufficientFunds, TokenInstruction.Transfer(AliceTokens, BobTokens, Bob, 11));
        bank.Ok(TokenInstruction.Burn(AliceTokens, Mint, Bob, 10)); // the rest of the allowance, burnt: the delegation ends
        Assert.False(bank.Token(AliceTokens).HasDelegate);
        bank.Ok(TokenInstruction.Approve(AliceTokens, Bob, Alice, 50));
        bank.Ok(TokenInstruction.Revoke(AliceTokens, Alice));
        FailsWith(bank, TransactionError.InvalidAuthority, TokenInstruction.Transfer(AliceTokens, BobTokens, Bob, 1));
        Assert.Equal(70UL, bank.Token(AliceTokens).Amount);
        Assert.Equal(20UL, bank.Token(BobTokens).Amount);
    }

    [Fact]
    public void A_frozen_account_can_neither_send_receive_nor_burn_until_thawed()
    {
        using ProgramBank bank = WithAccounts(freeze: FreezeAuthority);
        bank.Ok(TokenInstruction.MintTo(Mint, AliceTokens, Authority, 100));
        FailsWith(bank, TransactionError.InvalidAuthority, TokenInstruction.Freeze(AliceTokens, Mint, Mallory));
        bank.Ok(TokenInstruction.Freeze(AliceTokens, Mint, FreezeAuthority));
        Assert.True(bank.Token(AliceTokens).Frozen);
        FailsWith(bank, TransactionError.AccountFrozen, TokenInstruction.Transfer(AliceTokens, BobTokens, Alice, 1));
        FailsWith(bank, TransactionError.AccountFrozen, TokenInstruction.Transfer(BobTokens, AliceTokens, Bob, 0));
        FailsWith(bank, TransactionError.AccountFrozen, TokenInstruction.Burn(AliceTokens, Mint, Alice, 1));
        FailsWith(bank, TransactionError.AccountFrozen, TokenInstruction.MintTo(Mint, AliceTokens, Authority, 1));
        FailsWith(bank, TransactionError.AccountFrozen, TokenInstruction.Freeze(AliceTokens, Mint, FreezeAuthority));
        bank.Ok(TokenInstruction.Thaw(AliceTokens, Mint, FreezeAuthority));
        bank.Ok(TokenInstruction.Transfer(AliceTokens, BobTokens, Alice, 1));
        FailsWith(bank, TransactionError.InvalidArgument, TokenInstruction.Thaw(AliceTokens, Mint, FreezeAuthority));
    }

    [Fact]
    public void A_mint_without_a_freeze_authority_cannot_freeze()
    {
        using ProgramBank bank = WithAccounts();
        FailsWith(bank, TransactionError.InvalidAuthority, TokenInstruction.Freeze(AliceTokens, Mint, Authority));
    }

    [Fact]
    public void Closing_an_account_with_tokens_is_refused_and_an_empty_one_returns_its_lamports()
    {
        using ProgramBank bank = WithAccounts();
        bank.Ok(TokenInstruction.MintTo(Mint, AliceTokens, Authority, 5));
        FailsWith(bank, TransactionError.NonZeroTokenBalance, TokenInstruction.Close(AliceTokens, Alice, Alice));
        FailsWith(bank, TransactionError.InvalidAuthority, TokenInstruction.Close(AliceTokens, Mallory, Mallory));
        bank.Ok(TokenInstruction.Burn(AliceTokens, Mint, Alice, 5));
        ulong deposit = bank.Lamports(AliceTokens);
        Assert.Equal(bank.Rent(TokenAccountState.Length), deposit);
        bank.Ok(TokenInstruction.Close(AliceTokens, Alice, Alice));
        Assert.False(bank.Account(AliceTokens).Exists);
        Assert.Equal(deposit, bank.Lamports(Alice));
        FailsWith(bank, TransactionError.InvalidAccountOwner, TokenInstruction.Transfer(AliceTokens, BobTokens, Alice, 0));
    }

    [Fact]
    public void Malformed_token_instructions_and_missing_accounts_are_typed_errors()
    {
        using ProgramBank bank = WithAccounts();
        AccountMeta[] mintOnly = [AccountMeta.Writable(Mint)];
        FailsWith(bank, TransactionError.InvalidInstruction, new Instruction(TokenProgram.Id, mintOnly, []));
        FailsWith(bank, TransactionError.InvalidInstruction, new Instruction(TokenProgram.Id, mintOnly, [42]));
        FailsWith(bank, TransactionError.InvalidInstruction, new Instruction(TokenProgram.Id, mintOnly, [(byte)TokenInstructionKind.MintTo, 1, 0, 0]));
        FailsWith(bank, TransactionError.NotEnoughAccountKeys, new Instruction(TokenProgram.Id, mintOnly, new TokenInstructionData { Kind = TokenInstructionKind.MintTo, Amount = 1 }.ToArray()));
    }
}
