using Fast.Node.Rpc;
using Xunit;

namespace Fast.Node.Tests.Rpc.Dashboard;

public class PrometheusSampleTests
{
    [Fact]
    public void A_text_made_to_keep_samples_keeps_each_sample_with_its_labels_as_written()
    {
        PrometheusText text = new(keepSamples: true);
        text.Counter("fast_dropped_total", "drops", 3, "stage=\"ingest\",reason=\"queue_full\"").Gauge("fast_slot", "slot", 9);

        Assert.Equal(2, text.Samples.Count);
        PrometheusSample drop = text.Samples[0];
        Assert.Equal("fast_dropped_total", drop.Name);
        Assert.Equal("ingest", drop.Label("stage"));
        Assert.Equal("queue_full", drop.Label("reason"));
        Assert.Null(drop.Label("son"));
        Assert.Null(text.Samples[1].Label("stage"));
        Assert.Contains("fast_dropped_total{stage=\"ingest\",reason=\"queue_full\"} 3", text.ToString());
        Assert.Empty(new PrometheusText().Counter("a", "b", 1).Samples);
    }

    [Fact]
    public void A_label_name_that_ends_another_label_name_is_not_mistaken_for_it()
    {
        PrometheusSample sample = new("m", "substage=\"x\",stage=\"y\"", 1);
        Assert.Equal("y", sample.Label("stage"));
        Assert.Equal("x", sample.Label("substage"));
    }
}
