using Fast.Core.Primitives;
using Fast.Validator.Forks;
using Fast.Validator.Leader;
using Fast.Validator.Machines;
using Xunit;

namespace Fast.Validator.Tests.Leader;

public sealed class LeaderSlotControllerTests
{
    private const long SlotNs = 600_000_000;
    private const long GraceNs = 200_000_000;

    internal struct Recorder : ILeaderActions
    {
        public List<(ulong Slot, BlockRef Parent)> Started;
        public List<(ulong Slot, LeaderSkipReason Reason)> Skipped;

        public static Recorder Create() => new() { Started = [], Skipped = [] };

        public readonly void StartLeaderSlot(ulong slot, BlockRef parent) => Started.Add((slot, parent));

        public readonly void SkipLeaderSlot(ulong slot, LeaderSkipReason reason) => Skipped.Add((slot, reason));
    }

    private static Pubkey Key(byte b)
    {
        byte[] bytes = new byte[32];
        bytes[0] = b;
        return new Pubkey(bytes);
    }

    private static BlockRef Block(ulong slot) => new(slot, new Hash([.. Enumerable.Repeat((byte)(slot + 1), 32)]));

    /// <summary>Two validators; finds a slot led by <paramref name="me"/> right after a slot led by the other.</summary>
    private static (LeaderScheduleCache Schedule, ulong Slot) HandOver(Pubkey me, Pubkey other)
    {
        LeaderScheduleCache schedule = new(new Hash(new byte[32]), 64, _ => [(me, 100UL), (other, 100UL)]);
        for (ulong s = 1; s < 64; s++)
        {
            if (schedule.LeaderAt(s) == me && schedule.LeaderAt(s - 1) == other) return (schedule, s);
        }
        throw new InvalidOperationException("no hand-over in the first epoch");
    }

    /// <summary>This node leads <see cref="Slot"/>, another node led the slot before it; the controller has just been made.</summary>
    private sealed class HandOverScenario
    {
        public readonly ulong Slot;
        public readonly ForkTree Forks = new(Block(0));
        public readonly LeaderSlotController Controller;
        public readonly NodeTime Start;
        public Recorder Actions = Recorder.Create();

        /// <summary>The first slot of the test schedule that this node leads right after the other node.</summary>
        public static ulong HandOverSlot => HandOver(Key(1), Key(2)).Slot;

        public HandOverScenario(ulong? lastBroadcastSlot = null, long warmupNs = 0)
        {
            (LeaderScheduleCache schedule, ulong slot) = HandOver(Key(1), Key(2));
            Slot = slot;
            Start = new NodeTime((long)slot * SlotNs);
            Controller = new LeaderSlotController(Key(1), schedule, lastBroadcastSlot, GraceNs, Start, warmupNs);
        }

        public void SlotStarts() => Controller.OnSlotStart(Slot, Start, Start.Add(SlotNs), Forks, ref Actions);

        public void TickAt(long afterStartNs) => Controller.OnTick(Start.Add(afterStartNs), Forks, ref Actions);
    }

    [Fact]
    public void A_leader_builds_at_once_when_the_previous_leaders_block_is_replayed()
    {
        HandOverScenario s = new();
        s.Forks.Add(Block(s.Slot - 1), Block(0));
        s.SlotStarts();
        Assert.Equal([(s.Slot, Block(s.Slot - 1))], s.Actions.Started);
    }

    [Fact]
    public void A_leader_waits_the_grace_for_a_missing_parent_then_builds_on_its_best_block()
    {
        HandOverScenario s = new();
        s.SlotStarts();
        s.TickAt(GraceNs - 1);
        Assert.Empty(s.Actions.Started);
        s.TickAt(GraceNs);
        Assert.Equal([(s.Slot, Block(0))], s.Actions.Started);
        Assert.Equal(s.Slot, s.Controller.LastBroadcastSlot);
    }

    [Fact]
    public void A_parent_that_arrives_within_the_grace_is_built_on()
    {
        HandOverScenario s = new();
        s.SlotStarts();
        s.Forks.Add(Block(s.Slot - 1), Block(0));
        s.TickAt(GraceNs / 2);
        Assert.Equal([(s.Slot, Block(s.Slot - 1))], s.Actions.Started);
    }

    [Fact]
    public void A_restarted_leader_never_leads_a_slot_it_already_broadcast()
    {
        HandOverScenario s = new(lastBroadcastSlot: HandOverScenario.HandOverSlot);
        s.SlotStarts();
        Assert.Empty(s.Actions.Started);
        Assert.Equal([(s.Slot, LeaderSkipReason.AlreadyBroadcast)], s.Actions.Skipped);
    }

    [Fact]
    public void A_node_holding_blocks_it_cannot_connect_above_its_tip_skips_its_slot_instead_of_building_on_a_stale_tip()
    {
        HandOverScenario s = new();
        Assert.Equal(ForkAddStatus.Orphan, s.Forks.Add(Block(s.Slot + 3), Block(s.Slot + 2)));
        s.SlotStarts();
        s.TickAt(GraceNs);
        Assert.Empty(s.Actions.Started);
        Assert.Equal([(s.Slot, LeaderSkipReason.CatchingUp)], s.Actions.Skipped);
    }

    [Fact]
    public void During_its_warm_up_a_restarted_node_leads_only_on_the_previous_slots_block()
    {
        HandOverScenario stale = new(warmupNs: 10 * SlotNs);
        stale.SlotStarts();
        stale.TickAt(GraceNs);
        Assert.Equal([(stale.Slot, LeaderSkipReason.CatchingUp)], stale.Actions.Skipped);

        HandOverScenario inSync = new(warmupNs: 10 * SlotNs);
        inSync.Forks.Add(Block(inSync.Slot - 1), Block(0));
        inSync.SlotStarts();
        Assert.Equal([(inSync.Slot, Block(inSync.Slot - 1))], inSync.Actions.Started);
    }

    [Fact]
    public void A_node_does_nothing_in_slots_it_does_not_lead()
    {
        Pubkey me = Key(1), other = Key(2);
        (LeaderScheduleCache schedule, ulong slot) = HandOver(me, other);
        ForkTree forks = new(Block(0));
        LeaderSlotController controller = new(me, schedule, null, GraceNs);
        var r = Recorder.Create();
        NodeTime start = new((long)(slot - 1) * SlotNs);
        controller.OnSlotStart(slot - 1, start, start.Add(SlotNs), forks, ref r);
        Assert.Empty(r.Started);
        Assert.Empty(r.Skipped);
    }

    [Fact]
    public void The_schedule_of_an_epoch_comes_from_the_stakes_at_the_start_of_the_epoch_before()
    {
        List<ulong> asked = [];
        LeaderScheduleCache schedule = new(new Hash(new byte[32]), 64, slot =>
        {
            asked.Add(slot);
            return [(Key(1), 100UL)];
        });
        _ = schedule.LeaderAt(5);
        _ = schedule.LeaderAt(64 + 5);
        _ = schedule.LeaderAt(3 * 64 + 5);
        Assert.Equal([0UL, 0UL, 2 * 64UL], asked);
    }
}
