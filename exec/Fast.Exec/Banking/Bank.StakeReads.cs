using Fast.Core.Primitives;
using Fast.Exec.Programs;
using Fast.Storage.Accounts;

namespace Fast.Exec.Banking;

/// <summary>One vote account as staking sees it at an epoch: whose it is, what it charges, the stake effective on it and the credits its node earned so far this epoch.</summary>
public readonly record struct ValidatorStake(Pubkey VoteAccount, Pubkey NodeIdentity, byte Commission, ulong EffectiveStake, ulong ActivatingStake, ulong Credits);

/// <summary>The supply figures: lamports in existence, and what rewards issued and slashing burnt since genesis.</summary>
public readonly record struct SupplyFigures(ulong Total, ulong RewardsIssued, ulong Slashed, ulong LastEpochRewards, ulong LastRewardedEpoch);

/// <summary>
/// Reads of staking state for RPC, the command line and the leader schedule (cold: allocates). Call on
/// the owner thread, or on another thread under <see cref="BankForks"/>' root lock while the bank is
/// live — like <see cref="GetProgramAccounts"/>, which they use.
/// </summary>
public sealed partial class Bank
{
    /// <summary>The stake history and supply totals as of this bank (an empty history without staking).</summary>
    public StakeHistoryState ReadStakeHistory() =>
        StakeHistoryState.TryRead(GetAccount(StakeAddresses.StakeHistory).Data, out StakeHistoryState history) ? history : new StakeHistoryState();

    /// <summary>
    /// The activation of stake account <paramref name="key"/> at <paramref name="epoch"/>; false when it
    /// is not a stake account. An initialized but undelegated account is all zero.
    /// </summary>
    public bool TryGetStakeActivation(in Pubkey key, ulong epoch, out StakeActivationStatus status, out StakeState state)
    {
        status = default;
        Account account = GetAccount(key);
        if (Context.Staking is not StakingConfig staking || account.Owner != StakeProgram.Id || !StakeState.TryRead(account.Data, out state))
        {
            state = default;
            return false;
        }
        if (state.IsDelegated) status = StakeActivation.At(state, epoch, ReadStakeHistory().Entries, staking.WarmupCooldownBps);
        return true;
    }

    /// <summary>Every vote account that stake is delegated to, with its stake at <paramref name="epoch"/> (at most one epoch past this bank's), in vote-account order.</summary>
    public List<ValidatorStake> GetValidatorStakes(ulong epoch)
    {
        List<ValidatorStake> validators = [];
        if (Context.Staking is not StakingConfig staking) return validators;
        List<(Pubkey Key, Account Account, StakeState State)> stakes = ReadDelegatedStakes();
        Dictionary<Pubkey, VoteState> votes = ReadVoteAccounts(stakes);
        List<StakeHistoryEntry> history = ReadStakeHistory().Entries;
        byte[] credits = GetAccount(StakeAddresses.EpochCredits).DataArray;
        SortedDictionary<Pubkey, (ulong Effective, ulong Activating)> sums = [];
        foreach ((_, _, StakeState state) in stakes)
        {
            if (!votes.ContainsKey(state.VoteAccount)) continue;
            StakeActivationStatus status = StakeActivation.At(state, epoch, history, staking.WarmupCooldownBps);
            (ulong effective, ulong activating) = sums.GetValueOrDefault(state.VoteAccount);
            sums[state.VoteAccount] = (checked(effective + status.Effective), checked(activating + status.Activating));
        }
        foreach ((Pubkey vote, (ulong effective, ulong activating)) in sums)
        {
            VoteState state = votes[vote];
            validators.Add(new ValidatorStake(vote, state.NodeIdentity, state.Commission, effective, activating, EpochCreditsState.CreditsOf(credits, state.NodeIdentity)));
        }
        return validators;
    }

    /// <summary>Effective stake per node identity at <paramref name="epoch"/> (what weights the leader schedule), in identity order; identities with none are left out.</summary>
    public List<(Pubkey Identity, ulong Stake)> GetNodeStakes(ulong epoch)
    {
        SortedDictionary<Pubkey, ulong> byNode = [];
        foreach (ValidatorStake v in GetValidatorStakes(epoch))
        {
            if (v.EffectiveStake > 0) byNode[v.NodeIdentity] = checked(byNode.GetValueOrDefault(v.NodeIdentity) + v.EffectiveStake);
        }
        return [.. byNode.Select(p => (p.Key, p.Value))];
    }

    /// <summary>
    /// The stakes <paramref name="epoch"/>'s leader schedule is drawn from, as this bank's chain recorded
    /// them (<see cref="EpochStakesState"/>: the stakes active at the first bank of epoch − 1; genesis's
    /// for epochs 0 and 1; an epoch without its own record takes the newest before it); null without
    /// staking or on a store from before the record existed (the caller then uses genesis stakes).
    /// <paramref name="isFinal"/>: the record is the one every descendant of this bank sees — true when
    /// epoch ≤ this bank's epoch + 1 (the boundary into epoch − 1 is behind this bank).
    /// </summary>
    public List<(Pubkey Identity, ulong Stake)>? LeaderScheduleStakes(ulong epoch, out bool isFinal)
    {
        isFinal = Context.Staking is null || epoch <= Epoch + 1;
        if (Context.Staking is null) return null;
        Account table = GetAccount(StakeAddresses.EpochStakes);
        if (table.Owner != StakeProgram.Id) return null;
        return EpochStakesState.StakesFor(table.Data, epoch, out _);
    }

    /// <summary>The supply as of this bank.</summary>
    public SupplyFigures GetSupply()
    {
        StakeHistoryState history = ReadStakeHistory();
        return new SupplyFigures(Capitalization, history.RewardsIssuedTotal, history.SlashedTotal, history.LastEpochRewards, history.LastRewardedEpoch);
    }
}
