using Fast.Core.Primitives;

namespace Fast.Validator.Leader;

/// <summary>
/// The stakes an epoch's leader schedule is drawn from, as a <see cref="IScheduleStakesSource"/> answered:
/// final when every fork this node can still choose agrees on them (e.g. read from a rooted bank that is
/// past the first bank of epoch − 1), provisional otherwise (the cache asks again when the source's
/// <see cref="IScheduleStakesSource.Generation"/> moves).
/// </summary>
public readonly record struct ScheduleStakes(IReadOnlyList<(Pubkey Identity, ulong Stake)> Stakes, bool IsFinal);

/// <summary>
/// Where <see cref="LeaderScheduleCache"/> gets each epoch's stakes (the node: its banks' record of
/// the stakes active at the first bank of epoch − 1; tests and the simulator: fixed stakes).
/// Implementations are called on the cache owner's thread and must be safe there.
/// </summary>
public interface IScheduleStakesSource
{
    /// <summary>The stakes of <paramref name="epoch"/>'s schedule (at least one identity with stake).</summary>
    ScheduleStakes StakesFor(ulong epoch);

    /// <summary>Changes whenever a provisional answer may have changed (e.g. the root slot); a cheap read.</summary>
    ulong Generation { get; }
}
