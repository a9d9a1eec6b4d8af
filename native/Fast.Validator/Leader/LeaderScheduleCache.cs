using Fast.Core.Consensus;
using Fast.Core.Primitives;

namespace Fast.Validator.Leader;

/// <summary>
/// The leader of any slot, from one schedule per epoch (issue 11 item 4): the schedule of epoch E is
/// computed from the stakes active at the first slot of epoch E − 1 (epoch 0 and 1 both use genesis),
/// 4 consecutive slots per leader (<see cref="LeaderSchedule"/>). Where the stakes come from is an
/// <see cref="IScheduleStakesSource"/> (the node: the banks' record, docs/cluster.md "Leader schedule").
/// A final answer is cached (the two to four epochs around the current one; older ones are dropped);
/// a provisional one is used until the source's generation moves, then asked for again.
/// Not thread-safe: one cache per thread, or a lock around it.
/// </summary>
public sealed class LeaderScheduleCache
{
    private const int KeptEpochs = 4;
    private readonly SortedDictionary<ulong, LeaderSchedule> _schedules = [];
    private readonly Dictionary<ulong, (LeaderSchedule Schedule, ulong Generation)> _provisional = [];
    private readonly Hash _genesisHash;
    private readonly ulong _slotsPerEpoch;
    private readonly IScheduleStakesSource _source;

    public LeaderScheduleCache(Hash genesisHash, ulong slotsPerEpoch, IScheduleStakesSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        _genesisHash = genesisHash;
        _slotsPerEpoch = slotsPerEpoch;
        _source = source;
    }

    /// <summary>A cache over stakes the caller fixes per epoch's first slot (tests, the simulator): every answer final.</summary>
    public LeaderScheduleCache(Hash genesisHash, ulong slotsPerEpoch, Func<ulong, IReadOnlyList<(Pubkey Identity, ulong Stake)>> stakesAtSlot)
        : this(genesisHash, slotsPerEpoch, new FixedStakes(slotsPerEpoch, stakesAtSlot))
    {
    }

    public ulong SlotsPerEpoch => _slotsPerEpoch;

    public ulong EpochOf(ulong slot) => slot / _slotsPerEpoch;

    public ulong FirstSlotOf(ulong epoch) => checked(epoch * _slotsPerEpoch);

    /// <summary>The stakes that set <paramref name="epoch"/>'s schedule: those active at the first slot of epoch − 1 (genesis for 0 and 1).</summary>
    public IReadOnlyList<(Pubkey Identity, ulong Stake)> StakesAt(ulong epoch) => _source.StakesFor(epoch).Stakes;

    public Pubkey LeaderAt(ulong slot) => ScheduleFor(EpochOf(slot)).LeaderAt(slot);

    /// <summary>Whether <paramref name="epoch"/>'s schedule is final (cached for good) rather than provisional.</summary>
    public bool IsFinal(ulong epoch) => _schedules.ContainsKey(epoch) || _source.StakesFor(epoch).IsFinal;

    public LeaderSchedule ScheduleFor(ulong epoch)
    {
        if (_schedules.TryGetValue(epoch, out LeaderSchedule? schedule)) return schedule;
        ulong generation = _source.Generation;
        if (_provisional.TryGetValue(epoch, out (LeaderSchedule Schedule, ulong Generation) held) && held.Generation == generation) return held.Schedule;
        ScheduleStakes stakes = _source.StakesFor(epoch);
        schedule = LeaderSchedule.Compute(_genesisHash, new Epoch(epoch), _slotsPerEpoch, stakes.Stakes);
        if (!stakes.IsFinal)
        {
            if (_provisional.Count >= KeptEpochs) _provisional.Clear();
            _provisional[epoch] = (schedule, generation);
            return schedule;
        }
        _provisional.Remove(epoch);
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

    /// <summary>Stakes a function fixes per epoch's first slot (the rule: epoch E from E − 1's first slot; 0 and 1 from slot 0); always final.</summary>
    private sealed class FixedStakes(ulong slotsPerEpoch, Func<ulong, IReadOnlyList<(Pubkey Identity, ulong Stake)>> stakesAtSlot) : IScheduleStakesSource
    {
        public ScheduleStakes StakesFor(ulong epoch) => new(stakesAtSlot(epoch <= 1 ? 0 : checked((epoch - 1) * slotsPerEpoch)), IsFinal: true);

        public ulong Generation => 0;
    }
}
