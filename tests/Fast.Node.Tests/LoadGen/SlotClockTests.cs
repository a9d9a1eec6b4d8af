using System.Diagnostics;
using Fast.Node.LoadGen;
using Xunit;

namespace Fast.Node.Tests.LoadGen;

public class SlotClockTests
{
    private static long Ms(double ms) => (long)(ms / 1000 * Stopwatch.Frequency);

    [Fact]
    public void Between_observations_the_slot_runs_ahead_at_no_more_than_400_ms_a_slot()
    {
        SlotClock clock = new();
        Assert.Equal(0UL, clock.Estimate(0));
        clock.Observe(50, Ms(1000));
        Assert.Equal(50UL, clock.Estimate(Ms(1000)));
        Assert.Equal(51UL, clock.Estimate(Ms(1001)));   // any time after the observation may be the next slot
        Assert.Equal(55UL, clock.Estimate(Ms(3000)));   // 2 s at the assumed 400 ms

        // A node with 600 ms slots is still extrapolated at 400 ms: its blockhashes read older than they are.
        for (int i = 1; i <= 10; i++) clock.Observe(50 + (ulong)i, Ms(1000 + 600 * i));
        Assert.Equal(SlotClock.AssumedSlotMs, clock.SlotMs, 3);
        Assert.Equal(60UL + 5, clock.Estimate(Ms(7000 + 2000)));
    }

    [Fact]
    public void A_node_with_short_slots_is_extrapolated_at_its_measured_pace()
    {
        SlotClock clock = new();
        for (int i = 0; i <= 20; i++) clock.Observe((ulong)i, Ms(100 * i));
        Assert.Equal(100, clock.SlotMs, 1);
        Assert.Equal(30UL, clock.Estimate(Ms(3000)));
    }

    [Fact]
    public void A_late_answer_naming_an_older_slot_does_not_move_the_clock_back()
    {
        SlotClock clock = new();
        clock.Observe(100, Ms(1000));
        clock.Observe(90, Ms(1200));
        Assert.True(clock.Estimate(Ms(1200)) >= 100);
    }
}
