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

    private struct Recorder : ILeaderActions
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

    [Fact]
    public void A_leader_builds_at_once_when_the_previous_leaders_block_is_replayed()
    {
        Pubkey me = Key(1), other = Key(2);
        (LeaderScheduleCache schedule, ulong slot) = HandOver(me, other);
        ForkTree forks = new(Block(0));
        forks.Add(Block(slot - 1), Block(0));
        LeaderSlotController controller = new(me, schedule, null, GraceNs);
        var r = Recorder.Create();
        NodeTime start = new((long)slot * SlotNs);
        controller.OnSlotStart(slot, start, start.Add(SlotNs), forks, ref r);
        Assert.Equal([(slot, Block(slot - 1))], r.Started);
    }

    [Fact]
    public void A_leader_waits_the_grace_for_a_missing_parent_then_builds_on_its_best_block()
    {
        Pubkey me = Key(1), other = Key(2);
        (LeaderScheduleCache schedule, ulong slot) = HandOver(me, other);
        ForkTree forks = new(Block(0));
        LeaderSlotController controller = new(me, schedule, null, GraceNs);
        var r = Recorder.Create();
        NodeTime start = new((long)slot * SlotNs);
        controller.OnSlotStart(slot, start, start.Add(SlotNs), forks, ref r);
        controller.OnTick(start.Add(GraceNs - 1), forks, ref r);
        Assert.Empty(r.Started);
        controller.OnTick(start.Add(GraceNs), forks, ref r);
        Assert.Equal([(slot, Block(0))], r.Started);
        Assert.Equal(slot, controller.LastBroadcastSlot);
    }

    [Fact]
    public void A_parent_that_arrives_within_the_grace_is_built_on()
    {
        Pubkey me = Key(1), other = Key(2);
        (LeaderScheduleCache schedule, ulong slot) = HandOver(me, other);
        ForkTree forks = new(Block(0));
        LeaderSlotController controller = new(me, schedule, null, GraceNs);
        var r = Recorder.Create();
        NodeTime start = new((long)slot * SlotNs);
        controller.OnSlotStart(slot, start, start.Add(SlotNs), forks, ref r);
        forks.Add(Block(slot - 1), Block(0));
        controller.OnTick(start.Add(GraceNs / 2), forks, ref r);
        Assert.Equal([(slot, Block(slot - 1))], r.Started);
    }

    [Fact]
    public void A_restarted_leader_never_leads_a_slot_it_already_broadcast()
    {
        Pubkey me = Key(1), other = Key(2);
        (LeaderScheduleCache schedule, ulong slot) = HandOver(me, other);
        ForkTree forks = new(Block(0));
        LeaderSlotController controller = new(me, schedule, lastBroadcastSlot: slot, GraceNs);
        var r = Recorder.Create();
        NodeTime start = new((long)slot * SlotNs);
        controller.OnSlotStart(slot, start, start.Add(SlotNs), forks, ref r);
        Assert.Empty(r.Started);
        Assert.Equal([(slot, LeaderSkipReason.AlreadyBroadcast)], r.Skipped);
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
