using Fast.Node.LoadGen;
using Fast.Node.Rpc;
using Fast.Node.Validator;
using Xunit;

namespace Fast.Node.Tests.LoadGen;

public class NodeMetricsTests
{
    [Fact]
    public void A_metrics_scrape_gives_the_queues_the_resident_memory_and_the_drops_by_stage_and_reason()
    {
        PrometheusText m = new();
        m.Gauge("fast_queue_depth", "q", 120, "queue=\"sigverify\"")
         .Gauge("fast_queue_depth", "q", 30, "queue=\"banking\"")
         .Gauge("fast_process_resident_bytes", "rss", 123_456_789)
         .Counter("fast_dropped_total", "d", 17, "stage=\"banking\",reason=\"blockhash\"")
         .Counter("fast_dropped_total", "d", 5, "stage=\"ingest\",reason=\"queue_full\"");
        var metrics = NodeMetrics.Parse(m.ToString());
        Assert.Equal(150, metrics.Queued);
        Assert.Equal(120, metrics.SigverifyQueued); // the backlog signal across validators (banking's queue holds a coming turn's transfers)
        Assert.Equal(123_456_789, metrics.ResidentBytes);
        Assert.Equal(17, metrics.Dropped("banking", "blockhash"));
        Assert.Equal(0, metrics.Dropped("banking", "fee_payer"));
        Assert.Equal(22, metrics.DroppedTotal);
    }

    [Fact]
    public void A_node_without_the_memory_gauge_reads_as_not_sampled()
    {
        var metrics = NodeMetrics.Parse("fast_slot{commitment=\"processed\"} 5\nfast_slot{commitment=\"finalized\"} 2\n");
        Assert.True(double.IsNaN(metrics.ResidentBytes));
        Assert.Equal(5, metrics.ProcessedSlot); // the replay-lag signal across validators (not the finalized slot)
        Assert.True(double.IsNaN(NodeMetrics.Parse("fast_process_resident_bytes 1\n").ProcessedSlot));
        ResidentMemoryTrack track = new();
        track.Add(metrics.ResidentBytes);
        Assert.Equal(0, track.Samples);
    }

    [Fact]
    public void The_memory_track_keeps_the_first_the_largest_and_the_last_sample()
    {
        ResidentMemoryTrack track = new();
        foreach (double v in new double[] { 100, 630, 400 }) track.Add(v * (1 << 20));
        Assert.Equal(100.0 * (1 << 20), track.Start);
        Assert.Equal(630.0 * (1 << 20), track.Max);
        Assert.Equal(400.0 * (1 << 20), track.End);
    }

    [Fact]
    public void The_process_resident_memory_is_read_from_proc_statm()
    {
        Assert.Equal(2500, ProcessMemory.ParseStatmResidentPages("10000 2500 300 10 0 5000 0\n"));
        Assert.Equal(0, ProcessMemory.ParseStatmResidentPages("garbage"));
        long rss = ProcessMemory.ResidentBytes();
        // This test process has loaded the runtime and xunit: tens of MB resident, less than its virtual size.
        Assert.InRange(rss, 8L << 20, 64L << 30);
        Assert.Equal(0, rss % Environment.SystemPageSize);
    }

    [Fact]
    public void Funding_covers_every_fee_an_account_may_pay_in_a_ten_minute_run()
    {
        // 600 s at up to 40,000 transfers/s over 1,024 accounts: 23,438 transfers each at 5,000 lamports = 117 M lamports of fees.
        ulong lamports = BenchTps.FundingLamports(40_000, 600, 1024);
        Assert.True(lamports >= 23_438UL * 5000 + 890_880, lamports.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(50_000_000UL + 10UL * 10_000, BenchTps.FundingLamports(10, 1, 1));
    }
}
