using System.Globalization;
using System.Text.Json;
using Fast.Cluster.Tests.Infrastructure;
using Xunit;

namespace Fast.Cluster.Tests;

/// <summary>
/// Several real validator processes on loopback (issue 11): they find each other by gossip, lead in
/// turn as the schedule says, send their blocks through Turbine, replay each other's blocks to the
/// same bank hash, carry transactions sent to any node (Gulf Stream), and a node killed with -9
/// catches up by repair.
/// </summary>
[Collection("cluster")]
public sealed class ClusterTests
{
    [Fact]
    public async Task Three_validators_rotate_leaders_agree_on_every_bank_hash_and_confirm_transfers_sent_to_any_node()
    {
        using LocalCluster cluster = new("cluster-three", validators: 3);
        await cluster.StartAllAsync();
        await cluster.WaitForSlotAsync(12);

        // Transfers sent to validator 1 only: it forwards them to whoever leads.
        (int exit, string output) = FastProcess.Run(TimeSpan.FromSeconds(120), "bench-tps", "--url", cluster.Nodes[1].Url, "--faucet", cluster.FaucetPath,
            "--duration", "10", "--rate", "200", "--accounts", "64", "--json");
        Assert.True(exit == 0, $"bench-tps exited with {exit}:\n{output}\n{cluster.Logs()}");
        JsonElement results = JsonDocument.Parse(output[output.IndexOf('{')..]).RootElement.GetProperty("results");
        double sent = results.GetProperty("sent").GetDouble(), confirmed = results.GetProperty("confirmed").GetDouble();
        Assert.True(sent >= 1000, $"only {sent} sent");
        Assert.True(confirmed >= sent * 0.99, $"{confirmed} of {sent} transfers confirmed\n{cluster.Logs()}");

        // Every node stays near the tip: sampled five times, the spread of processed slots is at most 2 in most samples.
        int close = 0;
        for (int sample = 0; sample < 5; sample++)
        {
            ulong?[] slots = await cluster.SlotsAsync();
            if (slots.All(s => s is not null) && slots.Max()!.Value - slots.Min()!.Value <= 2) close++;
            await Task.Delay(300);
        }
        Assert.True(close >= 4, $"the nodes drifted apart in {5 - close} of 5 samples\n{cluster.Logs()}");

        // Every slot that all three froze has one bank hash and one parent; blocks of every leader are among them.
        ulong top = (await cluster.SlotsAsync()).Min()!.Value;
        JsonElement schedule = await cluster.Nodes[0].Rpc.CallAsync("getLeaderSchedule", null);
        Dictionary<ulong, string> leaderOf = [];
        foreach (JsonProperty leader in schedule.EnumerateObject())
        {
            foreach (JsonElement index in leader.Value.EnumerateArray()) leaderOf[index.GetUInt64()] = leader.Name;
        }
        int agreed = 0;
        HashSet<string> leaders = [];
        List<string> mismatches = [];
        for (ulong slot = 1; slot + 2 <= top; slot++)
        {
            var hashes = new (string BankHash, ulong Parent)?[3];
            for (int i = 0; i < 3; i++) hashes[i] = await cluster.BankHashAsync(i, slot);
            (string, ulong)[] present = [.. hashes.Where(h => h is not null).Select(h => h!.Value)];
            if (present.Distinct().Count() > 1) mismatches.Add($"slot {slot}: {string.Join(" | ", present)}");
            if (present.Length == 3)
            {
                agreed++;
                leaders.Add(leaderOf[slot]);
            }
        }
        Assert.True(mismatches.Count == 0, "bank hash mismatches:\n" + string.Join('\n', mismatches));
        Assert.True(agreed >= 20, $"only {agreed} slots frozen by all three (top {top})\n{cluster.Logs()}");
        Assert.Equal(3, leaders.Count);
    }

    [Fact]
    public async Task A_validator_killed_with_9_catches_up_by_repair_and_agrees_on_the_slots_it_missed()
    {
        using LocalCluster cluster = new("cluster-kill", validators: 3);
        await cluster.StartAllAsync();
        await cluster.WaitForSlotAsync(10);

        cluster.Nodes[2].Process!.KillHard();
        ulong killedAt = (await cluster.Nodes[0].Rpc.GetSlotAsync("processed"));
        // At least 8 s and 12 slots of node 0's chain it never receives by Turbine (on a loaded host, as in a full test
        // run, 8 s alone once gave only 4 slots: 11..15), at most 40 s.
        var down = System.Diagnostics.Stopwatch.StartNew();
        ulong restartedAt;
        do
        {
            await Task.Delay(500);
            restartedAt = await cluster.Nodes[0].Rpc.GetSlotAsync("processed");
        }
        while ((down.Elapsed < TimeSpan.FromSeconds(8) || restartedAt < killedAt + 12) && down.Elapsed < TimeSpan.FromSeconds(40));
        await cluster.StartAsync(2);
        await cluster.WaitForSlotAsync(restartedAt + 10);
        // Catching up takes repair round trips and the replay of every missed block: on a loaded host that can outlast the
        // 10 slots above (the processed slot is not the replayed tip). So: a recent block of node 0's chain, waited for on
        // the restarted node (60 s at most), then that chain walked back by parent past the kill — every block of it, the
        // ones built while it was down included, must be held with the same bank hash (a block left on a dead-end fork
        // under load is not on the chain, and no node needs it).
        // The newest block node 0 froze after the restart (in a full test run the slots just after it may all be skipped
        // or still replaying when the clock passes them: look from node 0's processed slot down, waiting up to 30 s).
        ulong tip = 0;
        var waitTip = System.Diagnostics.Stopwatch.StartNew();
        while (tip == 0 && waitTip.Elapsed < TimeSpan.FromSeconds(30))
        {
            ulong top = await cluster.Nodes[0].Rpc.GetSlotAsync("processed");
            for (ulong s = top; s > restartedAt && tip == 0; s--) if (await cluster.BankHashAsync(0, s) is not null) tip = s;
            if (tip == 0) await Task.Delay(500);
        }
        Assert.True(tip > 0, $"node 0 froze nothing after the restart\n{cluster.Logs()}");
        var catchUp = System.Diagnostics.Stopwatch.StartNew();
        while (await cluster.BankHashAsync(2, tip) is null && catchUp.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(250);

        int missedAndHeld = 0;
        ulong slot = tip;
        while (slot > killedAt)
        {
            (string BankHash, ulong Parent)? reference = await cluster.BankHashAsync(0, slot);
            Assert.True(reference is not null, $"node 0 lacks slot {slot} of its own chain");
            (string BankHash, ulong Parent)? restarted = await cluster.BankHashAsync(2, slot);
            Assert.True(restarted is not null, $"the restarted node lacks slot {slot} of the chain (down from {killedAt} to {restartedAt})\n{cluster.Logs()}");
            Assert.Equal(reference, restarted);
            if (slot < restartedAt) missedAndHeld++;
            slot = reference.Value.Parent;
        }
        Assert.True(missedAndHeld >= 5, $"only {missedAndHeld} slots were produced while it was down ({killedAt}..{restartedAt})");
        string metrics = await new HttpClient().GetStringAsync($"{cluster.Nodes[2].Url}/metrics");
        double repaired = metrics.Split('\n').Where(l => l.StartsWith("fast_repair_responses_total ", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture)).Single();
        Assert.True(repaired > 0, "the restarted node accepted no repair response");
    }
}
