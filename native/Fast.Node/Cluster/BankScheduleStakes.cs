using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Validator.Leader;

namespace Fast.Node.Cluster;

/// <summary>
/// The node's source of leader-schedule stakes (docs/cluster.md "Leader schedule"): the record the banks
/// keep in state (the stakes active at the first bank of epoch E − 1 for epoch E; genesis's for 0 and 1),
/// read from the root bank. The root never reverts, so an answer is final once the root is past the first
/// bank of epoch − 1 (root epoch ≥ epoch − 1); before that it is the root's newest record at or before the
/// epoch, provisional, asked again when the root moves (<see cref="Generation"/>). A chain without
/// staking, or a ledger from before the record existed, uses the genesis stakes.
/// <para>Threads: any (the network, banking and RPC threads each have their own cache over it); reads the
/// root under BankForks' root lock, never on a thread already holding it.</para>
/// </summary>
public sealed class BankScheduleStakes(BankForks forks, IReadOnlyList<(Pubkey Identity, ulong Stake)> genesisStakes) : IScheduleStakesSource
{
    public ScheduleStakes StakesFor(ulong epoch)
    {
        (List<(Pubkey Identity, ulong Stake)>? stakes, bool isFinal) = forks.ReadBank(() => forks.Root, bank => (bank.LeaderScheduleStakes(epoch, out bool final), final), out _);
        return stakes is { Count: > 0 } ? new ScheduleStakes(stakes, isFinal) : new ScheduleStakes(genesisStakes, isFinal);
    }

    public ulong Generation => forks.Root.Slot;
}
