using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using Fast.Cluster.Tests.Infrastructure;
using Fast.Core.Primitives;
using Xunit;

namespace Fast.Cluster.Tests;

/// <summary>
/// The live dashboard as a person sees it: dashboard/check.mjs opens <c>GET /</c> of a real node in
/// headless Chromium (Debian's chromium, driven by playwright-core pinned in dashboard/package-lock.json
/// and installed with `npm ci` beside the test binaries) while the test sends transfers, checks the slot
/// shown advances, the TPS chart is drawn with points and shows the load, the latency chart, blocks,
/// leaders and nodes fill in, and no script fails; then saves a screenshot under the test's output
/// folder (dashboard-screenshots/). Needs Node.js, npm and chromium (./build.sh deps installs chromium).
/// </summary>
[Collection("cluster")]
public class DashboardTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "dashboard");

    [Fact]
    public async Task The_dashboard_in_headless_Chromium_shows_the_slot_advancing_and_the_TPS_of_a_node_under_load()
    {
        string? node = OnPath("node"), npm = OnPath("npm");
        string? chromium = Environment.GetEnvironmentVariable("CHROMIUM") is { Length: > 0 } set ? set : OnPath("chromium");
        Assert.True(node is not null && npm is not null, "Node.js and npm are needed for the dashboard test (apt-get install nodejs npm)");
        Assert.True(chromium is not null && File.Exists(chromium), "chromium is needed for the dashboard test (./build.sh deps installs it: apt-get install chromium)");
        if (!Directory.Exists(Path.Combine(Folder, "node_modules", "playwright-core")))
        {
            (int installed, string log) = Run(npm!, TimeSpan.FromMinutes(5), "ci", "--no-audit", "--no-fund");
            Assert.True(installed == 0, $"npm ci failed in {Folder}: {log.Split('\n').LastOrDefault(l => l.Length > 0)}");
        }

        using SingleValidator validator = new("dashboard-test");
        await validator.StartAsync();
        // Malformed packets the node drops and counts, so the drops table has something to show.
        using (UdpClient udp = new())
        {
            for (int i = 0; i < 5; i++) udp.Send(new byte[100], 100, validator.Tpu);
        }
        Load load = new(validator, accounts: 32);
        await load.FundAsync(1_000_000_000);
        (Hash blockhash, _) = await validator.Rpc.GetLatestBlockhashAsync();
        List<(byte[] Bytes, Signature Signature)> transfers = load.Transfers(12_000, blockhash);
        using CancellationTokenSource stopSending = new();
        Task sending = Load.SendAsync(validator, transfers, perSecond: 150, stopSending.Token);

        string screenshot = Path.Combine(AppContext.BaseDirectory, "dashboard-screenshots", "dashboard.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        File.Delete(screenshot);
        (int exit, string output) = Run(node!, TimeSpan.FromMinutes(3), "check.mjs", validator.Url + "/", screenshot, chromium!);
        await stopSending.CancelAsync();
        await sending;

        Assert.True(exit == 0, $"dashboard checks failed:\n{output}");
        Assert.Contains("dashboard: all checks passed", output);
        byte[] png = File.ReadAllBytes(screenshot);
        using HttpClient http = new();
        using (var state = JsonDocument.Parse(await http.GetStringAsync($"{validator.Url}/dashboard/state.json?since=0")))
        {
            long sigverifyDrops = state.RootElement.GetProperty("drops").EnumerateArray()
                .Where(d => d.GetProperty("stage").GetString() == "sigverify").Sum(d => d.GetProperty("count").GetInt64());
            Assert.True(sigverifyDrops >= 5, $"the 5 malformed packets are not among the dashboard's sigverify drops ({sigverifyDrops})");
            Assert.True(state.RootElement.GetProperty("history").GetProperty("tps").EnumerateArray().Any(t => t.GetDouble() > 0), "no TPS point above zero in the node's history");
        }
        Assert.True(png.Length > 10_000 && png.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }), $"the screenshot {screenshot} is not a PNG of a page ({png.Length} B)");
        Assert.Equal(0, validator.Process.Stop(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task On_a_cluster_the_dashboard_state_lists_every_node_with_its_genesis_stake_and_its_own_slot()
    {
        using LocalCluster cluster = new("dashboard-cluster-test", validators: 2);
        await cluster.StartAllAsync();
        await cluster.WaitForSlotAsync(5);
        var genesisStake = cluster.Bundle.Config.Validators.ToDictionary(v => v.Identity.ToString(), v => v.StakeLamports);
        using HttpClient http = new();
        string url = $"{cluster.Nodes[0].Url}/dashboard/state.json?since={DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}";

        // The first request starts the peer polling (only while a dashboard is watched); within a few rounds every node has a slot.
        var clock = Stopwatch.StartNew();
        string last = "";
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            last = await http.GetStringAsync(url);
            using var state = JsonDocument.Parse(last);
            JsonElement[] nodes = [.. state.RootElement.GetProperty("nodes").EnumerateArray()];
            bool everyNodeHasASlot = nodes.Length == genesisStake.Count && nodes.All(n => n.GetProperty("slot").ValueKind == JsonValueKind.Number && n.GetProperty("slot").GetUInt64() > 0);
            bool bothLeadersAhead = state.RootElement.GetProperty("leaders").EnumerateArray().Select(l => l.GetProperty("leader").GetString()).Distinct().Count() == genesisStake.Count;
            if (everyNodeHasASlot && bothLeadersAhead)
            {
                foreach (JsonElement n in nodes)
                {
                    Assert.Equal(genesisStake[n.GetProperty("identity").GetString()!], n.GetProperty("stake").GetUInt64());
                }
                Assert.Single(nodes, n => n.GetProperty("self").GetBoolean());
                ulong?[] slots = await cluster.SlotsAsync();
                ulong peerSlotShown = nodes.Single(n => !n.GetProperty("self").GetBoolean()).GetProperty("slot").GetUInt64();
                // The peer's slot was read from it within the last polling rounds: near its own answer now.
                ulong peerNow = slots[1]!.Value;
                Assert.InRange(peerSlotShown, peerNow > 20 ? peerNow - 20 : 0, peerNow);
                return;
            }
            await Task.Delay(500);
        }
        Assert.Fail($"node 0's dashboard state never listed both nodes with their slots and both leaders ahead:\n{last}\n{cluster.Logs()}");
    }

    private static (int ExitCode, string Output) Run(string program, TimeSpan timeout, params string[] args)
    {
        ProcessStartInfo start = new(program)
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args) start.ArgumentList.Add(a);
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{program} {string.Join(' ', args)} did not finish in {timeout.TotalSeconds:0} s");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static string? OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
