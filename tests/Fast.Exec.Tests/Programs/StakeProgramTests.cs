using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Exec.Programs;
using Fast.Core.Transactions;
using Fast.Exec.Runtime;
using Fast.Exec.Tests.Infrastructure;
using Fast.Storage.Accounts;
using Fast.Testing;
using Xunit;

namespace Fast.Exec.Tests.Programs;

/// <summary>
/// The stake program on a staking chain with 8-slot epochs: delegation, warm-up, rewards, commission,
/// withdrawal rules, slashing evidence and the burn at the next boundary. Every frozen bank is checked
/// for conservation (lamports = capitalization) by <see cref="StakeChain"/>.
/// </summary>
public class StakeProgramTests
{
    private static readonly Pubkey Stake1 = TestChain.Key(501);
    private static readonly Pubkey Stake2 = TestChain.Key(502);
    private static readonly Pubkey Wallet = TestChain.Key(601);

    [Fact]
    public void A_delegation_is_activating_in_its_epoch_active_from_the_next_boundary_and_then_earns_rewards()
    {
        using StakeChain chain = new();
        chain.Advance(2);
        chain.CreateDelegatedStake(Stake1, 1_000_000_000_000, StakeChain.VoteA);
        Assert.Equal(new StakeActivationStatus(0, 1_000_000_000_000, 0), chain.Activation(Stake1));

        chain.NextEpoch(); // epoch 1: active (far below 9 % of the cluster's stake)
        Assert.Equal(new StakeActivationStatus(1_000_000_000_000, 0, 0), chain.Activation(Stake1));
        Assert.Equal(StakeState.NoEpoch, chain.Stake(Stake1).LastRewardEpoch); // epoch 0 paid nothing to it: not yet effective

        ulong capitalization = chain.Bank.Capitalization;
        chain.NextEpoch(); // epoch 2: rewards for epoch 1, where A led every slot
        StakeState stake = chain.Stake(Stake1);
        Assert.Equal(1UL, stake.LastRewardEpoch);
        Assert.True(stake.LastRewardLamports > 0);
        Assert.Equal(1_000_000_000_000 + stake.LastRewardLamports, stake.Stake); // the reward compounds into the delegation
        Assert.Equal(chain.Rent(StakeState.Length) + stake.Stake, chain.Account(Stake1).Lamports);
        SupplyFigures supply = chain.Bank.GetSupply();
        Assert.Equal(capitalization + chain.Bank.LastBoundaryRewards, chain.Bank.Capitalization);
        Assert.Equal(chain.Bank.LastBoundaryRewards, supply.LastEpochRewards);
        Assert.True(supply.RewardsIssued >= supply.LastEpochRewards);
        Assert.Equal(1UL, supply.LastRewardedEpoch);
    }

    [Fact]
    public void Rewards_follow_credits_times_stake_and_the_commission_goes_to_the_vote_account()
    {
        using StakeChain chain = new();
        chain.Leader = StakeChain.IdentityA;
        chain.CreateDelegatedStake(Stake1, 1_000_000_000_000, StakeChain.VoteA);
        chain.CreateDelegatedStake(Stake2, 1_000_000_000_000, StakeChain.VoteB);
        chain.NextEpoch(); // both active in epoch 1
        ulong voteA = chain.Account(StakeChain.VoteA).Lamports, voteB = chain.Account(StakeChain.VoteB).Lamports;
        // Epoch 1: A leads 6 slots, B 2.
        chain.Leader = StakeChain.IdentityA;
        chain.Advance(5);
        chain.Leader = StakeChain.IdentityB;
        chain.Advance(2);
        chain.Leader = StakeChain.IdentityA;
        chain.NextEpoch();

        StakeState a = chain.Stake(Stake1), b = chain.Stake(Stake2);
        Assert.Equal(1UL, a.LastRewardEpoch);
        Assert.Equal(1UL, b.LastRewardEpoch);
        // Equal stakes: rewards in proportion to credits 6 : 2 (to within the floor divisions).
        Assert.InRange((double)a.LastRewardLamports / b.LastRewardLamports, 2.99, 3.01);
        // Commission 10 %: the vote accounts got a ninth of what their stakers got (genesis stakes included).
        ulong commissionA = chain.Account(StakeChain.VoteA).Lamports - voteA, commissionB = chain.Account(StakeChain.VoteB).Lamports - voteB;
        Assert.True(commissionA > 0 && commissionB > 0);
        ulong stakerA = a.LastRewardLamports + chain.Stake(StakeAddresses.GenesisStake(StakeChain.IdentityA)).LastRewardLamports;
        Assert.InRange((double)commissionA / stakerA, 0.1110, 0.1112);
    }

    [Fact]
    public void A_validator_that_led_no_slot_earns_its_delegators_nothing()
    {
        using StakeChain chain = new();
        chain.CreateDelegatedStake(Stake2, 1_000_000_000_000, StakeChain.VoteB);
        chain.NextEpoch();
        chain.NextEpoch(); // A led every slot of epoch 1
        Assert.Equal(StakeState.NoEpoch, chain.Stake(Stake2).LastRewardEpoch);
        Assert.True(chain.Bank.LastBoundaryRewards > 0);
    }

    [Fact]
    public void Withdrawing_active_stake_fails_and_changes_nothing_but_the_fee_until_it_has_cooled_down()
    {
        using StakeChain chain = new();
        chain.CreateDelegatedStake(Stake1, 1_000_000_000_000, StakeChain.VoteA);
        chain.NextEpoch();
        ulong before = chain.Account(Stake1).Lamports;
        Assert.Equal(TransactionError.StakeStillActive, chain.Run(StakeInstruction.Withdraw(Stake1, Wallet, StakeChain.Payer, 1)).Error);
        Assert.Equal(TransactionError.StakeStillActive, chain.Run(StakeInstruction.Withdraw(Stake1, Wallet, StakeChain.Payer, before)).Error);
        Assert.Equal(before, chain.Account(Stake1).Lamports);
        Assert.Equal(0UL, chain.Account(Wallet).Lamports);

        chain.Ok(StakeInstruction.Deactivate(Stake1, StakeChain.Payer));
        Assert.Equal(TransactionError.StakeAlreadyDeactivated, chain.Run(StakeInstruction.Deactivate(Stake1, StakeChain.Payer)).Error);
        Assert.Equal(TransactionError.StakeStillActive, chain.Run(StakeInstruction.Withdraw(Stake1, Wallet, StakeChain.Payer, before)).Error); // cooling down this epoch
        Assert.Equal(TransactionError.StakeTooSoonToRedelegate, chain.Run(StakeInstruction.Delegate(Stake1, StakeChain.VoteB, StakeChain.Payer)).Error);

        chain.NextEpoch(); // cooled down (far below 9 % of the cluster)
        Assert.Equal(new StakeActivationStatus(0, 0, 0), chain.Activation(Stake1));
        ulong all = chain.Account(Stake1).Lamports;
        chain.Ok(StakeInstruction.Withdraw(Stake1, Wallet, StakeChain.Payer, all));
        Assert.False(chain.Account(Stake1).Exists);
        Assert.Equal(all, chain.Account(Wallet).Lamports);
    }

    [Fact]
    public void Stake_operations_refuse_the_wrong_authority_a_missing_signature_and_a_non_vote_account()
    {
        using StakeChain chain = new();
        chain.Ok(StakeInstruction.CreateStakeAccount(StakeChain.Payer, Stake1, chain.Rent(StakeState.Length) + 5_000_000_000), StakeInstruction.Initialize(Stake1, StakeChain.Payer));
        Assert.Equal(TransactionError.InvalidAuthority, chain.Run(StakeInstruction.Delegate(Stake1, StakeChain.VoteA, Wallet)).Error);
        Assert.Equal(TransactionError.InvalidVoteAccount, chain.Run(StakeInstruction.Delegate(Stake1, Wallet, StakeChain.Payer)).Error);
        Assert.Equal(TransactionError.StakeNotDelegated, chain.Run(StakeInstruction.Deactivate(Stake1, StakeChain.Payer)).Error);
        chain.Ok(StakeInstruction.CreateStakeAccount(StakeChain.Payer, Stake2, chain.Rent(StakeState.Length) + 5_000_000_000), StakeInstruction.Initialize(Stake2, Wallet));
        Instruction unsigned = StakeInstruction.Delegate(Stake2, StakeChain.VoteA, Wallet);
        unsigned.Accounts[3] = unsigned.Accounts[3] with { IsSigner = false };
        Assert.Equal(TransactionError.MissingRequiredSignature, chain.Run(unsigned).Error);
        Assert.Equal(TransactionError.InsufficientFunds, chain.Run(StakeInstruction.Withdraw(Stake1, Wallet, StakeChain.Payer, 5_000_000_001)).Error); // into the reserve
        chain.Ok(StakeInstruction.Withdraw(Stake1, Wallet, StakeChain.Payer, 5_000_000_000)); // undelegated: all but the reserve is free
    }

    [Fact]
    public void A_delegation_larger_than_the_warmup_rate_allows_activates_over_several_epochs()
    {
        using StakeChain chain = new();
        ulong big = StakeChain.GenesisStake; // half the cluster's effective stake: 9 % of the cluster per epoch turns on
        chain.CreateDelegatedStake(Stake1, big / 100, StakeChain.VoteA);
        chain.NextEpoch();
        Assert.Equal(big / 100, chain.Activation(Stake1).Effective); // small: all at once

        using StakeChain large = new(2);
        large.Ok(StakeInstruction.CreateStakeAccount(StakeChain.Payer, Stake2, large.Rent(StakeState.Length) + StakeChain.PayerLamports / 2),
            StakeInstruction.Initialize(Stake2, StakeChain.Payer), StakeInstruction.Delegate(Stake2, StakeChain.VoteB, StakeChain.Payer));
        ulong delegated = StakeChain.PayerLamports / 2;
        ulong previous = 0;
        int epochs = 0;
        while (large.Activation(Stake2).Effective < large.Stake(Stake2).Stake && epochs < 10)
        {
            large.NextEpoch();
            StakeActivationStatus status = large.Activation(Stake2);
            Assert.True(status.Effective > previous);
            ulong clusterEffective = large.Bank.ReadStakeHistory().Entries[^1].Effective;
            Assert.True(status.Effective - previous <= clusterEffective * 9 / 100 + 1, $"epoch {large.Epoch}: {status.Effective - previous} turned on, cluster {clusterEffective}");
            previous = status.Effective;
            epochs++;
        }
        Assert.True(delegated > 0 && epochs is >= 1 and < 10);
    }

    [Fact]
    public void Evidence_of_two_signed_versions_of_a_slot_slashes_the_offenders_delegations_at_the_next_boundary_once()
    {
        using StakeChain chain = new();
        chain.CreateDelegatedStake(Stake1, 1_000_000_000_000, StakeChain.VoteA);
        chain.CreateDelegatedStake(Stake2, 1_000_000_000_000, StakeChain.VoteB);
        chain.Leader = StakeChain.IdentityB; // A leads nothing in epoch 1: only the burn changes its stakes at the next boundary
        chain.NextEpoch();
        ulong led = chain.SlotsLedBy(StakeChain.IdentityA, chain.Epoch)[0]; // evidence is about a slot A was scheduled to lead
        chain.Advance(led + 1 - chain.Bank.Slot);
        byte[] evidence = StakeChain.EquivocationEvidence(StakeChain.IdentityKeyA, slot: led);
        Assert.Equal(TransactionError.None, chain.Report(evidence, 1).Error);
        Assert.Equal(TransactionError.OffenceAlreadyRecorded, chain.Report(evidence, 2).Error); // the same offence again: nothing but the fee
        Assert.Equal(TransactionError.OffenceAlreadyRecorded, chain.Report(StakeChain.EquivocationEvidence(StakeChain.IdentityKeyA, led, seed: 50), 3).Error);

        ulong a = chain.Stake(Stake1).Stake, genesisA = chain.Stake(StakeAddresses.GenesisStake(StakeChain.IdentityA)).Stake, b = chain.Stake(Stake2).Stake;
        ulong capitalization = chain.Bank.Capitalization;
        chain.NextEpoch();
        Assert.Equal(a - a / 10, chain.Stake(Stake1).Stake);
        Assert.Equal(genesisA - genesisA / 10, chain.Stake(StakeAddresses.GenesisStake(StakeChain.IdentityA)).Stake);
        Assert.True(chain.Stake(Stake2).Stake >= b); // B's delegators are not touched (they may earn)
        ulong burnt = a / 10 + genesisA / 10;
        Assert.Equal(burnt, chain.Bank.LastBoundaryBurnt);
        Assert.Equal(capitalization + chain.Bank.LastBoundaryRewards - burnt, chain.Bank.Capitalization);
        Assert.Equal(burnt, chain.Bank.GetSupply().Slashed);

        Assert.Equal(TransactionError.OffenceAlreadyRecorded, chain.Report(evidence, 4).Error); // applied, still remembered
        ulong afterBurn = chain.Stake(Stake1).Stake;
        chain.NextEpoch(); // applied once: no second burn
        Assert.Equal(afterBurn, chain.Stake(Stake1).Stake);
        Assert.Equal(TransactionError.EvidenceOutOfRange, chain.Report(evidence, 5).Error); // now older than the previous epoch: refused, so forgetting it is safe
    }

    [Fact]
    public void Forged_and_non_conflicting_evidence_are_refused_with_typed_errors()
    {
        using StakeChain chain = new();
        chain.Advance(3);
        byte[] forged = StakeChain.EquivocationEvidence(StakeChain.IdentityKeyA, chain.Bank.Slot - 1);
        forged[^10] ^= 0xFF; // inside the second shred: its signature no longer covers it
        Assert.Equal(TransactionError.EvidenceInvalid, chain.Report(forged, 1).Error);
        Assert.Equal(TransactionError.EvidenceNotConflicting, chain.Report(StakeChain.NonConflictingEvidence(StakeChain.IdentityKeyA, chain.Bank.Slot - 1), 2).Error);
        Assert.Equal(TransactionError.EvidenceOutOfRange, chain.Report(StakeChain.EquivocationEvidence(StakeChain.IdentityKeyA, chain.Bank.Slot + 5), 3).Error);
        List<Offence> offences = [];
        Assert.True(OffenceRegistry.TryRead(chain.Account(StakeAddresses.Offences).Data, offences));
        Assert.Empty(offences);
    }
}

/// <summary>
/// Allocation budget of the stake program: an instruction allocates nothing but the one copy of an
/// account's data it changes (docs/programs.md "Data is copy-on-write"); its checks and its read of the
/// stake history (in place) allocate nothing. Measured on the program alone, on scratch accounts as the
/// runtime gives them, so the runtime's own bookkeeping (status cache, overlay growth) is not counted.
/// Each figure is the fewest bytes of 3 rounds: a per-call allocation shows in every round, the
/// occasional few kilobytes a loaded runtime charges the thread (2,144 B once in CI) do not.
/// </summary>
public class StakeAllocationTests
{
    [Fact]
    public void Refused_stake_instructions_allocate_nothing_and_a_deactivation_only_its_new_data_array()
    {
        using StakeChain chain = new();
        Pubkey stake = TestChain.Key(40_000), wallet = TestChain.Key(40_999);
        chain.CreateDelegatedStake(stake, 1_000_000_000, StakeChain.VoteA);
        chain.NextEpoch();
        Random random = new(3);
        byte[] withdraw = TestTransactions.Build(random, StakeChain.Payer, TestChain.GenesisHash, StakeInstruction.Withdraw(stake, wallet, StakeChain.Payer, 1));
        byte[] redelegate = TestTransactions.Build(random, StakeChain.Payer, TestChain.GenesisHash, StakeInstruction.Delegate(stake, StakeChain.VoteB, StakeChain.Payer));
        byte[] deactivate = TestTransactions.Build(random, StakeChain.Payer, TestChain.GenesisHash, StakeInstruction.Deactivate(stake, StakeChain.Payer));
        var scratch = new ScratchAccount[8];
        StakeRules rules = new(StakeChain.SlotsPerEpoch, StakingConfig.DefaultWarmupCooldownBps, chain.Bank.Rent);
        TransactionError error = TransactionError.None;
        Account[] withdrawAccounts = Read(chain, withdraw), redelegateAccounts = Read(chain, redelegate), deactivateAccounts = Read(chain, deactivate);
        Assert.Equal(0, Allocations.SteadyState(3, 200, () => error = Invoke(chain, withdraw, withdrawAccounts, scratch, rules)));
        Assert.Equal(TransactionError.StakeStillActive, error);
        Assert.Equal(0, Allocations.SteadyState(3, 200, () => error = Invoke(chain, redelegate, redelegateAccounts, scratch, rules)));
        Assert.Equal(TransactionError.StakeTooSoonToRedelegate, error);
        long deactivating = Allocations.SteadyState(3, 200, () => error = Invoke(chain, deactivate, deactivateAccounts, scratch, rules));
        Assert.Equal(TransactionError.None, error);
        Assert.InRange(deactivating / 200, StakeState.Length, StakeState.Length + 32); // the new 128-byte array and its header
    }

    /// <summary>The transaction's accounts as the bank holds them (read once, outside the measured part: a read hands out a copy of data the bank owns).</summary>
    private static Account[] Read(StakeChain chain, byte[] transaction)
    {
        TransactionView view = TestTransactions.View(transaction);
        var accounts = new Account[view.AccountKeyCount];
        for (int i = 0; i < accounts.Length; i++) accounts[i] = chain.Bank.GetAccount(view.GetAccountKey(i));
        return accounts;
    }

    /// <summary>Loads the transaction's accounts into scratch (a copy of references, as the runtime does; no pool, so a changed account's copy is a new array) and runs its one instruction.</summary>
    private static TransactionError Invoke(StakeChain chain, byte[] transaction, Account[] accounts, ScratchAccount[] scratch, StakeRules rules)
    {
        TransactionView view = TestTransactions.View(transaction);
        for (int i = 0; i < view.AccountKeyCount; i++)
        {
            Account account = accounts[i];
            scratch[i] = new ScratchAccount
            {
                Lamports = account.Lamports,
                Owner = account.Owner,
                Data = account.DataMemory.Length == 0 ? [] : System.Runtime.InteropServices.MemoryMarshal.TryGetArray(account.DataMemory, out ArraySegment<byte> segment) ? segment.Array! : [],
                IsSigner = view.IsSigner(i),
                IsWritable = view.IsWritable(i),
            };
        }
        InvokeContext context = new(scratch.AsSpan(0, view.AccountKeyCount), view, chain.Bank.Slot, 1, rules);
        foreach (InstructionView instruction in view.Instructions) return BuiltinPrograms.Invoke(context, view.GetAccountKey(instruction.ProgramIdIndex), instruction);
        return TransactionError.InvalidInstruction;
    }
}
