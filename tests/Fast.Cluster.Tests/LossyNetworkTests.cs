using System.Text.Json;
using Fast.Cluster.Tests.Infrastructure;
using Fast.Testing;
using Xunit;

namespace Fast.Cluster.Tests;

/// <summary>
/// A real network: 4 validators in 4 network namespaces joined by veth and a bridge, with 10 % of
/// the packets to every node's shred (TVU) port dropped at random by nftables. Erasure coding must
/// rebuild the FEC sets without repair, and the cluster keeps producing and agreeing. Behind
/// FAST_NETNS=1 (root; it changes the host's network while it runs).
/// </summary>
[Collection("cluster")]
public class LossyNetworkTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Validators = 4;

    [NetnsFact]
    public async Task Four_validators_in_namespaces_with_10_percent_shred_loss_rebuild_99_percent_of_fec_sets_without_repair_and_keep_producing()
    {
        using NamespaceNetwork network = new(Validators);
        network.DropAtRandom(LocalCluster.NamespaceTvuPort, 10);
        using LocalCluster cluster = new("netns-loss", Validators, network: network);
        await cluster.StartAllAsync();
        await cluster.WaitForSlotAsync(10, 120);
        // Counted from here: before every node knows every peer, a leader's Turbine tree leaves some out and they repair whole
        // blocks; so from once every node's gossip knows the other three, and the blocks in flight then have been replayed.
        await cluster.WaitForFullGossipAsync();
        ulong?[] converged = await cluster.SlotsAsync();
        await cluster.WaitForSlotAsync(converged.Max()!.Value + 3, 60);
        Dictionary<string, double>[] start = [.. await Task.WhenAll(cluster.Nodes.Select(n => MetricsScrape.ReadAsync(n.Url)))];

        // Load: transfers through validator 1, forwarded to whoever leads (blocks of several FEC sets).
        (int exit, string benchOutput) = FastProcess.Run(TimeSpan.FromSeconds(180), "bench-tps", "--url", cluster.Nodes[1].Url, "--faucet", cluster.FaucetPath,
            "--duration", "40", "--rate", "300", "--accounts", "64", "--json");
        Assert.True(exit == 0, $"bench-tps exited with {exit}:\n{benchOutput}\n{cluster.Logs()}");
        JsonElement results = JsonDocument.Parse(benchOutput[benchOutput.IndexOf('{')..]).RootElement.GetProperty("results");
        double sent = results.GetProperty("sent").GetDouble(), confirmed = results.GetProperty("confirmed").GetDouble();

        // The loss happened: nftables dropped packets on every host.
        long[] dropped = [.. Enumerable.Range(0, Validators).Select(NamespaceNetwork.DroppedOn)];
        Assert.All(dropped, d => Assert.True(d > 100, $"the loss rule dropped only {string.Join(", ", dropped)} packets"));

        // FEC sets: completed by receipt or Reed-Solomon recovery, not by repair, on every node.
        double received = 0, recovered = 0, repaired = 0, accepted = 0;
        foreach (LocalCluster.Node node in cluster.Nodes)
        {
            Dictionary<string, double> m = await MetricsScrape.ReadAsync(node.Url);
            double Since(string name) => m.GetValueOrDefault(name) - start[node.Index].GetValueOrDefault(name);
            received += Since("fast_fec_sets_total{how=\"received\"}");
            recovered += Since("fast_fec_sets_total{how=\"recovered\"}");
            repaired += Since("fast_fec_sets_total{how=\"repaired\"}");
            accepted += Since("fast_shreds_accepted_total");
        }
        double total = received + recovered + repaired;
        string figures = $"FEC sets: {received} received whole, {recovered} recovered, {repaired} repaired; {accepted} shreds accepted, {dropped.Sum()} dropped by nftables; "
            + $"bench-tps {confirmed} of {sent} confirmed";
        output.WriteLine(figures);
        Assert.True(total >= 200, $"too few FEC sets to judge: {figures}\n{cluster.Logs()}");
        Assert.True(recovered > 0, $"no FEC set needed recovery: is the loss applied? {figures}");
        Assert.True((received + recovered) / total >= 0.99, $"under 99 % of FEC sets rebuilt without repair: {figures}\n{cluster.Logs()}");

        // The cluster keeps producing: every node advances, and all agree on every slot all froze.
        ulong?[] before = await cluster.SlotsAsync();
        await Task.Delay(TimeSpan.FromSeconds(6));
        ulong?[] after = await cluster.SlotsAsync();
        for (int i = 0; i < Validators; i++) Assert.True(after[i] >= before[i] + 5, $"validator {i} stalled: {before[i]} -> {after[i]}\n{cluster.Logs()}");
        Assert.True(confirmed >= sent * 0.9, $"{figures}\n{cluster.Logs()}");
        ulong top = after.Min()!.Value;
        int agreed = 0;
        List<string> mismatches = [];
        for (ulong slot = 1; slot + 2 <= top; slot++)
        {
            var hashes = new (string BankHash, ulong Parent)?[Validators];
            for (int i = 0; i < Validators; i++) hashes[i] = await cluster.BankHashAsync(i, slot);
            (string, ulong)[] present = [.. hashes.Where(h => h is not null).Select(h => h!.Value)];
            if (present.Distinct().Count() > 1) mismatches.Add($"slot {slot}: {string.Join(" | ", present)}");
            if (present.Length == Validators) agreed++;
        }
        Assert.True(mismatches.Count == 0, "bank hash mismatches:\n" + string.Join('\n', mismatches));
        output.WriteLine($"{agreed} slots frozen by all {Validators}, none disagreeing; slots {string.Join(", ", after)}");
        Assert.True(agreed >= 40, $"only {agreed} slots frozen by all {Validators} (top {top})\n{cluster.Logs()}");
    }
}
