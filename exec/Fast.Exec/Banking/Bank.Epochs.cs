using Fast.Core.Primitives;
using Fast.Exec.Programs;
using Fast.Storage.Accounts;

namespace Fast.Exec.Banking;

/// <summary>
/// Staking's part of a bank (when genesis enables it): the leader's slot credit at every freeze, and
/// the epoch boundary, processed when the first bank of a new epoch is made — before any transaction
/// of that slot, from the state its parent left, over the stake accounts in pubkey order
/// (<see cref="GetProgramAccounts"/>, the owner index), so every node computes the same lamports:
/// <list type="number">
/// <item>the stake history gets the cluster's (effective, activating, deactivating) for each epoch
/// that ended (<see cref="StakeActivation"/>);</item>
/// <item>the ended epoch's rewards (<see cref="StakingConfig.EpochRewards"/> of the capitalization) are
/// split by points = effective stake × the credits of the validator it is delegated to (the slots that
/// validator led among this bank's ancestors in the epoch — the stand-in for vote credits); of each
/// stake's share the vote account's commission goes to the vote account and the rest is added to the
/// stake (lamports and delegation, so it compounds); remainders of the floor divisions are not issued;</item>
/// <item>each pending offence burns <see cref="StakingConfig.SlashBps"/> of every stake delegated to a vote
/// account of the offender, and is marked applied;</item>
/// <item>the credits table restarts for the new epoch; capitalization changes by issued − burnt, and the
/// supply totals in the stake history follow;</item>
/// <item>the effective stake per node identity at the new epoch E − 1 (after this boundary's rewards and
/// slashing) is recorded as the stakes of epoch E's leader schedule (<see cref="EpochStakesState"/>):
/// the schedule of E comes from the stakes active at the first slot of E − 1, whatever slot that first
/// bank has.</item>
/// </list>
/// The written accounts go into this bank's overlay like a transaction's, so they are in its
/// accounts-delta hash (the bank hash definition is unchanged; docs/block-validity.md).
/// </summary>
public sealed partial class Bank
{
    /// <summary>The epoch of this bank's slot (0 without staking).</summary>
    public ulong Epoch => Context.Staking is StakingConfig staking ? Slot / staking.SlotsPerEpoch : 0;

    /// <summary>Staking as genesis set it (null without staking).</summary>
    public StakingConfig? Staking => Context.Staking;

    /// <summary>Credits the slot to its leader in the epoch credits table (freeze, owner thread; allocates the table's new copy).</summary>
    private void RecordSlotLed(StakingConfig staking)
    {
        ref AccountEntry credits = ref _overlay![Resolve(StakeAddresses.EpochCredits, out int hash)];
        if (!credits.Loaded) Load(ref credits, StakeAddresses.EpochCredits, hash);
        if (credits.Lamports == 0 || credits.Owner != StakeProgram.Id) return; // not a staking chain's store
        credits.Data = EpochCreditsState.WithSlotLed(credits.Data, Slot / staking.SlotsPerEpoch, Leader);
        credits.Written = true;
    }

    /// <summary>The boundary from <paramref name="endedEpoch"/> (the parent's) into this bank's epoch. Owner thread, in the constructor.</summary>
    private void ProcessEpochBoundary(StakingConfig staking, ulong endedEpoch)
    {
        ulong epoch = Slot / staking.SlotsPerEpoch;
        List<(Pubkey Key, Account Account, StakeState State)> stakes = ReadDelegatedStakes();
        Account historyAccount = GetAccount(StakeAddresses.StakeHistory);
        if (!StakeHistoryState.TryRead(historyAccount.Data, out StakeHistoryState history)) ThrowHelper.ThrowInvalidOperation($"bank {Slot}: the stake history account is missing or malformed");

        for (ulong e = endedEpoch; e < epoch; e++)
        {
            ulong effective = 0, activating = 0, deactivating = 0;
            foreach ((_, _, StakeState state) in stakes)
            {
                StakeActivationStatus status = StakeActivation.At(state, e, history.Entries, staking.WarmupCooldownBps);
                effective = checked(effective + status.Effective);
                activating = checked(activating + status.Activating);
                deactivating = checked(deactivating + status.Deactivating);
            }
            history.Add(new StakeHistoryEntry(e, effective, activating, deactivating));
        }

        Dictionary<Pubkey, VoteState> votes = ReadVoteAccounts(stakes);
        Dictionary<Pubkey, ulong> commissions = [];
        bool[] changed = new bool[stakes.Count];
        ulong issued = PayRewards(staking, endedEpoch, stakes, votes, history, commissions, changed);
        ulong burnt = ApplySlashing(staking, epoch, stakes, votes, changed, out bool offencesChanged, out List<Offence> offences);

        for (int i = 0; i < stakes.Count; i++)
        {
            if (!changed[i]) continue;
            (Pubkey key, Account account, StakeState state) = stakes[i];
            StoreSystemWrite(key, account.Lamports, account.Owner, state.ToArray());
        }
        List<Pubkey> paidVotes = [.. commissions.Keys];
        paidVotes.Sort();
        foreach (Pubkey vote in paidVotes)
        {
            Account account = GetAccount(vote);
            StoreSystemWrite(vote, checked(account.Lamports + commissions[vote]), account.Owner, account.DataArray);
        }
        if (offencesChanged)
        {
            Account registry = GetAccount(StakeAddresses.Offences);
            byte[] data = new byte[OffenceRegistry.Length];
            OffenceRegistry.Write(data, offences);
            StoreSystemWrite(StakeAddresses.Offences, registry.Lamports, registry.Owner, data);
        }
        history.RewardsIssuedTotal = checked(history.RewardsIssuedTotal + issued);
        history.SlashedTotal = checked(history.SlashedTotal + burnt);
        history.LastRewardedEpoch = endedEpoch;
        history.LastEpochRewards = issued;
        StoreSystemWrite(StakeAddresses.StakeHistory, historyAccount.Lamports, historyAccount.Owner, history.ToArray());
        Account credits = GetAccount(StakeAddresses.EpochCredits);
        StoreSystemWrite(StakeAddresses.EpochCredits, credits.Lamports, credits.Owner, EpochCreditsState.Empty(epoch));
        Capitalization = checked(Capitalization + issued - burnt);
        RecordScheduleStakes(epoch + 1);
        LastBoundaryRewards = issued;
        LastBoundaryBurnt = burnt;
    }

    /// <summary>Records this bank's effective stake per node identity as the stakes of <paramref name="scheduleEpoch"/>'s leader schedule (nothing on a store without the account).</summary>
    private void RecordScheduleStakes(ulong scheduleEpoch)
    {
        Account table = GetAccount(StakeAddresses.EpochStakes);
        if (table.Owner != StakeProgram.Id) return; // a ledger from before the account existed: genesis stakes stay in force
        List<(Pubkey Identity, ulong Stake)> stakes = GetNodeStakes(scheduleEpoch - 1);
        StoreSystemWrite(StakeAddresses.EpochStakes, table.Lamports, table.Owner, EpochStakesState.With(table.Data, scheduleEpoch, stakes));
    }

    /// <summary>Rewards issued at this bank's epoch boundary (0 when it is not the first bank of an epoch).</summary>
    public ulong LastBoundaryRewards { get; private set; }

    /// <summary>Stake burnt by slashing at this bank's epoch boundary.</summary>
    public ulong LastBoundaryBurnt { get; private set; }

    private ulong PayRewards(StakingConfig staking, ulong endedEpoch, List<(Pubkey Key, Account Account, StakeState State)> stakes,
        Dictionary<Pubkey, VoteState> votes, StakeHistoryState history, Dictionary<Pubkey, ulong> commissions, bool[] changed)
    {
        byte[] creditsData = GetAccount(StakeAddresses.EpochCredits).DataArray;
        if (!EpochCreditsState.TryRead(creditsData, out ulong creditsEpoch, out _) || creditsEpoch != endedEpoch) return 0;
        var points = new UInt128[stakes.Count];
        UInt128 totalPoints = 0;
        for (int i = 0; i < stakes.Count; i++)
        {
            StakeState state = stakes[i].State;
            if (!votes.TryGetValue(state.VoteAccount, out VoteState vote)) continue;
            ulong credits = EpochCreditsState.CreditsOf(creditsData, vote.NodeIdentity);
            ulong effective = StakeActivation.At(state, endedEpoch, history.Entries, staking.WarmupCooldownBps).Effective;
            points[i] = (UInt128)effective * credits;
            totalPoints += points[i];
        }
        ulong rewards = staking.EpochRewards(Capitalization, endedEpoch);
        if (totalPoints == 0 || rewards == 0) return 0;
        ulong issued = 0;
        for (int i = 0; i < stakes.Count; i++)
        {
            if (points[i] == 0) continue;
            ulong reward = (ulong)(rewards * points[i] / totalPoints);
            if (reward == 0) continue;
            (Pubkey key, Account account, StakeState state) = stakes[i];
            VoteState vote = votes[state.VoteAccount];
            ulong commission = (ulong)((UInt128)reward * vote.Commission / 100);
            ulong staker = reward - commission;
            state.Stake = checked(state.Stake + staker);
            state.LastRewardEpoch = endedEpoch;
            state.LastRewardLamports = staker;
            state.LastRewardPostBalance = checked(account.Lamports + staker);
            stakes[i] = (key, new Account(state.LastRewardPostBalance, account.Owner, account.Executable, account.DataArray), state);
            changed[i] = true;
            if (commission > 0) commissions[state.VoteAccount] = checked(commissions.GetValueOrDefault(state.VoteAccount) + commission);
            issued = checked(issued + reward);
        }
        return issued;
    }

    private ulong ApplySlashing(StakingConfig staking, ulong epoch, List<(Pubkey Key, Account Account, StakeState State)> stakes,
        Dictionary<Pubkey, VoteState> votes, bool[] changed, out bool registryChanged, out List<Offence> offences)
    {
        offences = [];
        registryChanged = false;
        Account registry = GetAccount(StakeAddresses.Offences);
        if (!OffenceRegistry.TryRead(registry.Data, offences)) return 0;
        List<Pubkey> offenders = [];
        for (int i = 0; i < offences.Count; i++)
        {
            if (!offences[i].IsPending) continue;
            if (!offenders.Contains(offences[i].Offender)) offenders.Add(offences[i].Offender);
            offences[i] = offences[i] with { AppliedEpoch = epoch };
            registryChanged = true;
        }
        // Applied offences about slots before the previous epoch can go: evidence that old is refused.
        ulong keepFromSlot = epoch == 0 ? 0 : (epoch - 1) * staking.SlotsPerEpoch;
        registryChanged |= offences.RemoveAll(o => !o.IsPending && o.Slot < keepFromSlot) > 0;
        if (offenders.Count == 0) return 0;
        ulong burnt = 0;
        for (int i = 0; i < stakes.Count; i++)
        {
            (Pubkey key, Account account, StakeState state) = stakes[i];
            if (!votes.TryGetValue(state.VoteAccount, out VoteState vote) || !offenders.Contains(vote.NodeIdentity)) continue;
            // Once per offender per boundary, however many offences it committed since the last one.
            ulong burn = (ulong)((UInt128)state.Stake * staking.SlashBps / StakeActivation.BasisPoints);
            burn = Math.Min(burn, account.Lamports - Math.Min(account.Lamports, state.RentExemptReserve));
            if (burn == 0) continue;
            state.Stake -= burn;
            stakes[i] = (key, new Account(account.Lamports - burn, account.Owner, account.Executable, account.DataArray), state);
            changed[i] = true;
            burnt = checked(burnt + burn);
        }
        return burnt;
    }

    /// <summary>Every delegated stake account as this bank sees it, in pubkey order.</summary>
    private List<(Pubkey Key, Account Account, StakeState State)> ReadDelegatedStakes()
    {
        List<KeyValuePair<Pubkey, Account>> owned = [];
        GetProgramAccounts(StakeProgram.Id, owned);
        List<(Pubkey, Account, StakeState)> stakes = [];
        foreach ((Pubkey key, Account account) in owned)
        {
            if (StakeState.TryRead(account.Data, out StakeState state) && state.IsDelegated) stakes.Add((key, account, state));
        }
        return stakes;
    }

    /// <summary>The vote accounts the stakes name (those that are vote accounts).</summary>
    private Dictionary<Pubkey, VoteState> ReadVoteAccounts(List<(Pubkey Key, Account Account, StakeState State)> stakes)
    {
        Dictionary<Pubkey, VoteState> votes = [];
        foreach ((_, _, StakeState state) in stakes)
        {
            if (votes.ContainsKey(state.VoteAccount)) continue;
            Account vote = GetAccount(state.VoteAccount);
            if (vote.Owner == VoteProgram.Id && VoteState.TryRead(vote.Data, out VoteState voteState)) votes[state.VoteAccount] = voteState;
        }
        return votes;
    }

    /// <summary>Stores an account changed by the runtime itself (not a transaction) in this slot's overlay. Owner thread, while the bank is open.</summary>
    private void StoreSystemWrite(in Pubkey key, ulong lamports, in Pubkey owner, byte[] data)
    {
        ref AccountEntry entry = ref _overlay![Resolve(key, out int hash)];
        if (!entry.Loaded) Load(ref entry, key, hash);
        entry.Lamports = lamports;
        entry.Owner = lamports == 0 ? default : owner;
        byte[] stored = lamports == 0 ? [] : data;
        entry.OwnsData &= ReferenceEquals(stored, entry.Data); // a replaced array of the entry's own goes to the GC (once per epoch, not worth pooling)
        entry.Data = stored;
        entry.Executable = false;
        entry.Written = true;
    }
}
