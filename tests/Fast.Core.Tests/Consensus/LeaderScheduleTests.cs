using Fast.Core.Consensus;
using Fast.Core.Primitives;
using Xunit;

namespace Fast.Core.Tests.Consensus;

public class LeaderScheduleTests
{
    private static Pubkey Key(byte b) => new(Enumerable.Repeat(b, 32).ToArray());

    [Fact]
    public void The_schedule_is_deterministic_and_independent_of_input_order()
    {
        var genesis = Hash.Compute("g"u8);
        (Pubkey, ulong)[] stakes = [(Key(1), 10), (Key(2), 20), (Key(3), 70)];
        var a = LeaderSchedule.Compute(genesis, new Epoch(3), 4096, stakes);
        var b = LeaderSchedule.Compute(genesis, new Epoch(3), 4096, [.. stakes.Reverse()]);
        for (ulong slot = a.FirstSlot; slot < a.FirstSlot + 4096; slot++) Assert.Equal(a.LeaderAt(slot), b.LeaderAt(slot));
        Assert.Equal(3UL * 4096, a.FirstSlot);
    }

    [Fact]
    public void Leaders_hold_four_consecutive_slots_and_appear_in_proportion_to_stake()
    {
        (Pubkey, ulong)[] stakes = [(Key(1), 10), (Key(2), 20), (Key(3), 70)];
        var schedule = LeaderSchedule.Compute(Hash.Compute("g"u8), new Epoch(0), 40_000, stakes);
        Dictionary<Pubkey, int> counts = [];
        for (ulong slot = 0; slot < 40_000; slot++)
        {
            Pubkey leader = schedule.LeaderAt(slot);
            counts[leader] = counts.GetValueOrDefault(leader) + 1;
            if (slot % LeaderSchedule.ConsecutiveLeaderSlots != 0) Assert.Equal(schedule.LeaderAt(slot - 1), leader);
        }
        Assert.InRange(counts[Key(3)] / 40_000.0, 0.65, 0.75);
        Assert.InRange(counts[Key(1)] / 40_000.0, 0.07, 0.13);
    }

    [Fact]
    public void A_single_validator_leads_every_slot_and_other_epochs_are_out_of_range()
    {
        var schedule = LeaderSchedule.Compute(Hash.Zero, new Epoch(1), 32, [(Key(7), 1)]);
        for (ulong slot = 32; slot < 64; slot++) Assert.Equal(Key(7), schedule.LeaderAt(slot));
        Assert.False(schedule.Contains(64));
        Assert.Throws<ArgumentOutOfRangeException>(() => schedule.LeaderAt(31));
    }
}
