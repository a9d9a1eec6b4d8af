using Fast.Core.Primitives;
using Fast.Exec.Programs;
using Fast.Exec.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Fast.Exec.Tests.Programs;

/// <summary>
/// Property tests (FsCheck) over random operation sequences run through real banks, each checked
/// against a small model: a mint's supply always equals minted − burnt, never passes its cap, and
/// every operation succeeds exactly when the model says; a multisig proposal executes exactly once,
/// and only at ≥ M approvals.
/// </summary>
public class ProgramProperties
{
    private static readonly Config Cases = Config.QuickThrowOnFailure.WithMaxTest(40).WithQuietOnSuccess(true);

    /// <summary>A token operation of a random sequence.</summary>
    private enum TokenOp { MintTo, Transfer, Burn, Freeze, Thaw }

    /// <summary>One step: the operation, its accounts (indexes) and amount.</summary>
    private readonly record struct TokenStep(TokenOp Op, int From, int To, ulong Amount);

    private static readonly Gen<TokenStep> Step =
        from op in Gen.Elements(TokenOp.MintTo, TokenOp.MintTo, TokenOp.Transfer, TokenOp.Transfer, TokenOp.Burn, TokenOp.Freeze, TokenOp.Thaw)
        from source in Gen.Choose(0, 2)
        from target in Gen.Choose(0, 2)
        from amount in Gen.Choose(0, 600)
        select new TokenStep(op, source, target, (ulong)amount);

    private static readonly Gen<(ulong Cap, TokenStep[] Steps)> TokenScenario =
        from cap in Gen.Choose(1, 2_000)
        from count in Gen.Choose(5, 30)
        from steps in Gen.ArrayOf(Step, count)
        select ((ulong)cap, steps);

    [Fact]
    public void Token_supply_always_equals_minted_minus_burnt_never_passes_the_cap_and_matches_the_model()
    {
        Pubkey mint = TestChain.Key(100), authority = TestChain.Key(101), freezer = TestChain.Key(102);
        Pubkey[] owners = [TestChain.Key(110), TestChain.Key(111), TestChain.Key(112)];
        Pubkey[] accounts = [TestChain.Key(120), TestChain.Key(121), TestChain.Key(122)];
        Check.One(Cases, Prop.ForAll(TokenScenario.ToArbitrary(), scenario =>
        {
            using ProgramBank bank = new();
            bank.CreateMint(mint, authority, scenario.Cap, freezer);
            for (int i = 0; i < 3; i++) bank.CreateTokenAccount(accounts[i], mint, owners[i]);
            ulong[] balances = new ulong[3];
            bool[] frozen = new bool[3];
            ulong minted = 0, burnt = 0;
            foreach (TokenStep s in scenario.Steps)
            {
                bool expected;
                TransactionResult result;
                switch (s.Op)
                {
                    case TokenOp.MintTo:
                        expected = !frozen[s.To] && minted + s.Amount <= scenario.Cap;
                        result = bank.Run(TokenInstruction.MintTo(mint, accounts[s.To], authority, s.Amount));
                        if (expected) { minted += s.Amount; balances[s.To] += s.Amount; }
                        break;
                    case TokenOp.Transfer:
                        expected = !frozen[s.From] && !frozen[s.To] && balances[s.From] >= s.Amount;
                        result = bank.Run(TokenInstruction.Transfer(accounts[s.From], accounts[s.To], owners[s.From], s.Amount));
                        if (expected) { balances[s.From] -= s.Amount; balances[s.To] += s.Amount; }
                        break;
                    case TokenOp.Burn:
                        expected = !frozen[s.From] && balances[s.From] >= s.Amount;
                        result = bank.Run(TokenInstruction.Burn(accounts[s.From], mint, owners[s.From], s.Amount));
                        if (expected) { burnt += s.Amount; balances[s.From] -= s.Amount; }
                        break;
                    case TokenOp.Freeze:
                        expected = !frozen[s.From];
                        result = bank.Run(TokenInstruction.Freeze(accounts[s.From], mint, freezer));
                        if (expected) frozen[s.From] = true;
                        break;
                    default:
                        expected = frozen[s.From];
                        result = bank.Run(TokenInstruction.Thaw(accounts[s.From], mint, freezer));
                        if (expected) frozen[s.From] = false;
                        break;
                }
                if (result.IsOk != expected || !result.IsCommitted) return false;
                MintState state = bank.Mint(mint);
                ulong sum = 0;
                for (int i = 0; i < 3; i++)
                {
                    TokenAccountState account = bank.Token(accounts[i]);
                    if (account.Amount != balances[i] || account.Frozen != frozen[i]) return false;
                    sum += account.Amount;
                }
                if (sum != state.MintedTotal - state.BurntTotal || state.MintedTotal > state.MaxSupply) return false;
                if (state.MintedTotal != minted || state.BurntTotal != burnt) return false;
            }
            return true;
        }));
    }

    /// <summary>One step: execute, or an approval by member <c>Member</c> (N means an outsider).</summary>
    private readonly record struct MultisigStep(bool Execute, int Member);

    private static readonly Gen<(int N, int M, MultisigStep[] Steps)> MultisigScenario =
        from n in Gen.Choose(1, 6)
        from m in Gen.Choose(1, n)
        from count in Gen.Choose(1, 16)
        from steps in Gen.ArrayOf(Gen.Choose(0, 2).Zip(Gen.Choose(0, n), (kind, member) => new MultisigStep(kind == 0, member)), count)
        select (n, m, steps);

    [Fact]
    public void A_proposal_executes_exactly_once_and_only_at_threshold_approvals()
    {
        Pubkey multisig = TestChain.Key(200), proposal = TestChain.Key(201), recipient = TestChain.Key(202), outsider = TestChain.Key(203);
        const ulong payout = 5_000_000;
        Check.One(Cases, Prop.ForAll(MultisigScenario.ToArbitrary(), scenario =>
        {
            using ProgramBank bank = new();
            Pubkey[] members = [.. Enumerable.Range(0, scenario.N).Select(i => TestChain.Key(210 + i))];
            Pubkey vault = bank.CreateMultisig(multisig, (byte)scenario.M, members, 1_000);
            bank.Ok(SystemInstruction.Transfer(ProgramBank.Payer, vault, 3 * payout));
            Instruction pay = SystemInstruction.Transfer(vault, recipient, payout);
            if (!bank.Propose(multisig, proposal, members[0], pay).IsOk) return false;
            HashSet<int> approved = [];
            bool executed = false;
            foreach (MultisigStep step in scenario.Steps)
            {
                TransactionError expected;
                TransactionResult result;
                if (step.Execute)
                {
                    expected = executed ? TransactionError.ProposalAlreadyExecuted
                        : approved.Count < scenario.M ? TransactionError.ProposalThresholdNotMet : TransactionError.None;
                    result = bank.Run(MultisigInstruction.Execute(multisig, proposal, [pay]));
                    if (expected == TransactionError.None) executed = true;
                }
                else
                {
                    Pubkey signer = step.Member < scenario.N ? members[step.Member] : outsider;
                    expected = executed ? TransactionError.ProposalAlreadyExecuted
                        : step.Member >= scenario.N ? TransactionError.InvalidAuthority
                        : approved.Contains(step.Member) ? TransactionError.ProposalAlreadyApproved : TransactionError.None;
                    result = bank.Run(MultisigInstruction.Approve(multisig, proposal, signer));
                    if (expected == TransactionError.None) approved.Add(step.Member);
                }
                if (result.Error != expected) return false;
                if (bank.Lamports(recipient) != (executed ? payout : 0)) return false;
                ProposalHeader header = bank.Proposal(proposal);
                if (header.ApprovalCount != approved.Count || (header.Status == ProposalStatus.Executed) != executed) return false;
            }
            return true;
        }));
    }
}
