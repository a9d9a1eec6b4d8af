using System.Diagnostics;
using Fast.Core.Primitives;
using Fast.Node.LoadGen;
using Xunit;

namespace Fast.Node.Tests.LoadGen;

public class LatencySamplesTests
{
    private static Signature Sig(int i)
    {
        byte[] bytes = new byte[Signature.Size];
        BitConverter.TryWriteBytes(bytes, i);
        bytes[63] = 1;
        return new Signature(bytes);
    }

    [Fact]
    public void Transactions_the_node_dropped_do_not_keep_later_samples_from_being_polled()
    {
        // Before: a poll round took the first 1,024 outstanding samples; 1,024 dropped transactions at the head
        // meant no later sample was polled until the run ended, and its latency was stamped then (p99 of 4 slots).
        LatencySamples samples = new(TimeSpan.FromSeconds(30));
        long now = Stopwatch.GetTimestamp();
        long longAgo = now - 31 * Stopwatch.Frequency;
        for (int i = 0; i < 5000; i++) samples.Sent(Sig(i), longAgo);
        for (int i = 5000; i < 5010; i++) samples.Sent(Sig(i), now);

        samples.GiveUpOld(now);
        List<(Signature Signature, long SentAt)> batch = samples.PollBatch();
        Assert.Equal(10, batch.Count);
        Assert.Equal(Sig(5000), batch[0].Signature);
        Assert.Equal(5000, samples.GaveUp);

        samples.Record(batch, [.. batch.Select((_, i) => i % 2 == 0)], now + Stopwatch.Frequency / 2);
        Assert.Equal(5, samples.Confirmed);
        Assert.Equal(5, samples.Outstanding);
        Assert.Equal(500, samples.Percentile(99), 0);
    }

    [Fact]
    public void Every_outstanding_sample_is_polled_each_round_up_to_the_cap()
    {
        LatencySamples samples = new();
        long now = Stopwatch.GetTimestamp();
        for (int i = 0; i < LatencySamples.MaxPerRound + 100; i++) samples.Sent(Sig(i), now);
        Assert.Equal(LatencySamples.MaxPerRound, samples.PollBatch().Count);
    }
}
