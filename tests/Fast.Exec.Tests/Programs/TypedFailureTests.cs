using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Exec.Programs;
using Fast.Exec.Tests.Infrastructure;
using Fast.Storage.Accounts;
using Xunit;

namespace Fast.Exec.Tests.Programs;

/// <summary>
/// Issue 13's typed-error bullet in one place: each failure it names — an unauthorized signer, an
/// over-cap mint, withdrawing active stake, an expired proposal, an already-executed proposal, forged
/// evidence, non-conflicting evidence — is its own <see cref="TransactionError"/>, committed (the fee
/// is charged), and changes nothing else: every account the transaction lists is byte for byte as
/// before, except the fee payer, which lost exactly the fee. (Their JSON shapes for `fast tx` and
/// getSignatureStatuses are Fast.Node.Tests' RpcTransactionShapeTests.)
/// </summary>
public class TypedFailureTests
{
    private static readonly Pubkey Mint = TestChain.Key(61_000), Authority = TestChain.Key(61_001);
    private static readonly Pubkey Alice = TestChain.Key(61_010), Mallory = TestChain.Key(61_011);
    private static readonly Pubkey AliceTokens = TestChain.Key(61_020), MalloryTokens = TestChain.Key(61_021);
    private static readonly Pubkey Multisig = TestChain.Key(61_030), Proposal = TestChain.Key(61_031), Recipient = TestChain.Key(61_032);
    private static readonly Pubkey Stake = TestChain.Key(61_040), Wallet = TestChain.Key(61_041);

    /// <summary>Runs <paramref name="instructions"/> on <paramref name="bank"/> (through <paramref name="run"/>) and asserts the typed failure changed nothing but the fee.</summary>
    private static void FailsWithNothingButTheFee(Bank bank, Func<Instruction[], TransactionResult> run, Pubkey payer, TransactionError expected, params Instruction[] instructions)
    {
        Pubkey[] keys = [payer, .. instructions.SelectMany(i => i.Accounts.Select(a => a.Key)).Where(k => k != payer).Distinct()];
        Account[] before = [.. keys.Select(k => bank.GetAccount(k))];
        byte[][] data = [.. before.Select(a => a.Data.ToArray())];
        TransactionResult result = run(instructions);
        Assert.Equal(expected, result.Error);
        Assert.True(result.IsCommitted);
        Assert.True(result.Fee > 0);
        Assert.Equal(before[0].Lamports - result.Fee, bank.GetBalance(payer));
        for (int i = 1; i < keys.Length; i++)
        {
            Account after = bank.GetAccount(keys[i]);
            Assert.Equal(before[i], after);
            Assert.True(after.Data.SequenceEqual(data[i]), $"{expected}: the data of {keys[i]} changed");
        }
    }

    [Fact]
    public void An_unauthorized_signer_and_an_over_cap_mint_are_typed_errors_that_change_nothing_but_the_fee()
    {
        using ProgramBank bank = new(seed: 7, (Alice, 1_000_000_000), (Mallory, 1_000_000_000));
        bank.CreateMint(Mint, Authority, 1_000);
        bank.CreateTokenAccount(AliceTokens, Mint, Alice);
        bank.CreateTokenAccount(MalloryTokens, Mint, Mallory);
        bank.Ok(TokenInstruction.MintTo(Mint, AliceTokens, Authority, 600));
        TransactionResult AsMallory(Instruction[] instructions) => bank.RunAs(Mallory, instructions);
        FailsWithNothingButTheFee(bank.Bank, AsMallory, Mallory, TransactionError.InvalidAuthority, TokenInstruction.Transfer(AliceTokens, MalloryTokens, Mallory, 100));
        FailsWithNothingButTheFee(bank.Bank, AsMallory, Mallory, TransactionError.InvalidAuthority, TokenInstruction.MintTo(Mint, MalloryTokens, Mallory, 1));
        // A transfer that would succeed, then the over-cap mint: the whole transaction fails, the transfer is undone too.
        FailsWithNothingButTheFee(bank.Bank, bank.Run, ProgramBank.Payer, TransactionError.MintCapExceeded,
            SystemInstruction.Transfer(ProgramBank.Payer, Alice, 5), TokenInstruction.MintTo(Mint, AliceTokens, Authority, 401));
        Assert.Equal(600UL, bank.Mint(Mint).MintedTotal);
    }

    [Fact]
    public void Expired_and_already_executed_proposals_are_typed_errors_that_change_nothing_but_the_fee()
    {
        using ProgramBank bank = new(seed: 8, (Alice, 1_000_000_000), (Mallory, 1_000_000_000));
        Pubkey vault = bank.CreateMultisig(Multisig, 1, [Alice, Mallory], 3);
        bank.Ok(SystemInstruction.Transfer(ProgramBank.Payer, vault, 100_000_000));
        Instruction pay = SystemInstruction.Transfer(vault, Recipient, 5_000_000);
        Pubkey executed = TestChain.Key(61_033);
        Assert.True(bank.Propose(Multisig, executed, Alice, pay).IsOk);
        Assert.True(bank.Propose(Multisig, Proposal, Alice, pay).IsOk);
        bank.Ok(MultisigInstruction.Approve(Multisig, executed, Alice));
        bank.Ok(MultisigInstruction.Approve(Multisig, Proposal, Alice));
        bank.Ok(MultisigInstruction.Execute(Multisig, executed, [pay]));
        FailsWithNothingButTheFee(bank.Bank, bank.Run, ProgramBank.Payer, TransactionError.ProposalAlreadyExecuted, MultisigInstruction.Execute(Multisig, executed, [pay]));
        bank.Advance(3);
        FailsWithNothingButTheFee(bank.Bank, bank.Run, ProgramBank.Payer, TransactionError.ProposalExpired, MultisigInstruction.Execute(Multisig, Proposal, [pay]));
        Assert.Equal(5_000_000UL, bank.Lamports(Recipient));
    }

    [Fact]
    public void Withdrawing_active_stake_and_forged_or_non_conflicting_evidence_are_typed_errors_that_change_nothing_but_the_fee()
    {
        using StakeChain chain = new();
        chain.CreateDelegatedStake(Stake, 1_000_000_000_000, StakeChain.VoteA);
        chain.NextEpoch();
        FailsWithNothingButTheFee(chain.Bank, chain.Run, StakeChain.Payer, TransactionError.StakeStillActive, StakeInstruction.Withdraw(Stake, Wallet, StakeChain.Payer, 1));

        byte[] forged = StakeChain.EquivocationEvidence(StakeChain.IdentityKeyA, chain.Bank.Slot - 1);
        forged[^10] ^= 0xFF; // inside the second shred: its signature no longer covers it
        FailsWithNothingButTheFee(chain.Bank, chain.Run, StakeChain.Payer, TransactionError.EvidenceInvalid, ReportFromBuffer(chain, forged, 1));
        byte[] agreeing = StakeChain.NonConflictingEvidence(StakeChain.IdentityKeyA, chain.Bank.Slot - 1);
        FailsWithNothingButTheFee(chain.Bank, chain.Run, StakeChain.Payer, TransactionError.EvidenceNotConflicting, ReportFromBuffer(chain, agreeing, 2));
    }

    /// <summary>Writes <paramref name="evidence"/> into a fresh buffer (successful transactions) and returns the report instruction to run.</summary>
    private static Instruction ReportFromBuffer(StakeChain chain, byte[] evidence, int seed)
    {
        Pubkey buffer = TestChain.Key(61_100 + seed);
        chain.Ok(StakeInstruction.CreateEvidenceBuffer(StakeChain.Payer, buffer, chain.Rent(EvidenceBuffer.Length)));
        foreach (Instruction write in StakeInstruction.WriteEvidenceChunks(buffer, StakeChain.Payer, evidence)) chain.Ok(write);
        return StakeInstruction.ReportEquivocation(buffer, StakeChain.Payer);
    }
}
