using Fast.Node.Rpc;
using Fast.Node.Validator;
using Xunit;

namespace Fast.Node.Tests.Validator;

public class PerformanceSamplesTests
{
    [Fact]
    public void A_sample_closes_each_period_with_the_slots_and_transactions_since_the_last()
    {
        PerformanceSamples samples = new(periodSeconds: 60);
        samples.Observe(10, 1_000, 0);
        samples.Observe(50, 3_000, 30_000);
        Assert.Empty(samples.Newest(10));
        samples.Observe(160, 7_000, 60_400);
        samples.Observe(300, 8_000, 121_000);

        IReadOnlyList<PerformanceSample> newest = samples.Newest(10);
        Assert.Equal(2, newest.Count);
        Assert.Equal(new PerformanceSample(300, 1_000, 140, 61, 1_000), newest[0]);
        Assert.Equal(new PerformanceSample(160, 6_000, 150, 60, 6_000), newest[1]);
        Assert.Single(samples.Newest(1));
    }

    [Fact]
    public void The_ring_keeps_the_newest_720_samples()
    {
        PerformanceSamples samples = new(periodSeconds: 1);
        for (int i = 0; i <= 800; i++) samples.Observe((ulong)i, (ulong)i * 10, i * 1000L);
        IReadOnlyList<PerformanceSample> all = samples.Newest(1000);
        Assert.Equal(RpcMethods.MaxPerformanceSamples, all.Count);
        Assert.Equal(800UL, all[0].Slot);
        Assert.Equal(81UL, all[^1].Slot);
    }
}
