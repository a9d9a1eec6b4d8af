using System.Globalization;
using Fast.Cluster.Tests.Infrastructure;
using Fast.Core.Primitives;
using Xunit;
using Xunit.Abstractions;

namespace Fast.Cluster.Tests;

/// <summary>
/// A real validator whose ledger writer is stalled (the hidden test-only flag
/// <c>--test-stall-ledger-writer-ms</c>, as a slow disk would) under load: PoH's entry queue
/// overflows, records are refused and slots abandoned, yet nothing is reported confirmed that the
/// ledger does not hold, before or after a kill -9.
/// </summary>
[Collection("cluster")]
public class StalledLedgerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task With_a_stalled_ledger_writer_every_transaction_reported_confirmed_is_in_the_ledger_and_survives_a_kill_9()
    {
        // A small entry queue so a stall of 1.5 slots per append overflows it within seconds.
        using SingleValidator node = new("stalled-ledger", "--poh-entry-queue", "256", "--checkpoint-interval-slots", "4", "--root-distance", "8");
        await node.StartAsync();
        Load load = new(node, 64);
        await load.FundAsync(100_000_000);
        Assert.Equal(0, node.Process.Stop(TimeSpan.FromSeconds(60)));

        await node.StartAsync("--test-stall-ledger-writer-ms", "900");
        Assert.Contains("TEST ONLY", node.Process.Output);
        ulong firstSlot = await node.Rpc.GetSlotAsync("confirmed");
        (Hash blockhash, _) = await node.Rpc.GetLatestBlockhashAsync();
        List<(byte[] Bytes, Signature Signature)> transfers = load.Transfers(24_000, blockhash);
        using CancellationTokenSource stop = new();
        Task sending = Load.SendAsync(node, transfers, 1500, stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(15));

        // Confirmed means in a confirmed block, while the writer is stalled...
        List<Signature> confirmed = await load.ConfirmedAmongAsync([.. transfers.Select(t => t.Signature)]);
        HashSet<Signature> inBlocks = await load.SignaturesInBlocksAsync(firstSlot);
        string metrics = await Metrics(node);
        node.Process.KillHard();
        stop.Cancel();
        await sending;

        output.WriteLine($"confirmed {confirmed.Count} of {transfers.Count}; slots abandoned {Counter(metrics, "fast_poh_slots_abandoned_total")}, " +
            $"records refused ledger_behind {Counter(metrics, "fast_banking_records_ledger_behind_total")}, " +
            $"dropped ledger_behind {Counter(metrics, "fast_dropped_total{stage=\"banking\",reason=\"ledger_behind\"}")}, " +
            $"voided in abandoned slots {Counter(metrics, "fast_dropped_total{stage=\"banking\",reason=\"slot_abandoned\"}")}, " +
            $"slots completed {Counter(metrics, "fast_ledger_slots_completed_total")}");
        Assert.True(Counter(metrics, "fast_poh_slots_abandoned_total") > 0, "the stall abandoned slots:\n" + metrics);
        Assert.True(Counter(metrics, "fast_banking_records_ledger_behind_total") > 0, "records were refused while the writer was behind:\n" + metrics);
        Assert.True(confirmed.Count > 200, $"only {confirmed.Count} transfers confirmed with the writer stalled");
        List<Signature> missing = [.. confirmed.Where(s => !inBlocks.Contains(s))];
        Assert.True(missing.Count == 0, $"{missing.Count} of {confirmed.Count} transactions reported confirmed are in no confirmed block");

        // ...and after a kill -9 (restarted without the stall) every one of them is recovered.
        await node.StartAsync();
        Assert.Contains("replayed", node.Process.Output);
        HashSet<Signature> recovered = await load.SignaturesInBlocksAsync(firstSlot);
        List<Signature> lost = [.. confirmed.Where(s => !recovered.Contains(s))];
        Assert.True(lost.Count == 0, $"{lost.Count} of {confirmed.Count} confirmed transactions are missing after the restart");
        Assert.Equal(node.Bundle.Config.TotalLamports, await load.TotalLamportsAsync());
        ulong after = await node.Rpc.GetSlotAsync("confirmed");
        await node.WaitForSlotAsync(after + 3);
        Assert.Equal(0, node.Process.Stop(TimeSpan.FromSeconds(60)));
    }

    private static async Task<string> Metrics(SingleValidator node)
    {
        using HttpClient http = new();
        return await http.GetStringAsync($"{node.Url}/metrics");
    }

    private static double Counter(string metrics, string name)
    {
        foreach (string line in metrics.Split('\n'))
        {
            if (line.StartsWith(name + " ", StringComparison.Ordinal)) return double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
        }
        return 0;
    }
}
