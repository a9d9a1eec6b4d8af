using Fast.Node.Rpc.Dashboard;
using Xunit;

namespace Fast.Node.Tests.Rpc.Dashboard;

public class ConfirmationLatencyTests
{
    private long _nowMs = 10_000;

    private ConfirmationLatency Latency(double slotMs = 400) => new(() => _nowMs, _ => slotMs);

    [Fact]
    public void A_confirmed_slot_counts_its_freeze_to_confirmed_time_and_its_slot_start_to_confirmed_time()
    {
        ConfirmationLatency latency = Latency(slotMs: 400);
        latency.SlotFrozen(5, 4);
        _nowMs += 30;
        latency.SlotConfirmed(5);

        LatencyBucket bucket = latency.TakeBucket();
        Assert.Equal(1, bucket.Slots);
        Assert.Equal(30, bucket.MeanFreezeToConfirmedMs, 3);
        Assert.Equal(430, bucket.MeanStartToConfirmedMs, 3);
        Assert.Equal(430, bucket.MaxStartToConfirmedMs, 3);
    }

    [Fact]
    public void A_confirmation_that_jumps_several_slots_counts_each_slot_it_saw_frozen()
    {
        ConfirmationLatency latency = Latency(slotMs: 0);
        latency.SlotFrozen(1, 0);
        _nowMs += 100;
        latency.SlotFrozen(2, 1);
        _nowMs += 100;
        latency.SlotFrozen(3, 2);
        _nowMs += 10;
        latency.SlotConfirmed(3);

        LatencyBucket bucket = latency.TakeBucket();
        Assert.Equal(3, bucket.Slots);
        Assert.Equal((210 + 110 + 10) / 3.0, bucket.MeanFreezeToConfirmedMs, 3);
        Assert.Equal(210, bucket.MaxStartToConfirmedMs, 3);
    }

    [Fact]
    public void Taking_the_bucket_empties_it_and_a_repeated_or_older_confirmation_is_not_counted_again()
    {
        ConfirmationLatency latency = Latency();
        latency.SlotFrozen(7, 6);
        latency.SlotConfirmed(7);
        Assert.Equal(1, latency.TakeBucket().Slots);
        Assert.Equal(default, latency.TakeBucket());

        latency.SlotConfirmed(7);
        latency.SlotConfirmed(6);
        Assert.Equal(0, latency.TakeBucket().Slots);
    }

    [Fact]
    public void A_slot_whose_freeze_was_not_seen_or_was_overwritten_in_the_ring_is_not_measured()
    {
        ConfirmationLatency latency = Latency();
        latency.SlotFrozen(3, 2);
        // Slot 3 + ring size lands in slot 3's place: slot 3's time is gone.
        latency.SlotFrozen(3 + ConfirmationLatency.FreezeTimesKept, 3);
        latency.SlotConfirmed(3);
        latency.SlotConfirmed(4);
        Assert.Equal(0, latency.TakeBucket().Slots);
    }
}
