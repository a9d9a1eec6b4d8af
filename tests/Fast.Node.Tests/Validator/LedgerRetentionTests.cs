using Fast.Node.Validator;
using Xunit;

namespace Fast.Node.Tests.Validator;

public class LedgerRetentionTests
{
    [Fact]
    public void No_limit_keeps_everything() => Assert.Equal(0UL, LedgerRetention.Floor(root: 1_000_000, durableRoot: 1_000_000, limitSlots: 0));

    [Fact]
    public void The_floor_trails_the_root_by_the_limit_when_the_checkpoint_is_recent()
    {
        Assert.Equal(9_001UL, LedgerRetention.Floor(root: 10_000, durableRoot: 10_000, limitSlots: 1_000));
        Assert.Equal(0UL, LedgerRetention.Floor(root: 500, durableRoot: 500, limitSlots: 1_000)); // not that much ledger yet
    }

    [Fact]
    public void The_floor_never_passes_what_a_restart_replays_or_restores()
    {
        // A small limit is held back by the last durable checkpoint: everything above it is replayed after a crash,
        // and RestoreSlots below it go back into the status cache.
        Assert.Equal(10_000UL - LedgerRetention.RestoreSlots, LedgerRetention.Floor(root: 10_000, durableRoot: 10_000, limitSlots: 8));
        Assert.Equal(2_000UL - LedgerRetention.RestoreSlots, LedgerRetention.Floor(root: 10_000, durableRoot: 2_000, limitSlots: 8));
        Assert.Equal(0UL, LedgerRetention.Floor(root: 10_000, durableRoot: LedgerRetention.RestoreSlots, limitSlots: 8));
    }

    [Theory]
    [InlineData(1UL, 1UL)]
    [InlineData(16UL, 2UL)]
    [InlineData(2_000UL, 64UL)]
    public void Purges_go_in_steps(ulong limit, ulong step) => Assert.Equal(step, LedgerRetention.Step(limit));
}
