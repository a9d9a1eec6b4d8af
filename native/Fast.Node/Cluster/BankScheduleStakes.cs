using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Validator.Leader;

namespace Fast.Node.Cluster;

/// <summary>
/// The node's source of leader-schedule stakes (docs/cluster.md "Leader schedule"): the record the banks
/// keep in state (the stakes active at the first bank of epoch E − 1 for epoch E; genesis's for 0 and 1).
/// Read from the root bank first: the root never reverts, so the answer is final once the root is past the
/// first bank of epoch − 1 (root epoch ≥ epoch − 1). Before that the answer is provisional and comes from the
/// node's best frozen bank (<paramref name="best"/>, the fork it builds on): once that bank is in epoch − 1
/// its record for the epoch is its fork's, the one the root will hold — so a root lagging behind a short
/// epoch's boundary never leaves a node scheduling from older stakes than its peers, or switching
/// schedule inside an epoch's first leader run (docs/cluster.md). A provisional answer is asked again whenever
/// the root or the best bank moves (<see cref="Generation"/>). A chain without staking, or a ledger from
/// before the record existed, uses the genesis stakes.
/// <para>Threads: any (the network, banking and RPC threads each have their own cache over it); reads a
/// bank under BankForks' root lock, never on a thread already holding it.</para>
/// </summary>
public sealed class BankScheduleStakes(BankForks forks, IReadOnlyList<(Pubkey Identity, ulong Stake)> genesisStakes, Func<Bank?> best) : IScheduleStakesSource
{
    public ScheduleStakes StakesFor(ulong epoch)
    {
        (List<(Pubkey Identity, ulong Stake)>? stakes, bool isFinal) = forks.ReadBank(() => forks.Root, bank => (bank.LeaderScheduleStakes(epoch, out bool final), final), out _);
        if (!isFinal)
        {
            (List<(Pubkey Identity, ulong Stake)>? forkStakes, bool forkHasRecord) = forks.ReadBank(best, bank => (bank.LeaderScheduleStakes(epoch, out bool has), has), out _);
            if (forkHasRecord) stakes = forkStakes;
        }
        return stakes is { Count: > 0 } ? new ScheduleStakes(stakes, isFinal) : new ScheduleStakes(genesisStakes, isFinal);
    }

    /// <summary>The root slot and the best bank's slot in one value: either moving changes it.</summary>
    public ulong Generation => (forks.Root.Slot << 32) ^ (best()?.Slot ?? 0);
}
