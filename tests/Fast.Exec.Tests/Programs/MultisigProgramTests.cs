using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Exec.Programs;
using Fast.Exec.Tests.Infrastructure;
using Fast.Storage.Accounts;
using Xunit;

namespace Fast.Exec.Tests.Programs;

public class MultisigProgramTests
{
    private static readonly Pubkey Multisig = TestChain.Key(200);
    private static readonly Pubkey Proposal = TestChain.Key(201);
    private static readonly Pubkey Proposal2 = TestChain.Key(202);
    private static readonly Pubkey A = TestChain.Key(210);
    private static readonly Pubkey B = TestChain.Key(211);
    private static readonly Pubkey C = TestChain.Key(212);
    private static readonly Pubkey Outsider = TestChain.Key(213);
    private static readonly Pubkey Recipient = TestChain.Key(220);
    private const ulong VaultLamports = 50_000_000;
    private const ulong Payout = 10_000_000;

    /// <summary>A 2-of-3 multisig (A, B, C) whose vault holds <see cref="VaultLamports"/>, proposals living <paramref name="lifetime"/> slots.</summary>
    private static (ProgramBank Bank, Pubkey Vault) TwoOfThree(ulong lifetime = 100)
    {
        ProgramBank bank = new();
        Pubkey vault = bank.CreateMultisig(Multisig, 2, [A, B, C], lifetime);
        bank.Ok(SystemInstruction.Transfer(ProgramBank.Payer, vault, VaultLamports));
        return (bank, vault);
    }

    private static Instruction PayOut(Pubkey vault, ulong lamports = Payout) => SystemInstruction.Transfer(vault, Recipient, lamports);

    private static Instruction Execute(Instruction inner) => MultisigInstruction.Execute(Multisig, Proposal, [inner]);

    [Fact]
    public void A_multisig_records_its_members_threshold_lifetime_and_an_off_curve_vault()
    {
        (ProgramBank bank, Pubkey vault) = TwoOfThree(lifetime: 77);
        using (bank)
        {
            Account account = bank.Account(Multisig);
            Assert.Equal(MultisigProgram.Id, account.Owner);
            Assert.True(MultisigView.TryRead(account.Data, out MultisigView view));
            Assert.Equal(2, view.Threshold);
            Assert.Equal(3, view.SignerCount);
            Assert.Equal(77UL, view.ProposalLifetimeSlots);
            Assert.Equal(1, view.MemberIndex(B));
            Assert.Equal(-1, view.MemberIndex(Outsider));
            Assert.Equal(vault, view.Vault);
            Assert.Equal(VaultLamports, bank.Lamports(vault));
        }
    }

    [Fact]
    public void Nobody_can_sign_for_a_vault_because_its_key_is_not_a_curve_point()
    {
        for (int i = 0; i < 64; i++)
        {
            Pubkey vault = MultisigVault.Derive(TestChain.Key(5_000 + i), out byte bump);
            Assert.False(Schnorr.IsValidPublicKey(vault.Span));
            Assert.False(Schnorr.Verify(vault.Span, [1, 2, 3], new byte[64]));
            Assert.Equal(vault, MultisigVault.Derive(TestChain.Key(5_000 + i))); // deterministic
            Assert.True(bump <= 255);
        }
        Assert.NotEqual(MultisigVault.Derive(TestChain.Key(1)), MultisigVault.Derive(TestChain.Key(2)));
    }

    [Theory]
    [InlineData(0, 3, 10)] // M = 0
    [InlineData(4, 3, 10)] // M > N
    [InlineData(1, 0, 10)] // N = 0
    [InlineData(2, 3, 0)] // lifetime 0
    public void A_multisig_out_of_range_fails_with_invalid_multisig_config(byte threshold, int signers, ulong lifetime)
    {
        using ProgramBank bank = new();
        Pubkey[] members = [.. Enumerable.Range(0, signers).Select(i => TestChain.Key(300 + i))];
        TransactionResult result = bank.Run(MultisigInstruction.CreateMultisigAccount(ProgramBank.Payer, Multisig, bank.Rent(MultisigView.Length)), MultisigInstruction.Create(Multisig, threshold, members, lifetime));
        Assert.Equal(TransactionError.InvalidMultisigConfig, result.Error);
        Assert.False(bank.Account(Multisig).Exists);
    }

    [Fact]
    public void A_multisig_with_a_repeated_member_or_more_than_sixteen_is_refused()
    {
        using ProgramBank bank = new();
        ulong rent = bank.Rent(MultisigView.Length);
        Assert.Equal(TransactionError.InvalidMultisigConfig,
            bank.Run(MultisigInstruction.CreateMultisigAccount(ProgramBank.Payer, Multisig, rent), MultisigInstruction.Create(Multisig, 2, [A, B, A], 10)).Error);
        byte[] seventeen = new byte[MultisigInstructionData.CreateHeaderLength + 17 * 32];
        seventeen[1] = 1;
        seventeen[2] = 17;
        seventeen[3] = 10;
        Assert.Equal(TransactionError.InvalidInstruction,
            bank.Run(MultisigInstruction.CreateMultisigAccount(ProgramBank.Payer, Multisig, rent), new Instruction(MultisigProgram.Id, [AccountMeta.Writable(Multisig)], seventeen)).Error);
        bank.CreateMultisig(Multisig, 16, [.. Enumerable.Range(0, 16).Select(i => TestChain.Key(400 + i))], 10); // sixteen is the maximum and works
        Assert.Equal(TransactionError.AccountAlreadyInitialized, bank.Run(MultisigInstruction.Create(Multisig, 1, [A], 10)).Error);
    }

    [Fact]
    public void Two_of_three_pays_out_only_after_the_second_approval()
    {
        (ProgramBank bank, Pubkey vault) = TwoOfThree();
        using (bank)
        {
            Assert.True(bank.Propose(Multisig, Proposal, A, PayOut(vault)).IsOk);
            Assert.Equal(TransactionError.ProposalThresholdNotMet, bank.Run(Execute(PayOut(vault))).Error);
            bank.Ok(MultisigInstruction.Approve(Multisig, Proposal, A));
            Assert.Equal(TransactionError.ProposalThresholdNotMet, bank.Run(Execute(PayOut(vault))).Error);
            Assert.Equal(0UL, bank.Lamports(Recipient));
            bank.Ok(MultisigInstruction.Approve(Multisig, Proposal, C));
            Assert.Equal(2, bank.Proposal(Proposal).ApprovalCount);
            bank.Ok(Execute(PayOut(vault)));
            Assert.Equal(Payout, bank.Lamports(Recipient));
            Assert.Equal(VaultLamports - Payout, bank.Lamports(vault));
            Assert.Equal(ProposalStatus.Executed, bank.Proposal(Proposal).Status);
        }
    }

    [Fact]
    public void A_repeated_approval_is_refused_with_already_approved_and_does_not_count_twice()
    {
        (ProgramBank bank, Pubkey vault) = TwoOfThree();
        using (bank)
        {
            bank.Propose(Multisig, Proposal, A, PayOut(vault));
            bank.Ok(MultisigInstruction.Approve(Multisig, Proposal, B));
            Assert.Equal(TransactionError.ProposalAlreadyApproved, bank.Run(MultisigInstruction.Approve(Multisig, Proposal, B)).Error);
            Assert.Equal(1, bank.Proposal(Proposal).ApprovalCount);
            Assert.Equal(TransactionError.ProposalThresholdNotMet, bank.Run(Execute(PayOut(vault))).Error);
        }
    }

    [Fact]
    public void A_proposal_executes_once_and_a_second_execute_fails_with_already_executed()
    {
        (ProgramBank bank, Pubkey vault) = TwoOfThree();
        using (bank)
        {
            bank.Propose(Multisig, Proposal, A, PayOut(vault));
            bank.Ok(MultisigInstruction.Approve(Multisig, Proposal, A), MultisigInstruction.Approve(Multisig, Proposal, B));
            bank.Ok(Execute(PayOut(vault)));
            Assert.Equal(TransactionError.ProposalAlreadyExecuted, bank.Run(Execute(PayOut(vault))).Error);
            Assert.Equal(TransactionError.ProposalAlreadyExecuted, bank.Run(MultisigInstruction.Approve(Multisig, Proposal, C)).Error);
            Assert.Equal(TransactionError.ProposalAlreadyExecuted, bank.Run(MultisigInstruction.Cancel(Proposal, A)).Error);
            Assert.Equal(Payout, bank.Lamports(Recipient));
        }
    }

    [Fact]
    public void Outsiders_can_neither_propose_nor_approve()
    {
        (ProgramBank bank, Pubkey vault) = TwoOfThree();
        using (bank)
        {
            Assert.Equal(TransactionError.InvalidAuthority, bank.Propose(Multisig, Proposal, Outsider, PayOut(vault)).Error);
            Assert.False(bank.Account(Proposal).Exists);
            bank.Propose(Multisig, Proposal, A, PayOut(vault));
            Assert.Equal(TransactionError.InvalidAuthority, bank.Run(MultisigInstruction.Approve(Multisig, Proposal, Outsider)).Error);
            Instruction unsigned = new(MultisigProgram.Id, [AccountMeta.ReadOnly(Multisig), AccountMeta.Writable(Proposal), AccountMeta.ReadOnly(B)], [(byte)MultisigInstructionKind.Approve]);
            Assert.Equal(TransactionError.MissingRequiredSignature, bank.Run(unsigned).Error);
            Assert.Equal(0, bank.Proposal(Proposal).ApprovalCount);
        }
    }

    [Fact]
    public void A_proposal_past_its_lifetime_can_be_neither_approved_nor_executed()
    {
        (ProgramBank bank, Pubkey vault) = TwoOfThree(lifetime: 5);
        using (bank)
        {
            bank.Propose(Multisig, Proposal, A, PayOut(vault));
            ulong created = bank.Slot;
            bank.Ok(MultisigInstruction.Approve(Multisig, Proposal, A));
            bank.Advance(4); // slot created + 4: the last live slot
            bank.Ok(MultisigInstruction.Approve(Multisig, Proposal, B));
            bank.Advance(1);
            Assert.Equal(created + 5, bank.Slot);
            Assert.Equal(TransactionError.ProposalExpired, bank.Run(Execute(PayOut(vault))).Error);
            Assert.Equal(TransactionError.ProposalExpired, bank.Run(MultisigInstruction.Approve(Multisig, Proposal, C)).Error);
            Assert.Equal(0UL, bank.Lamports(Recipient));
        }
    }

    [Fact]
    public void Only_the_proposer_cancels_and_a_cancelled_proposal_cannot_run()
    {
        (ProgramBank bank, Pubkey vault) = TwoOfThree();
        using (bank)
        {
            bank.Propose(Multisig, Proposal, A, PayOut(vault));
            bank.Ok(MultisigInstruction.Approve(Multisig, Proposal, A), MultisigInstruction.Approve(Multisig, Proposal, B));
            Assert.Equal(TransactionError.InvalidAuthority, bank.Run(MultisigInstruction.Cancel(Proposal, B)).Error);
            bank.Ok(MultisigInstruction.Cancel(Proposal, A));
            Assert.Equal(ProposalStatus.Cancelled, bank.Proposal(Proposal).Status);
            Assert.Equal(TransactionError.ProposalCancelled, bank.Run(Execute(PayOut(vault))).Error);
            Assert.Equal(TransactionError.ProposalCancelled, bank.Run(MultisigInstruction.Approve(Multisig, Proposal, C)).Error);
            Assert.Equal(TransactionError.ProposalCancelled, bank.Run(MultisigInstruction.Cancel(Proposal, A)).Error);
        }
    }

    [Fact]
    public void A_failing_inner_instruction_fails_the_execute_and_leaves_the_proposal_active_to_retry()
    {
        (ProgramBank bank, Pubkey vault) = TwoOfThree();
        using (bank)
        {
            Instruction tooMuch = PayOut(vault, VaultLamports + 1);
            bank.Propose(Multisig, Proposal, A, tooMuch);
            bank.Ok(MultisigInstruction.Approve(Multisig, Proposal, A), MultisigInstruction.Approve(Multisig, Proposal, B));
            TransactionResult failed = bank.Run(Execute(tooMuch));
            Assert.Equal(TransactionError.InsufficientFunds, failed.Error);
            Assert.Equal(ProposalStatus.Active, bank.Proposal(Proposal).Status);
            bank.Ok(SystemInstruction.Transfer(ProgramBank.Payer, vault, 1));
            bank.Ok(Execute(tooMuch));
            Assert.Equal(VaultLamports + 1, bank.Lamports(Recipient));
            Assert.Equal(0UL, bank.Lamports(vault));
        }
    }

    [Fact]
    public void The_vault_holds_tokens_and_moves_them_only_through_an_approved_proposal()
    {
        (ProgramBank bank, Pubkey vault) = TwoOfThree();
        using (bank)
        {
            Pubkey mint = TestChain.Key(230), vaultTokens = TestChain.Key(231), recipientTokens = TestChain.Key(232), authority = TestChain.Key(233);
            bank.CreateMint(mint, authority, 1_000);
            bank.CreateTokenAccount(vaultTokens, mint, vault);
            bank.CreateTokenAccount(recipientTokens, mint, Recipient);
            bank.Ok(TokenInstruction.MintTo(mint, vaultTokens, authority, 500));
            Instruction send = TokenInstruction.Transfer(vaultTokens, recipientTokens, vault, 200);
            Assert.Equal(TransactionError.MissingRequiredSignature, bank.Run(new Instruction(send.ProgramId, [send.Accounts[0], send.Accounts[1], AccountMeta.ReadOnly(vault)], send.Data)).Error); // the vault never signs a transaction itself
            bank.Propose(Multisig, Proposal, B, send);
            bank.Ok(MultisigInstruction.Approve(Multisig, Proposal, B), MultisigInstruction.Approve(Multisig, Proposal, C));
            bank.Ok(MultisigInstruction.Execute(Multisig, Proposal, [send]));
            Assert.Equal(300UL, bank.Token(vaultTokens).Amount);
            Assert.Equal(200UL, bank.Token(recipientTokens).Amount);
        }
    }

    [Fact]
    public void An_inner_instruction_gets_no_signature_the_transaction_lacks_except_the_vaults()
    {
        (ProgramBank bank, Pubkey vault) = TwoOfThree();
        using (bank)
        {
            Instruction fromOutsider = SystemInstruction.Transfer(Outsider, Recipient, 1_000_000); // Outsider never signs the execute
            bank.Ok(SystemInstruction.Transfer(ProgramBank.Payer, Outsider, 10_000_000));
            bank.Propose(Multisig, Proposal, A, fromOutsider);
            bank.Ok(MultisigInstruction.Approve(Multisig, Proposal, A), MultisigInstruction.Approve(Multisig, Proposal, B));
            Instruction execute = MultisigInstruction.Execute(Multisig, Proposal, [fromOutsider]);
            Instruction unsigned = new(execute.ProgramId, [.. execute.Accounts.Select(m => m.Key == Outsider ? AccountMeta.Writable(Outsider) : m)], execute.Data);
            Assert.Equal(TransactionError.MissingRequiredSignature, bank.Run(unsigned).Error);
            Instruction readOnlyRecipient = new(execute.ProgramId, [.. execute.Accounts.Select(m => m.Key == Recipient ? AccountMeta.ReadOnly(Recipient) : m)], execute.Data);
            Assert.Equal(TransactionError.ReadonlyAccountModified, bank.Run(readOnlyRecipient).Error);
            Instruction missing = new(execute.ProgramId, [.. execute.Accounts.Where(m => m.Key != Recipient)], execute.Data);
            Assert.Equal(TransactionError.NotEnoughAccountKeys, bank.Run(missing).Error);
            Assert.Equal(ProposalStatus.Active, bank.Proposal(Proposal).Status);
            bank.Ok(execute); // signed by Outsider: runs
            Assert.Equal(1_000_000UL, bank.Lamports(Recipient));
        }
    }

    [Fact]
    public void Executing_the_vault_of_another_multisig_is_refused()
    {
        (ProgramBank bank, Pubkey vault) = TwoOfThree();
        using (bank)
        {
            bank.Propose(Multisig, Proposal, A, PayOut(vault));
            bank.Ok(MultisigInstruction.Approve(Multisig, Proposal, A), MultisigInstruction.Approve(Multisig, Proposal, B));
            Instruction execute = Execute(PayOut(vault));
            Pubkey wrongVault = MultisigVault.Derive(Outsider);
            Instruction wrong = new(execute.ProgramId, [execute.Accounts[0], execute.Accounts[1], AccountMeta.ReadOnly(wrongVault), .. execute.Accounts.Skip(3)], execute.Data);
            Assert.Equal(TransactionError.InvalidArgument, bank.Run(wrong).Error);
        }
    }

    [Fact]
    public void A_proposal_that_would_allocate_account_data_is_refused()
    {
        (ProgramBank bank, Pubkey vault) = TwoOfThree();
        using (bank)
        {
            Instruction create = SystemInstruction.CreateAccount(vault, Outsider, 1_000_000, 10, Pubkey.Zero);
            Assert.Equal(TransactionError.InvalidArgument, bank.Propose(Multisig, Proposal, A, create).Error);
        }
    }

    [Fact]
    public void A_proposal_that_executes_itself_fails_and_a_nesting_chain_stops_at_the_depth_limit()
    {
        (ProgramBank bank, Pubkey vault) = TwoOfThree();
        using (bank)
        {
            // Proposal 2 executes proposal 1, which executes proposal 2 again: the nested attempt finds it executed.
            Instruction self = MultisigInstruction.Execute(Multisig, Proposal2, [PayOut(vault)]);
            bank.Propose(Multisig, Proposal2, A, self);
            bank.Ok(MultisigInstruction.Approve(Multisig, Proposal2, A), MultisigInstruction.Approve(Multisig, Proposal2, B));
            Assert.Equal(TransactionError.ProposalAlreadyExecuted, bank.Run(MultisigInstruction.Execute(Multisig, Proposal2, [self])).Error);
            Assert.Equal(ProposalStatus.Active, bank.Proposal(Proposal2).Status);

            // A chain: proposal k executes proposal k+1; four levels of execute pass the limit of 4.
            Pubkey[] chain = [.. Enumerable.Range(0, 4).Select(i => TestChain.Key(600 + i))];
            Instruction innermost = PayOut(vault);
            var steps = new Instruction[chain.Length];
            Instruction next = innermost;
            for (int k = chain.Length - 1; k >= 0; k--)
            {
                steps[k] = next;
                next = MultisigInstruction.Execute(Multisig, chain[k], [next]);
            }
            for (int k = 0; k < chain.Length; k++)
            {
                Assert.True(bank.Propose(Multisig, chain[k], A, steps[k]).IsOk);
                bank.Ok(MultisigInstruction.Approve(Multisig, chain[k], A), MultisigInstruction.Approve(Multisig, chain[k], B));
            }
            Assert.Equal(TransactionError.CallDepthExceeded, bank.Run(next).Error);
            // Three levels (start one in) stay within it.
            Instruction threeLevels = MultisigInstruction.Execute(Multisig, chain[1], [steps[1]]);
            bank.Ok(threeLevels);
            Assert.Equal(Payout, bank.Lamports(Recipient));
        }
    }
}
