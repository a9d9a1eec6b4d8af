using Fast.Core.Consensus;
using Fast.Core.Primitives;

namespace Fast.Validator.Leader;

/// <summary>
/// The leader of any slot, from one schedule per epoch (issue 11 item 4): the schedule of epoch E is
/// computed from the stakes active at the first slot of epoch E − 1 (epoch 0 and 1 both use genesis),
/// 4 consecutive slots per leader (<see cref="LeaderSchedule"/>). Where the stakes come from is the
/// caller's: <see cref="StakesAt"/> answers for an epoch's first slot (genesis stakes until the stake
/// program exists). Keeps the two or three epochs around the current one; older ones are dropped.
/// </summary>
public sealed class LeaderScheduleCache(Hash genesisHash, ulong slotsPerEpoch, Func<ulong, IReadOnlyList<(Pubkey Identity, ulong Stake)>> stakesAtSlot)
{
    private const int KeptEpochs = 4;
    private readonly SortedDictionary<ulong, LeaderSchedule> _schedules = [];

    public ulong SlotsPerEpoch => slotsPerEpoch;

    public ulong EpochOf(ulong slot) => slot / slotsPerEpoch;

    public ulong FirstSlotOf(ulong epoch) => checked(epoch * slotsPerEpoch);

    /// <summary>The stakes that set <paramref name="epoch"/>'s schedule: those active at the first slot of epoch − 1 (genesis for 0 and 1).</summary>
    public IReadOnlyList<(Pubkey Identity, ulong Stake)> StakesAt(ulong epoch) => stakesAtSlot(epoch <= 1 ? 0 : FirstSlotOf(epoch - 1));

    public Pubkey LeaderAt(ulong slot) => ScheduleFor(EpochOf(slot)).LeaderAt(slot);

    public LeaderSchedule ScheduleFor(ulong epoch)
    {
        if (_schedules.TryGetValue(epoch, out LeaderSchedule? schedule)) return schedule;
        schedule = LeaderSchedule.Compute(genesisHash, new Epoch(epoch), slotsPerEpoch, StakesAt(epoch));
        _schedules[epoch] = schedule;
        while (_schedules.Count > KeptEpochs)
        {
            ulong oldest = _schedules.Keys.First();
            _schedules.Remove(oldest);
        }
        return schedule;
    }

    /// <summary>The next slot at or after <paramref name="from"/> that <paramref name="leader"/> leads, looking at most <paramref name="horizon"/> slots ahead.</summary>
    public ulong? NextLeaderSlot(Pubkey leader, ulong from, ulong horizon)
    {
        for (ulong s = from; s < from + horizon; s++) if (LeaderAt(s) == leader) return s;
        return null;
    }
}
