using System.Buffers;
using System.Text.Json;
using Fast.Node.Rpc.Dashboard;
using Xunit;

namespace Fast.Node.Tests.Rpc.Dashboard;

public class DashboardHistoryTests
{
    [Fact]
    public void Each_point_after_the_first_call_carries_the_transactions_per_second_of_its_period()
    {
        DashboardHistory history = new();
        history.Record(1_000, 50_000, 10, 9, 1, cumulativeTransactions: 100, default);
        history.Record(2_000, 50_500, 11, 10, 1, cumulativeTransactions: 600, default);
        history.Record(3_000, 52_500, 12, 11, 2, cumulativeTransactions: 800, new LatencyBucket(2, 650, 50, 700));

        DashboardPoint[] points = history.PointsSince(0);
        Assert.Equal(2, points.Length);
        Assert.Equal(1000, points[0].TransactionsPerSecond, 6);
        Assert.Equal(100, points[1].TransactionsPerSecond, 6);
        Assert.Equal(12UL, points[1].Processed);
        Assert.Equal(650, points[1].Latency.MeanStartToConfirmedMs);
    }

    [Fact]
    public void A_committed_count_that_went_back_gives_a_rate_of_zero_not_a_wrapped_one()
    {
        DashboardHistory history = new();
        history.Record(1_000, 0, 1, 1, 0, 500, default);
        history.Record(2_000, 1_000, 2, 2, 0, 20, default);
        Assert.Equal(0, history.PointsSince(0).Single().TransactionsPerSecond);
    }

    [Fact]
    public void The_ring_keeps_only_its_capacity_of_newest_points_and_answers_only_those_after_since()
    {
        DashboardHistory history = new(capacity: 4);
        for (int i = 0; i <= 10; i++) history.Record(i * 1000, i * 1000, (ulong)i, 0, 0, (ulong)i, default);

        Assert.Equal(4, history.Count);
        Assert.Equal([7000L, 8000, 9000, 10000], history.PointsSince(0).Select(p => p.UnixMs));
        Assert.Equal([9000L, 10000], history.PointsSince(8000).Select(p => p.UnixMs));
        Assert.Empty(history.PointsSince(10_000));
    }

    [Fact]
    public void The_history_is_written_as_parallel_columns_with_null_latency_where_no_slot_was_confirmed()
    {
        DashboardHistory history = new();
        history.Record(1_000, 0, 1, 1, 0, 0, default);
        history.Record(2_000, 1_000, 2, 1, 0, 10, default);
        history.Record(3_000, 2_000, 3, 2, 0, 30, new LatencyBucket(1, 612.34, 12.34, 612.34));

        ArrayBufferWriter<byte> output = new();
        using (Utf8JsonWriter w = new(output))
        {
            w.WriteStartObject();
            history.WriteSince(w, 0);
            w.WriteEndObject();
        }
        using var doc = JsonDocument.Parse(output.WrittenMemory);
        JsonElement h = doc.RootElement.GetProperty("history");
        Assert.Equal([2000L, 3000], h.GetProperty("t").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal([10.0, 20.0], h.GetProperty("tps").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(JsonValueKind.Null, h.GetProperty("latencyStartMs")[0].ValueKind);
        Assert.Equal(612.3, h.GetProperty("latencyStartMs")[1].GetDouble());
        Assert.Equal(12.3, h.GetProperty("latencyFreezeMs")[1].GetDouble());
        Assert.Equal([2UL, 3], h.GetProperty("processed").EnumerateArray().Select(e => e.GetUInt64()));
    }
}
