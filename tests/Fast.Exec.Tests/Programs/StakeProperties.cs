using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Exec.Programs;
using Fast.Exec.Scheduling;
using Fast.Exec.Tests.Infrastructure;
using Fast.Storage.Accounts;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Fast.Exec.Tests.Programs;

/// <summary>
/// Property tests (FsCheck) of staking over random interleavings of stake operations, slots led by
/// either validator, slashing reports and epoch boundaries: lamports always equal the capitalization,
/// which moves only by the rewards issued and the stake burnt (both in the supply figures); a stake
/// account never holds less than its reserve plus its delegation; a withdrawal never takes staked
/// lamports and a failed one changes nothing; effective plus activating never exceeds the delegation.
/// And parallel execution equals serial execution for blocks mixing stake, vote and system
/// instructions across an epoch boundary.
/// </summary>
public class StakeProperties
{
    private static readonly Config Cases = Config.QuickThrowOnFailure.WithMaxTest(25).WithQuietOnSuccess(true);

    private enum StakeOp { Create, Deactivate, Withdraw, Delegate, Advance, Report }

    private readonly record struct StakeStep(StakeOp Op, int Stake, int Vote, ulong Amount, int Slots, bool LeaderA);

    private static readonly Gen<StakeStep> Step =
        from op in Gen.Elements(StakeOp.Create, StakeOp.Create, StakeOp.Deactivate, StakeOp.Deactivate, StakeOp.Withdraw, StakeOp.Withdraw, StakeOp.Withdraw, StakeOp.Delegate, StakeOp.Advance, StakeOp.Advance, StakeOp.Advance, StakeOp.Report)
        from stake in Gen.Choose(0, 3)
        from vote in Gen.Choose(0, 1)
        from amount in Gen.Choose(0, 4_000)
        from slots in Gen.Choose(1, 9)
        from leaderA in Gen.Elements(true, false)
        select new StakeStep(op, stake, vote, (ulong)amount * 1_000_000_000, slots, leaderA);

    private static readonly Gen<StakeStep[]> Scenario = from count in Gen.Choose(10, 40) from steps in Gen.ArrayOf(Step, count) select steps;

    private static readonly Pubkey[] StakeKeys = [.. Enumerable.Range(0, 4).Select(i => TestChain.Key(800 + i))];
    private static readonly Pubkey Destination = TestChain.Key(850);

    [Fact]
    public void Random_stake_operations_across_epoch_boundaries_keep_every_invariant()
    {
        int withdrawn = 0, refused = 0, boundaries = 0, slashed = 0;
        Check.One(Cases, Prop.ForAll(Scenario.ToArbitrary(), steps =>
        {
            using StakeChain chain = new();
            ulong genesisCapitalization = chain.Bank.Capitalization;
            int reports = 0;
            foreach (StakeStep s in steps)
            {
                Pubkey key = StakeKeys[s.Stake];
                Pubkey vote = s.Vote == 0 ? StakeChain.VoteA : StakeChain.VoteB;
                Account before = chain.Account(key);
                switch (s.Op)
                {
                    case StakeOp.Create:
                        if (before.Exists) break;
                        chain.CreateDelegatedStake(key, s.Amount + 1_000_000_000, vote);
                        break;
                    case StakeOp.Deactivate:
                        chain.Run(StakeInstruction.Deactivate(key, StakeChain.Payer));
                        break;
                    case StakeOp.Delegate:
                        chain.Run(StakeInstruction.Delegate(key, vote, StakeChain.Payer));
                        break;
                    case StakeOp.Withdraw:
                        {
                            ulong amount = s.Amount % 3 == 0 ? before.Lamports : s.Amount / 10;
                            ulong staked = Staked(chain, key);
                            ulong destinationBefore = chain.Account(Destination).Lamports;
                            TransactionResult result = chain.Run(StakeInstruction.Withdraw(key, Destination, StakeChain.Payer, amount));
                            Account after = chain.Account(key);
                            if (result.IsOk)
                            {
                                withdrawn++;
                                Assert.Equal(before.Lamports - amount, after.Lamports);
                                Assert.Equal(destinationBefore + amount, chain.Account(Destination).Lamports);
                                if (after.Exists) Assert.True(after.Lamports >= staked + chain.Stake(key).RentExemptReserve, "a withdrawal took staked lamports");
                                else Assert.Equal(0UL, staked);
                            }
                            else
                            {
                                refused++;
                                Assert.Equal(before, after);
                            }
                            break;
                        }
                    case StakeOp.Advance:
                        chain.Leader = s.LeaderA ? StakeChain.IdentityA : StakeChain.IdentityB;
                        ulong epoch = chain.Epoch, burntBefore = chain.Bank.GetSupply().Slashed;
                        chain.Advance((ulong)s.Slots); // checks lamports == capitalization at every freeze
                        if (chain.Epoch != epoch) boundaries++;
                        slashed += chain.Bank.GetSupply().Slashed > burntBefore ? 1 : 0;
                        break;
                    case StakeOp.Report:
                        if (chain.Bank.Slot < 2 || reports > 1) break; // a few per scenario (each signs two shred sets)
                        if (chain.LatestSlotLedBy(StakeChain.IdentityA) is not ulong led) break; // evidence names a slot A was scheduled to lead
                        reports++;
                        chain.Report(StakeChain.EquivocationEvidence(StakeChain.IdentityKeyA, led, seed: s.Slots), bufferSeed: reports);
                        break;
                }
                SupplyFigures supply = chain.Bank.GetSupply();
                Assert.Equal(genesisCapitalization + supply.RewardsIssued - supply.Slashed, chain.Bank.Capitalization);
                foreach (Pubkey stake in StakeKeys) CheckStakeAccount(chain, stake);
            }
        }));
        // Coverage, not invariants: the cases are random (unseeded), so the bound is "exercised at all" — a run with exactly 5 withdrawals failed a "> 5" bound.
        Assert.True(withdrawn > 0 && refused > 0 && boundaries > 20 && slashed > 0, $"{withdrawn} withdrawals, {refused} refused, {boundaries} boundaries, {slashed} boundaries slashed");
    }

    /// <summary>What a withdrawal must leave: the whole delegation until deactivated, then what is still cooling down.</summary>
    private static ulong Staked(StakeChain chain, Pubkey key)
    {
        if (!StakeState.TryRead(chain.Account(key).Data, out StakeState state) || !state.IsDelegated) return 0;
        return state.DeactivationEpoch == StakeState.NoEpoch ? state.Stake : chain.Activation(key).Effective;
    }

    private static void CheckStakeAccount(StakeChain chain, Pubkey key)
    {
        Account account = chain.Account(key);
        if (!account.Exists) return;
        StakeState state = chain.Stake(key);
        Assert.True(account.Lamports >= state.RentExemptReserve);
        if (!state.IsDelegated) return;
        Assert.True(state.Stake + state.RentExemptReserve <= account.Lamports, $"stake {state.Stake} + reserve above {account.Lamports} lamports");
        StakeActivationStatus status = chain.Activation(key);
        Assert.True(status.Effective + status.Activating <= state.Stake);
    }

    [Fact]
    public void Blocks_mixing_stake_vote_and_system_instructions_execute_in_parallel_exactly_as_serially_across_an_epoch_boundary()
    {
        Pubkey[] owners = [.. Enumerable.Range(0, 4).Select(i => TestChain.Key(900 + i))];
        Pubkey[] stakes = [.. Enumerable.Range(0, 6).Select(i => TestChain.Key(910 + i))];
        Pubkey identityA = TestChain.Key(920), identityB = TestChain.Key(921), voteA = TestChain.Key(922), voteB = TestChain.Key(923);
        List<(Pubkey, Account)> accounts = [.. owners.Select(o => (o, new Account(1_000_000_000_000_000, Pubkey.Zero, false, null)))];
        StakingConfig staking = new() { SlotsPerEpoch = 4, SlotsPerYear = 40, Validators = [(identityA, voteA, 1_000_000_000_000_000), (identityB, voteB, 1_000_000_000_000_000)] };
        GenesisConfig genesis = new(TestChain.GenesisHash, [.. accounts]) { Staking = staking, Leader = identityA };
        using TestChain chain = new("fast-stake-parallel");
        using SealevelScheduler scheduler = new(new SchedulerOptions { Workers = 3, BatchSize = 2, Window = 8 });
        int ok = 0, failed = 0;
        for (int c = 0; c < 12; c++)
        {
            Random random = new(c);
            var serial = Bank.Genesis(chain.Accounts, genesis);
            var parallel = Bank.Genesis(chain.Accounts, genesis);
            ulong rent = serial.Rent.MinimumBalance(StakeState.Length);
            for (ulong slot = 1; slot <= 7; slot++)
            {
                Pubkey leader = slot % 3 == 0 ? identityB : identityA;
                serial = new Bank(serial, slot, leader);
                parallel = new Bank(parallel, slot, leader);
                Assert.Equal(serial.Capitalization, parallel.Capitalization);
                byte[][] block = [.. Enumerable.Range(0, random.Next(10, 40)).Select(_ => MixedTransaction(random, owners, stakes, voteA, voteB, rent))];
                VerifiedTransaction[] verified = [.. block.Select(TestTransactions.Verified)];
                var expected = new TransactionResult[block.Length];
                for (int i = 0; i < block.Length; i++) expected[i] = serial.Process(TestTransactions.View(block[i]));
                var actual = new TransactionResult[block.Length];
                scheduler.Execute(parallel, verified, actual);
                for (int i = 0; i < block.Length; i++)
                {
                    if (expected[i] != actual[i]) Assert.Fail($"case {c} slot {slot} tx {i}: serial {expected[i]}, parallel {actual[i]}");
                    if (expected[i].IsOk) ok++;
                    else failed++;
                }
                Hash last = TestChain.HashOf($"stake case {c} slot {slot}");
                Assert.Equal(serial.Freeze(last), parallel.Freeze(last));
            }
            StakeChain.AssertConserved(serial);
            Assert.True(serial.ReadStakeHistory().Entries.Count > 0); // the chain crossed a boundary
        }
        Assert.True(ok > 100 && failed > 30, $"{ok} ok, {failed} failed");
    }

    private static byte[] MixedTransaction(Random random, Pubkey[] owners, Pubkey[] stakes, Pubkey voteA, Pubkey voteB, ulong rent)
    {
        Pubkey owner = owners[random.Next(owners.Length)];
        Pubkey stake = stakes[random.Next(stakes.Length)];
        Pubkey vote = random.Next(2) == 0 ? voteA : voteB;
        return random.Next(6) switch
        {
            0 => TestTransactions.Build(random, owner, TestChain.GenesisHash, StakeInstruction.CreateStakeAccount(owner, stake, rent + (ulong)random.Next(1, 1000) * 1_000_000_000),
                StakeInstruction.Initialize(stake, owner), StakeInstruction.Delegate(stake, vote, owner)),
            1 => TestTransactions.Build(random, owner, TestChain.GenesisHash, StakeInstruction.Deactivate(stake, owner)),
            2 => TestTransactions.Build(random, owner, TestChain.GenesisHash, StakeInstruction.Withdraw(stake, owners[random.Next(owners.Length)], owner, (ulong)random.Next(0, 2000) * 1_000_000_000)),
            3 => TestTransactions.Build(random, owner, TestChain.GenesisHash, StakeInstruction.Delegate(stake, vote, owner)),
            4 => TestTransactions.Build(random, owner, TestChain.GenesisHash, StakeInstruction.WithdrawVote(vote, owner, owner, 1)), // the withdrawer is the identity: refused
            _ => TestTransactions.Build(random, owner, TestChain.GenesisHash, SystemInstruction.Transfer(owner, owners[random.Next(owners.Length)], (ulong)random.Next(1, 1_000_000))),
        };
    }
}
