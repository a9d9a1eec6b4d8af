using Fast.Core.Consensus;
using Fast.Core.Primitives;
using Fast.Exec.Programs;
using Fast.Exec.Tests.Infrastructure;
using Xunit;

namespace Fast.Exec.Tests.Banking;

/// <summary>
/// The stakes each epoch's leader schedule is drawn from, kept in bank state (<see cref="EpochStakesState"/>):
/// genesis's for epochs 0 and 1, then the stakes active at the first bank of epoch E − 1 for epoch E —
/// whatever that bank's slot, the same on every replayer — and the slashing evidence check that the
/// accused signer was the slot's scheduled leader. On <see cref="StakeChain"/>'s 8-slot epochs.
/// </summary>
public class LeaderScheduleStakesTests
{
    private static readonly Pubkey StakeToB = TestChain.Key(511);

    /// <summary>A chain where B starts with no stake and warm-up is 100 % a epoch, so a delegation to B is whole at the next boundary.</summary>
    private static StakeChain ChainWithUnstakedB(int seed = 1) => new(seed, stakeA: 1_000_000_000_000, stakeB: 0, warmupCooldownBps: 10_000);

    [Fact]
    public void Genesis_records_its_validators_stakes_for_epochs_0_and_1_and_a_node_without_stake_leads_nothing()
    {
        using StakeChain chain = ChainWithUnstakedB();
        Assert.Equal([0UL, 1UL], EpochStakesState.Epochs(chain.Account(StakeAddresses.EpochStakes).Data));
        Assert.Equal([(StakeChain.IdentityA, 1_000_000_000_000UL)], chain.Bank.LeaderScheduleStakes(1, out bool final));
        Assert.True(final);
        Assert.Empty(chain.SlotsLedBy(StakeChain.IdentityB, 0));
        Assert.Empty(chain.SlotsLedBy(StakeChain.IdentityB, 1));
    }

    [Fact]
    public void A_delegation_activated_in_epoch_E_minus_1_changes_who_leads_in_epoch_E_and_not_before()
    {
        using StakeChain chain = ChainWithUnstakedB();
        chain.Leader = StakeChain.IdentityB; // B earns the credits: A's stake gets no rewards, so only the delegation moves the stakes
        chain.Advance(2);
        chain.CreateDelegatedStake(StakeToB, 1_000_000_000_000, StakeChain.VoteB); // epoch 0: activating
        Assert.Equal([(StakeChain.IdentityA, 1_000_000_000_000UL)], chain.Bank.LeaderScheduleStakes(1, out _)); // epoch 1 was fixed at genesis

        chain.NextEpoch(); // the first bank of epoch 1 records epoch 2's stakes: B's delegation is active now
        List<(Pubkey Identity, ulong Stake)> epoch2 = chain.Bank.LeaderScheduleStakes(2, out bool final)!;
        Assert.True(final);
        Assert.Contains((StakeChain.IdentityB, 1_000_000_000_000UL), epoch2);
        Assert.Equal(chain.Bank.GetNodeStakes(1), epoch2);
        Assert.Empty(chain.SlotsLedBy(StakeChain.IdentityB, 1)); // still genesis's schedule in epoch 1
        Assert.Equal(LeaderSchedule.Compute(TestChain.GenesisHash, new Epoch(2), StakeChain.SlotsPerEpoch, epoch2).LeaderAt(16), chain.Schedule(2).LeaderAt(16));

        // Equal stakes in epoch 2, then B's rewards from epoch 1 on: B leads runs of the next epochs (two draws an epoch).
        int ledByB = 0;
        for (ulong epoch = 2; epoch <= 5; epoch++)
        {
            if (epoch > 2) chain.NextEpoch();
            ledByB += chain.SlotsLedBy(StakeChain.IdentityB, epoch).Count;
        }
        Assert.True(ledByB > 0, $"B led nothing in four epochs; stakes of epoch 5: {string.Join(", ", chain.Bank.LeaderScheduleStakes(5, out _)!)}");
    }

    [Fact]
    public void The_record_is_made_by_the_first_bank_of_the_epoch_even_when_its_first_slots_are_skipped()
    {
        using StakeChain chain = ChainWithUnstakedB();
        chain.CreateDelegatedStake(StakeToB, 1_000_000_000_000, StakeChain.VoteB);
        chain.Advance(StakeChain.SlotsPerEpoch - 1 - chain.Bank.Slot); // slot 7, the last of epoch 0
        chain.Skip(3); // slots 8, 9, 10 have no block: the first bank of epoch 1 is slot 11
        Assert.Equal(11UL, chain.Bank.Slot);
        Assert.Equal([0UL, 1UL, 2UL], EpochStakesState.Epochs(chain.Account(StakeAddresses.EpochStakes).Data));
        Assert.Contains((StakeChain.IdentityB, 1_000_000_000_000UL), chain.Bank.LeaderScheduleStakes(2, out _)!);
    }

    [Fact]
    public void An_epoch_whose_predecessor_had_no_bank_on_the_fork_uses_the_newest_record_before_it()
    {
        using StakeChain chain = ChainWithUnstakedB();
        chain.CreateDelegatedStake(StakeToB, 1_000_000_000_000, StakeChain.VoteB);
        chain.Skip(2 * StakeChain.SlotsPerEpoch); // from epoch 0 straight into epoch 2: epoch 1 had no bank
        Assert.Equal(2UL, chain.Epoch);
        List<ulong> epochs = EpochStakesState.Epochs(chain.Account(StakeAddresses.EpochStakes).Data);
        Assert.Equal([0UL, 1UL, 3UL], epochs); // 3 recorded now; none for 2
        Assert.Equal([(StakeChain.IdentityA, 1_000_000_000_000UL)], chain.Bank.LeaderScheduleStakes(2, out bool final)); // 2 falls back to 1's (genesis)
        Assert.True(final);
        Assert.Contains((StakeChain.IdentityB, 1_000_000_000_000UL), chain.Bank.LeaderScheduleStakes(3, out _)!);
    }

    [Fact]
    public void Two_replayers_of_the_same_blocks_record_the_same_stakes_and_bank_hashes()
    {
        using StakeChain first = ChainWithUnstakedB(seed: 7), second = ChainWithUnstakedB(seed: 7);
        foreach (StakeChain chain in new[] { first, second })
        {
            chain.Advance(3);
            chain.CreateDelegatedStake(StakeToB, 2_000_000_000_000, StakeChain.VoteB);
            chain.Advance(StakeChain.SlotsPerEpoch - chain.Bank.Slot + 2);
            chain.Skip(7); // slot 10 to 18: the first bank of epoch 2 is not its first slot
            chain.Advance(1);
        }
        Assert.Equal(first.Account(StakeAddresses.EpochStakes).Data.ToArray(), second.Account(StakeAddresses.EpochStakes).Data.ToArray());
        Assert.Equal(first.Bank.Parent!.Hash, second.Bank.Parent!.Hash);
        for (ulong epoch = 1; epoch <= 3; epoch++) // the records kept at epoch 2: the previous, current and next epochs'
        {
            LeaderSchedule a = first.Schedule(epoch), b = second.Schedule(epoch);
            for (ulong slot = a.FirstSlot; slot < a.FirstSlot + StakeChain.SlotsPerEpoch; slot++) Assert.Equal(a.LeaderAt(slot), b.LeaderAt(slot));
        }
    }

    [Fact]
    public void A_record_is_final_for_the_next_epoch_and_provisional_beyond_it()
    {
        using StakeChain chain = new();
        Assert.NotNull(chain.Bank.LeaderScheduleStakes(1, out bool next));
        Assert.True(next);
        Assert.NotNull(chain.Bank.LeaderScheduleStakes(2, out bool beyond)); // the newest record (epoch 1's) until the first bank of epoch 1 records epoch 2's
        Assert.False(beyond);
    }

    [Fact]
    public void Evidence_signed_by_a_key_that_did_not_lead_the_slot_is_refused_with_a_typed_error()
    {
        using StakeChain chain = new();
        chain.Advance(2 * StakeChain.SlotsPerEpoch - 1 - chain.Bank.Slot); // slot 15: epochs 0 and 1 (genesis's schedule) are in the past or now
        List<ulong> ledByB = [.. chain.SlotsLedBy(StakeChain.IdentityB, 0).Concat(chain.SlotsLedBy(StakeChain.IdentityB, 1)).Where(s => s >= 1)];
        List<ulong> ledByA = [.. chain.SlotsLedBy(StakeChain.IdentityA, 0).Concat(chain.SlotsLedBy(StakeChain.IdentityA, 1)).Where(s => s >= 1)];
        Assert.NotEmpty(ledByB);
        Assert.NotEmpty(ledByA);

        // A signed two versions of a slot B was scheduled to lead: no block of A's could be in it, so no offence.
        Assert.Equal(TransactionError.EvidenceNotFromLeader, chain.Report(StakeChain.EquivocationEvidence(StakeChain.IdentityKeyA, ledByB[0]), 1).Error);
        List<Offence> offences = [];
        Assert.True(OffenceRegistry.TryRead(chain.Account(StakeAddresses.Offences).Data, offences));
        Assert.Empty(offences);
        Assert.Equal(TransactionError.None, chain.Report(StakeChain.EquivocationEvidence(StakeChain.IdentityKeyA, ledByA[0]), 2).Error);
    }

    [Fact]
    public void The_stakes_table_keeps_three_records_drops_empty_ones_and_rejects_malformed_bytes()
    {
        Pubkey a = TestChain.Key(1), b = TestChain.Key(2);
        byte[] table = EpochStakesState.Genesis([(a, 5)]);
        table = EpochStakesState.With(table, 2, [(b, 3), (a, 0)]);
        table = EpochStakesState.With(table, 3, []); // nobody staked: epoch 2's record stays in force
        Assert.Equal([0UL, 1UL, 2UL], EpochStakesState.Epochs(table));
        Assert.Equal([(b, 3UL)], EpochStakesState.StakesFor(table, 3, out ulong used));
        Assert.Equal(2UL, used);
        table = EpochStakesState.With(table, 4, [(a, 1), (b, 1)]);
        Assert.Equal([1UL, 2UL, 4UL], EpochStakesState.Epochs(table));
        Assert.Null(EpochStakesState.StakesFor(table, 0, out _));

        byte[] truncated = table[..^1];
        Assert.Null(EpochStakesState.StakesFor(truncated, 4, out _));
        byte[] badCount = (byte[])table.Clone();
        badCount[4] = 200;
        Assert.Null(EpochStakesState.StakesFor(badCount, 4, out _));
        Assert.Null(EpochStakesState.StakesFor([], 4, out _));
    }
}
