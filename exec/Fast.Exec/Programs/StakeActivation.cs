namespace Fast.Exec.Programs;

/// <summary>One stake's status at an epoch: lamports effective (earning, weighting the leader schedule), still warming up, and cooling down.</summary>
public readonly record struct StakeActivationStatus(ulong Effective, ulong Activating, ulong Deactivating);

/// <summary>
/// Warm-up and cool-down (Solana's <c>Delegation::stake_activating_and_deactivating</c>, in integer
/// arithmetic): a delegation made in epoch A is activating during A; from A+1 on, each epoch it gains
/// its share of <c>rate × the cluster's effective stake of the epoch before</c>, the share being its
/// remaining activating stake over the cluster's activating stake, at least one lamport — so at most
/// a fraction <c>rate</c> of the total stake turns on (or, symmetrically from the deactivation epoch,
/// off) per epoch. The history holds the cluster's (effective, activating, deactivating) per epoch
/// (<see cref="StakeHistoryState"/>); with no entry for an epoch the stake counts as fully effective
/// (as Solana assumes), and with no effective cluster stake at all a stake activates at once (nobody
/// to protect). A genesis stake (activation epoch <see cref="StakeState.NoEpoch"/>) is effective from the
/// start. Every node computes the same lamports: floor division in UInt128, no floating point.
/// </summary>
public static class StakeActivation
{
    /// <summary>Basis points (1/10,000) in a whole.</summary>
    public const ulong BasisPoints = 10_000;

    public static StakeActivationStatus At(in StakeState stake, ulong epoch, List<StakeHistoryEntry> history, ulong rateBps)
    {
        (ulong effective, ulong activating) = EffectiveAndActivating(stake, epoch, history, rateBps);
        if (epoch < stake.DeactivationEpoch) return new StakeActivationStatus(effective, activating, 0);
        if (epoch == stake.DeactivationEpoch) return new StakeActivationStatus(effective, 0, effective); // only what is effective can cool down
        if (!StakeHistoryState.TryGet(history, stake.DeactivationEpoch, out StakeHistoryEntry previous)) return new StakeActivationStatus(0, 0, 0);
        ulong current = effective;
        ulong previousEpoch = stake.DeactivationEpoch;
        while (true)
        {
            ulong currentEpoch = previousEpoch + 1;
            if (previous.Deactivating == 0) break;
            ulong off = previous.Effective == 0
                ? current
                : Math.Max(1, (ulong)UInt128.Min((UInt128)current * previous.Effective * rateBps / ((UInt128)previous.Deactivating * BasisPoints), current));
            current = current > off ? current - off : 0;
            if (current == 0 || currentEpoch >= epoch) break;
            if (!StakeHistoryState.TryGet(history, currentEpoch, out previous)) break;
            previousEpoch = currentEpoch;
        }
        return new StakeActivationStatus(current, 0, current);
    }

    private static (ulong Effective, ulong Activating) EffectiveAndActivating(in StakeState stake, ulong epoch, List<StakeHistoryEntry> history, ulong rateBps)
    {
        ulong delegated = stake.Stake;
        if (stake.ActivationEpoch == StakeState.NoEpoch) return (delegated, 0);
        if (stake.ActivationEpoch == stake.DeactivationEpoch) return (0, 0); // deactivated in the epoch it was delegated: never active
        if (epoch == stake.ActivationEpoch) return (0, delegated);
        if (epoch < stake.ActivationEpoch) return (0, 0);
        if (!StakeHistoryState.TryGet(history, stake.ActivationEpoch, out StakeHistoryEntry previous)) return (delegated, 0);
        ulong current = 0;
        ulong previousEpoch = stake.ActivationEpoch;
        while (true)
        {
            ulong currentEpoch = previousEpoch + 1;
            if (previous.Activating == 0) break;
            ulong remaining = delegated - current;
            ulong on = previous.Effective == 0
                ? remaining
                : Math.Max(1, (ulong)UInt128.Min((UInt128)remaining * previous.Effective * rateBps / ((UInt128)previous.Activating * BasisPoints), remaining));
            current += on;
            if (current >= delegated)
            {
                current = delegated;
                break;
            }
            if (currentEpoch >= epoch || currentEpoch >= stake.DeactivationEpoch) break;
            if (!StakeHistoryState.TryGet(history, currentEpoch, out previous)) break;
            previousEpoch = currentEpoch;
        }
        return (current, delegated - current);
    }
}
