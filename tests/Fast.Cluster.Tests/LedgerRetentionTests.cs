using Fast.Cluster.Tests.Infrastructure;
using Fast.Node.Client;
using Xunit;

namespace Fast.Cluster.Tests;

[Collection("cluster")]
public class LedgerRetentionTests
{
    /// <summary>
    /// 100 ms slots, a 16-slot limit, checkpoints every 8 roots: the node purges old slots (RPC says so),
    /// and a kill -9 then restart still finds every slot it replays and restores.
    /// </summary>
    [Fact]
    public async Task Old_slots_are_purged_and_a_kill_9_restart_still_replays()
    {
        using SingleValidator node = new("retention-test", "--slot-ms", "100", "--limit-ledger-slots", "16", "--root-distance", "4", "--checkpoint-interval-slots", "8");
        await node.StartAsync();
        Load load = new(node, 2);
        await load.FundAsync(1_000_000);
        ulong total = await load.TotalLamportsAsync();

        // The floor stays RestoreSlots below the durable root, so purging starts after ~310 slots (~31 s).
        using HttpClient http = new();
        ulong floor = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (floor == 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), "the node never purged a slot");
            await Task.Delay(500);
            floor = MetricValue(await http.GetStringAsync(node.Url + "/metrics"), "fast_ledger_floor_slot");
        }
        Assert.True(floor > 1, $"floor {floor}");
        ulong lowest = (await node.Rpc.CallAsync("minimumLedgerSlot")).GetUInt64();
        Assert.True(lowest >= floor, $"minimumLedgerSlot {lowest} is below the purge floor {floor}");
        RpcClientException gone = await Assert.ThrowsAsync<RpcClientException>(() => node.Rpc.CallAsync("getBlock", w =>
        {
            w.WriteNumberValue(floor - 1);
            w.WriteStartObject();
            w.WriteString("commitment", "finalized");
            w.WriteEndObject();
        }));
        Assert.Contains("cleaned up", gone.Message, StringComparison.OrdinalIgnoreCase); // Solana's BlockCleanedUp (-32001)
        Assert.True(MetricValue(await http.GetStringAsync(node.Url + "/metrics"), "fast_ledger_purges_total") >= 1);

        ulong before = await node.Rpc.GetSlotAsync("confirmed");
        node.Process.KillHard();
        await node.StartAsync();
        await node.WaitForSlotAsync(before + 5);
        Assert.Equal(total, await load.TotalLamportsAsync());
        ulong after = (await node.Rpc.CallAsync("minimumLedgerSlot")).GetUInt64();
        Assert.True(after >= floor, $"purged slots came back after the restart: minimumLedgerSlot {after}, floor was {floor}");
        Assert.Equal(0, node.Process.Stop(TimeSpan.FromSeconds(60)));
    }

    private static ulong MetricValue(string metrics, string name)
    {
        string line = metrics.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return (ulong)double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
