using Fast.Node.Cluster;
using Fast.Node.Validator;
using Xunit;

namespace Fast.Node.Tests.Validator;

/// <summary>A node behind the cluster gives up only when the slots it needs are past what peers keep for repair and its replay stood still.</summary>
public class CatchUpVerdictTests
{
    private static readonly ulong Served = ShredStore.RetainedSlotsBelowRoot + 31;

    [Fact]
    public void A_node_further_behind_than_peers_keep_that_stopped_replaying_gives_up_with_a_one_line_reason()
    {
        string? reason = CatchUpVerdict.Hopeless(1_000, 1_000 + Served + 1, 31, TimeSpan.FromSeconds(31));
        Assert.NotNull(reason);
        Assert.DoesNotContain('\n', reason);
        Assert.Contains("replayed up to slot 1000", reason, StringComparison.Ordinal);
        Assert.Contains("snapshot", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0UL, 60.0)]      // within what peers serve: repair can still bring it
    [InlineData(1UL, 29.0)]      // too far, but replay moved within the last 30 s
    public void A_node_that_can_still_catch_up_keeps_going(ulong pastServed, double secondsStill)
    {
        Assert.Null(CatchUpVerdict.Hopeless(1_000, 1_000 + Served + pastServed, 31, TimeSpan.FromSeconds(secondsStill)));
    }

    [Fact]
    public void A_node_at_or_ahead_of_what_it_received_is_not_behind()
    {
        Assert.Null(CatchUpVerdict.Hopeless(5_000, 4_000, 31, TimeSpan.FromMinutes(10)));
    }
}
