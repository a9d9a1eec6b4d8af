using System.Globalization;
using System.Text.Json;
using Fast.Cluster.Tests.Infrastructure;
using Xunit;

namespace Fast.Cluster.Tests;

[Collection("cluster")]
public class BenchTpsTests
{
    [Fact]
    public async Task A_bench_tps_run_longer_than_the_blockhash_age_sends_no_transfer_the_node_drops_for_an_expired_blockhash()
    {
        // 200 ms slots: the 150-slot blockhash age is 30 s, so a 40 s run outlives any one blockhash. Before, every
        // transfer was signed up front with one blockhash and the later ones were dropped at banking as expired.
        using SingleValidator node = new("bench-tps-test", "--slot-ms", "200");
        await node.StartAsync();
        (int exit, string output) = FastProcess.Run(TimeSpan.FromMinutes(5),
            "bench-tps", "--url", node.Url, "--faucet", node.FaucetPath, "--duration", "40", "--accounts", "256", "--json");
        Assert.True(exit == 0, output);
        string json = output.Split('\n').Single(l => l.StartsWith("{\"bench\"", StringComparison.Ordinal));
        using var doc = JsonDocument.Parse(json);
        JsonElement results = doc.RootElement.GetProperty("results");

        Assert.True(results.GetProperty("confirmed").GetDouble() > 1000, json);
        Assert.Equal(0, results.GetProperty("node_dropped_blockhash").GetDouble());
        Assert.Equal(0, results.GetProperty("stale_discarded_unsent").GetDouble());
        double start = results.GetProperty("node_rss_bytes_start").GetDouble();
        double max = results.GetProperty("node_rss_bytes_max").GetDouble();
        double end = results.GetProperty("node_rss_bytes_end").GetDouble();
        Assert.True(start > 10 << 20, json);
        Assert.True(max >= start && max >= end && end > 0, json);
        Assert.True(doc.RootElement.GetProperty("ratios").GetProperty("tps_vs_sigverify_bound").GetDouble() > 0, json);

        // The node's own counter agrees: nothing reached banking with an expired blockhash.
        using HttpClient http = new();
        string metrics = await http.GetStringAsync($"{node.Url}/metrics");
        string line = metrics.Split('\n').Single(l => l.StartsWith("fast_dropped_total{stage=\"banking\",reason=\"blockhash\"}", StringComparison.Ordinal));
        Assert.Equal(0, double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
        Assert.Equal(0, node.Process.Stop(TimeSpan.FromSeconds(60)));
    }
}
