using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Exec.Programs;
using Fast.Exec.Scheduling;
using Fast.Exec.Tests.Infrastructure;
using Fast.Storage.Accounts;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Fast.Exec.Tests.Scheduling;

/// <summary>
/// Rule 5 (determinism) as an FsCheck property over every built-in program at once: random blocks of
/// system, token, multisig, stake and vote instructions — over a handful of shared accounts, so most
/// transactions conflict and many fail, across epoch boundaries (3-slot epochs: activation,
/// rewards) — give, through the Sealevel scheduler with 2 to 4 workers, the same results, pre- and
/// post-balances, bank hash and final accounts as executing each block serially in block order. And
/// every transaction that fails (a typed error) changes nothing but its fee payer's lamports, by the fee.
/// </summary>
public sealed class MixedProgramProperties(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private const int Owners = 4;
    private const int Proposals = 3;
    private const int FreshProposals = 3;
    private const int Stakes = 4;
    private const int FreshVotes = 2;
    private const ulong SlotsPerEpoch = 3;
    private const ulong Funded = 1_000_000_000_000_000;

    private static readonly Config Cases = Config.QuickThrowOnFailure.WithMaxTest(int.TryParse(Environment.GetEnvironmentVariable("FAST_PROPERTY_CASES"), out int n) ? Math.Max(1, n / 20) : 40).WithQuietOnSuccess(true);

    private static readonly Pubkey Mint = TestChain.Key(1_700);
    private static readonly Pubkey Multisig = TestChain.Key(1_701);
    private static readonly Pubkey Vault = MultisigVault.Derive(Multisig, out VaultBump);
    private static readonly byte VaultBump;
    private static readonly Pubkey VaultTokens = TestChain.Key(1_702);
    private static readonly Pubkey IdentityA = TestChain.Key(1_703), IdentityB = TestChain.Key(1_704);
    private static readonly Pubkey VoteA = TestChain.Key(1_705), VoteB = TestChain.Key(1_706);
    private static readonly Pubkey[] OwnerKeys = Keys(1_710, Owners);
    private static readonly Pubkey[] TokenAccounts = Keys(1_720, Owners);
    private static readonly Pubkey[] ProposalKeys = Keys(1_730, Proposals + FreshProposals);
    private static readonly Pubkey[] StakeKeys = Keys(1_740, Stakes);
    private static readonly Pubkey[] VoteKeys = [VoteA, VoteB, .. Keys(1_750, FreshVotes)];

    private static readonly SchedulerOptions[] Schedulers =
    [
        new() { Workers = 2, BatchSize = 4, Window = 16 },
        new() { Workers = 2, BatchSize = 64 },
        new() { Workers = 3, BatchSize = 1, Window = 3 },
        new() { Workers = 4, BatchSize = 8, Window = 64, MaxBatchesInFlight = 3 },
    ];

    private readonly TestChain _chain = new("fast-mixed-property");
    private readonly SealevelScheduler[] _schedulers = [.. Schedulers.Select(o => new SealevelScheduler(o))];

    /// <summary>The operations a random block is made of (one transaction each).</summary>
    private enum Op
    {
        SystemTransfer, TokenTransfer, MintTo, Burn, TokenApprove, Freeze, Thaw,
        Propose, Approve, Execute, Cancel,
        StakeCreate, StakeDelegate, StakeDeactivate, StakeWithdraw,
        VoteCreate, VoteWithdraw,
    }

    /// <summary>One transaction: its operation, the owners/accounts it picks (indexes) and an amount.</summary>
    private readonly record struct Step(Op Op, int A, int B, int C, int Amount);

    /// <summary>A scenario: slots of blocks, the slot of each (gaps skip slots, crossing epochs), a scheduler, a seed for signatures.</summary>
    private sealed record Scenario(Step[][] Blocks, int[] SlotGaps, int Scheduler, int Seed, int Cap)
    {
        public override string ToString() => $"scheduler {Scheduler}, seed {Seed}, cap {Cap}, gaps [{string.Join(",", SlotGaps)}], blocks [{string.Join(" | ", Blocks.Select(b => string.Join(",", b.Select(s => $"{s.Op}({s.A},{s.B},{s.C},{s.Amount})"))))}]";
    }

    private static readonly Gen<Step> StepGen =
        from op in Gen.Elements(Enum.GetValues<Op>())
        from a in Gen.Choose(0, Owners - 1)
        from b in Gen.Choose(0, Owners - 1)
        from c in Gen.Choose(0, 5)
        from amount in Gen.Choose(0, 1_000)
        select new Step(op, a, b, c, amount);

    private static readonly Gen<Scenario> ScenarioGen =
        from slots in Gen.Choose(2, 5)
        from blocks in Gen.ArrayOf(Gen.Choose(5, 60).SelectMany(count => Gen.ArrayOf(StepGen, count)), slots)
        from gaps in Gen.ArrayOf(Gen.Choose(1, 3), slots)
        from scheduler in Gen.Choose(0, Schedulers.Length - 1)
        from seed in Gen.Choose(0, int.MaxValue - 1)
        from cap in Gen.Choose(5_000, 40_000)
        select new Scenario(blocks, gaps, scheduler, seed, cap);

    private static Pubkey[] Keys(int first, int count) => [.. Enumerable.Range(first, count).Select(TestChain.Key)];

    [Fact]
    public void Blocks_mixing_every_program_execute_in_parallel_exactly_as_serially()
    {
        int ok = 0, failed = 0, boundaries = 0;
        HashSet<Op> succeeded = [];
        Check.One(Cases, Prop.ForAll(ScenarioGen.ToArbitrary(), scenario =>
        {
            GenesisConfig genesis = Genesis((ulong)scenario.Cap);
            var serial = Bank.Genesis(_chain.Accounts, genesis);
            var parallel = Bank.Genesis(_chain.Accounts, genesis);
            SealevelScheduler scheduler = _schedulers[scenario.Scheduler];
            Random signatures = new(scenario.Seed);
            ulong slot = 0;
            for (int s = 0; s < scenario.Blocks.Length; s++)
            {
                ulong epoch = slot / SlotsPerEpoch;
                slot += (ulong)scenario.SlotGaps[s];
                if (slot / SlotsPerEpoch != epoch) boundaries++;
                Pubkey leader = s % 2 == 0 ? IdentityA : IdentityB;
                serial = new Bank(serial, slot, leader);
                parallel = new Bank(parallel, slot, leader);
                Assert.Equal(serial.Capitalization, parallel.Capitalization);
                ulong rent = serial.Rent.MinimumBalance(StakeState.Length);
                byte[][] block = [.. scenario.Blocks[s].Select(step => Transaction(step, signatures, serial))];
                VerifiedTransaction[] verified = [.. block.Select(TestTransactions.Verified)];

                ulong[] expectedBalances = new ulong[SealevelScheduler.BalanceCount(verified)];
                var expected = new TransactionResult[block.Length];
                for (int i = 0, at = 0; i < block.Length; i++)
                {
                    int count = 2 * verified[i].Layout.AccountKeyCount;
                    Account[] before = Touched(serial, block[i]);
                    expected[i] = serial.Process(TestTransactions.View(block[i]), expectedBalances.AsSpan(at, count));
                    if (!expected[i].IsOk) AssertChangedNothingButTheFee(serial, block[i], before, expected[i]);
                    at += count;
                }
                var actual = new TransactionResult[block.Length];
                ulong[] actualBalances = new ulong[expectedBalances.Length];
                scheduler.Execute(parallel, verified, actual, actualBalances);

                for (int i = 0, at = 0; i < block.Length; i++)
                {
                    Assert.True(expected[i] == actual[i], $"slot {slot} tx {i} ({scenario.Blocks[s][i].Op}): serial {expected[i]}, parallel {actual[i]}");
                    int count = 2 * verified[i].Layout.AccountKeyCount;
                    if (expected[i].IsCommitted) Assert.True(expectedBalances.AsSpan(at, count).SequenceEqual(actualBalances.AsSpan(at, count)), $"slot {slot} tx {i}: balances differ");
                    at += count;
                    if (expected[i].IsOk)
                    {
                        ok++;
                        succeeded.Add(scenario.Blocks[s][i].Op);
                    }
                    else
                    {
                        failed++;
                    }
                }
                Hash last = TestChain.HashOf($"mixed property slot {slot}");
                Assert.Equal(serial.Freeze(last), parallel.Freeze(last));
                Assert.Equal(serial.CollectedFees, parallel.CollectedFees);
            }
            Assert.Equal(serial.ReadAllAccounts().OrderBy(p => p.Key), parallel.ReadAllAccounts().OrderBy(p => p.Key));
            StakeChain.AssertConserved(parallel);
        }));
        // The generator reaches every program's success path and its failures, and crosses epochs.
        Op[] never = [.. Enum.GetValues<Op>().Where(op => !succeeded.Contains(op))];
        Assert.True(never.Length == 0, $"never succeeded: {string.Join(", ", never)}");
        output.WriteLine($"{ok} ok, {failed} failed, {boundaries} epoch boundaries");
        Assert.True(failed > ok / 10 && boundaries > 10, $"{ok} ok, {failed} failed, {boundaries} epoch boundaries");
    }

    /// <summary>The accounts <paramref name="transaction"/> lists, as <paramref name="bank"/> holds them now.</summary>
    private static Account[] Touched(Bank bank, byte[] transaction)
    {
        Fast.Core.Transactions.TransactionView view = TestTransactions.View(transaction);
        var accounts = new Account[view.AccountKeyCount];
        for (int i = 0; i < accounts.Length; i++) accounts[i] = bank.GetAccount(view.GetAccountKey(i));
        return accounts;
    }

    /// <summary>A failed transaction (typed error) changed nothing but its fee payer's lamports, by exactly the fee (nothing at all when not committed).</summary>
    private static void AssertChangedNothingButTheFee(Bank bank, byte[] transaction, Account[] before, TransactionResult result)
    {
        Account[] after = Touched(bank, transaction);
        ulong fee = result.IsCommitted ? result.Fee : 0;
        Assert.True(before[0].Lamports - fee == after[0].Lamports && before[0].Owner == after[0].Owner && before[0].Data.SequenceEqual(after[0].Data), $"{result}: the fee payer changed by more than the fee");
        for (int i = 1; i < before.Length; i++)
        {
            Assert.True(before[i] == after[i] && before[i].Data.SequenceEqual(after[i].Data), $"{result}: account {i} changed ({before[i]} -> {after[i]})");
        }
    }

    /// <summary>Genesis: funded owners, a mint (cap <paramref name="cap"/>) with a token account per owner and one for the vault, a 2-of-3 multisig with a funded vault and active proposals, two validators.</summary>
    private static GenesisConfig Genesis(ulong cap)
    {
        List<(Pubkey, Account)> accounts = [.. OwnerKeys.Select(o => (o, new Account(Funded, Pubkey.Zero, false, null)))];
        byte[] mint = new byte[MintState.Length];
        new MintState { Decimals = 2, MintAuthority = OwnerKeys[0], HasFreezeAuthority = true, FreezeAuthority = OwnerKeys[1], MaxSupply = cap, MintedTotal = 4_000 }.Write(mint);
        accounts.Add((Mint, new Account(10_000_000, TokenProgram.Id, false, mint)));
        for (int i = 0; i < Owners; i++) accounts.Add((TokenAccounts[i], TokenAccount(OwnerKeys[i], 800)));
        accounts.Add((VaultTokens, TokenAccount(Vault, 800)));
        accounts.Add((Vault, new Account(50_000_000, Pubkey.Zero, false, null)));
        accounts.Add((Multisig, MultisigGenesis.TwoOfThree(OwnerKeys, Vault, VaultBump)));
        for (int p = 0; p < Proposals; p++) accounts.Add((ProposalKeys[p], MultisigGenesis.Proposal(Multisig, OwnerKeys[p], Payout(p))));
        StakingConfig staking = new() { SlotsPerEpoch = SlotsPerEpoch, SlotsPerYear = 30, Validators = [(IdentityA, VoteA, 1_000_000_000_000_000), (IdentityB, VoteB, 1_000_000_000_000_000)] };
        return new GenesisConfig(TestChain.GenesisHash, [.. accounts]) { Staking = staking, Leader = IdentityA };
    }

    private static Account TokenAccount(Pubkey owner, ulong amount)
    {
        byte[] data = new byte[TokenAccountState.Length];
        new TokenAccountState { Mint = Mint, Owner = owner, Amount = amount }.Write(data);
        return new Account(10_000_000, TokenProgram.Id, false, data);
    }

    /// <summary>Proposal <paramref name="p"/>'s one instruction: even ones pay lamports out of the vault, odd ones tokens.</summary>
    private static Instruction Payout(int p) => p % 2 == 0
        ? SystemInstruction.Transfer(Vault, OwnerKeys[p % Owners], 2_000_000)
        : TokenInstruction.Transfer(VaultTokens, TokenAccounts[p % Owners], Vault, 50);

    private static byte[] Transaction(Step step, Random signatures, Bank bank)
    {
        Pubkey owner = OwnerKeys[step.A], other = OwnerKeys[step.B];
        ulong amount = (ulong)step.Amount;
        Pubkey stake = StakeKeys[step.C % Stakes];
        Pubkey vote = VoteKeys[step.C % VoteKeys.Length];
        int proposal = step.C % (Proposals + FreshProposals);
        ulong stakeRent = bank.Rent.MinimumBalance(StakeState.Length);
        Instruction[] instructions = step.Op switch
        {
            Op.SystemTransfer => [SystemInstruction.Transfer(owner, other, amount * 1_000)],
            // Sometimes signed by the wrong owner (InvalidAuthority), sometimes more than the balance.
            Op.TokenTransfer => [TokenInstruction.Transfer(TokenAccounts[step.A], TokenAccounts[step.B], step.C == 0 ? other : owner, amount)],
            Op.MintTo => [TokenInstruction.MintTo(Mint, TokenAccounts[step.B], step.C == 0 ? other : OwnerKeys[0], amount * 10)],
            Op.Burn => [TokenInstruction.Burn(TokenAccounts[step.A], Mint, owner, amount)],
            Op.TokenApprove => [TokenInstruction.Approve(TokenAccounts[step.A], other, owner, amount)],
            Op.Freeze => [TokenInstruction.Freeze(TokenAccounts[step.A], Mint, step.C == 0 ? owner : OwnerKeys[1])],
            Op.Thaw => [TokenInstruction.Thaw(TokenAccounts[step.A], Mint, OwnerKeys[1])],
            Op.Propose => Propose(owner, ProposalKeys[Proposals + step.C % FreshProposals], Payout(step.B), bank),
            Op.Approve => [MultisigInstruction.Approve(Multisig, ProposalKeys[proposal], owner)],
            Op.Execute => [MultisigInstruction.Execute(Multisig, ProposalKeys[proposal], [ProposalPayout(proposal, bank)])],
            Op.Cancel => [MultisigInstruction.Cancel(ProposalKeys[proposal], owner)],
            Op.StakeCreate => [StakeInstruction.CreateStakeAccount(owner, stake, stakeRent + amount * 1_000_000_000), StakeInstruction.Initialize(stake, owner), StakeInstruction.Delegate(stake, vote, owner)],
            Op.StakeDelegate => [StakeInstruction.Delegate(stake, vote, owner)],
            Op.StakeDeactivate => [StakeInstruction.Deactivate(stake, owner)],
            Op.StakeWithdraw => [StakeInstruction.Withdraw(stake, other, owner, step.Amount % 3 == 0 ? bank.GetBalance(stake) : amount * 1_000_000)],
            Op.VoteCreate => [StakeInstruction.CreateVoteAccount(owner, vote, bank.Rent.MinimumBalance(VoteState.Length) + amount), StakeInstruction.InitializeVote(vote, owner, owner, (byte)(step.Amount % 101))],
            _ => [StakeInstruction.WithdrawVote(vote, other, owner, step.Amount % 3 == 0 ? bank.GetBalance(vote) : amount)],
        };
        return TestTransactions.Build(signatures, owner, TestChain.GenesisHash, instructions);
    }

    private static Instruction[] Propose(Pubkey proposer, Pubkey proposal, Instruction payout, Bank bank)
    {
        Instruction[] inner = [payout];
        return
        [
            MultisigInstruction.CreateProposalAccount(proposer, proposal, bank.Rent.MinimumBalance((ulong)MultisigInstruction.ProposalLength(inner)), inner),
            MultisigInstruction.Propose(Multisig, proposal, proposer, inner),
        ];
    }

    /// <summary>The instruction proposal <paramref name="p"/> holds (a fresh one's, as proposed, if it exists), so Execute names its accounts.</summary>
    private static Instruction ProposalPayout(int p, Bank bank)
    {
        if (p < Proposals) return Payout(p);
        Account account = bank.GetAccount(ProposalKeys[p]);
        if (!ProposalHeader.TryRead(account.Data, out ProposalHeader header)) return Payout(0);
        ReadOnlySpan<byte> list = account.Data.Slice(ProposalHeader.Length, (int)header.InstructionsLength);
        for (int candidate = 0; candidate < Owners; candidate++)
        {
            if (InnerInstructionList.Encode([Payout(candidate)]).AsSpan().SequenceEqual(list)) return Payout(candidate);
        }
        return Payout(0);
    }

    public void Dispose()
    {
        foreach (SealevelScheduler scheduler in _schedulers) scheduler.Dispose();
        _chain.Dispose();
    }
}
