using System.Buffers.Binary;

namespace Fast.Exec.Programs;

/// <summary>Where <see cref="StakeActivation"/> looks up the cluster's stake of an epoch (a struct, so the lookup is specialised and allocation-free).</summary>
public interface IStakeHistory
{
    bool TryGet(ulong epoch, out StakeHistoryEntry entry);
}

/// <summary>A history held as a list (the epoch boundary, which appends to it).</summary>
public readonly struct StakeHistoryList(List<StakeHistoryEntry> entries) : IStakeHistory
{
    public bool TryGet(ulong epoch, out StakeHistoryEntry entry) => StakeHistoryState.TryGet(entries, epoch, out entry);
}

/// <summary>
/// A history read in place from the stake history account's data (instructions: no copy, no
/// allocation). <see cref="TryCreate"/> checks the layout first (<see cref="StakeHistoryState"/>).
/// </summary>
public readonly struct StakeHistoryData : IStakeHistory
{
    private readonly byte[] _data;
    private readonly int _count;

    private StakeHistoryData(byte[] data, int count)
    {
        _data = data;
        _count = count;
    }

    public static bool TryCreate(byte[] data, out StakeHistoryData history)
    {
        history = default;
        if (data.Length < StakeHistoryState.HeaderSize || data[0] != StakeHistoryState.Kind) return false;
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(4));
        if (count > StakeHistoryState.MaxEntries || data.Length != StakeHistoryState.HeaderSize + (int)count * StakeHistoryState.EntrySize) return false;
        history = new StakeHistoryData(data, (int)count);
        return true;
    }

    public bool TryGet(ulong epoch, out StakeHistoryEntry entry)
    {
        ReadOnlySpan<byte> data = _data;
        int lo = 0, hi = _count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            ReadOnlySpan<byte> e = data.Slice(StakeHistoryState.HeaderSize + mid * StakeHistoryState.EntrySize, StakeHistoryState.EntrySize);
            ulong at = BinaryPrimitives.ReadUInt64LittleEndian(e);
            if (at == epoch)
            {
                entry = new StakeHistoryEntry(at, BinaryPrimitives.ReadUInt64LittleEndian(e[8..]), BinaryPrimitives.ReadUInt64LittleEndian(e[16..]), BinaryPrimitives.ReadUInt64LittleEndian(e[24..]));
                return true;
            }
            if (at < epoch) lo = mid + 1;
            else hi = mid - 1;
        }
        entry = default;
        return false;
    }
}

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

    public static StakeActivationStatus At(in StakeState stake, ulong epoch, List<StakeHistoryEntry> history, ulong rateBps) =>
        At(stake, epoch, new StakeHistoryList(history), rateBps);

    /// <summary>The stake's status at <paramref name="epoch"/> against <paramref name="history"/> (allocation-free).</summary>
    public static StakeActivationStatus At<THistory>(in StakeState stake, ulong epoch, THistory history, ulong rateBps)
        where THistory : struct, IStakeHistory
    {
        (ulong effective, ulong activating) = EffectiveAndActivating(stake, epoch, history, rateBps);
        if (epoch < stake.DeactivationEpoch) return new StakeActivationStatus(effective, activating, 0);
        if (epoch == stake.DeactivationEpoch) return new StakeActivationStatus(effective, 0, effective); // only what is effective can cool down
        if (!history.TryGet(stake.DeactivationEpoch, out StakeHistoryEntry previous)) return new StakeActivationStatus(0, 0, 0);
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
            if (!history.TryGet(currentEpoch, out previous)) break;
            previousEpoch = currentEpoch;
        }
        return new StakeActivationStatus(current, 0, current);
    }

    private static (ulong Effective, ulong Activating) EffectiveAndActivating<THistory>(in StakeState stake, ulong epoch, THistory history, ulong rateBps)
        where THistory : struct, IStakeHistory
    {
        ulong delegated = stake.Stake;
        if (stake.ActivationEpoch == StakeState.NoEpoch) return (delegated, 0);
        if (stake.ActivationEpoch == stake.DeactivationEpoch) return (0, 0); // deactivated in the epoch it was delegated: never active
        if (epoch == stake.ActivationEpoch) return (0, delegated);
        if (epoch < stake.ActivationEpoch) return (0, 0);
        if (!history.TryGet(stake.ActivationEpoch, out StakeHistoryEntry previous)) return (delegated, 0);
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
            if (!history.TryGet(currentEpoch, out previous)) break;
            previousEpoch = currentEpoch;
        }
        return (current, delegated - current);
    }
}
