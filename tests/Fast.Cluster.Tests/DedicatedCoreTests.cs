using System.Text.Json;
using Fast.Cluster.Tests.Infrastructure;
using Fast.Core.Platform;
using Xunit;

namespace Fast.Cluster.Tests;

/// <summary>`fast validator --sigverify-cores`: the sigverify thread gets a core to itself, and bench-tps on the same machine stays off it.</summary>
[Collection("cluster")]
public class DedicatedCoreTests
{
    [Fact]
    public async Task A_dedicated_sigverify_core_runs_only_the_sigverify_thread_and_bench_tps_stays_off_it()
    {
        int[] allowed = CpuAffinity.AllowedCores();
        Assert.True(allowed.Length >= 2, $"this test needs two cores; the test process may run on {string.Join(',', allowed)}");
        int dedicated = allowed[^1];
        using SingleValidator node = new("dedicated-core", "--sigverify-cores", dedicated.ToString(System.Globalization.CultureInfo.InvariantCulture), "--sigverify-threads", "1");
        await node.StartAsync();

        // Every thread of the node: the one sigverify thread may run on the dedicated core only, no other thread may run there.
        List<(int Tid, int[] Cores)> threads = [];
        foreach (string task in Directory.EnumerateDirectories($"/proc/{node.Process.Id}/task"))
        {
            string? line = File.ReadLines(Path.Combine(task, "status")).FirstOrDefault(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal));
            if (line is null) continue; // the thread exited meanwhile
            threads.Add((int.Parse(Path.GetFileName(task), System.Globalization.CultureInfo.InvariantCulture), CoreList(line["Cpus_allowed_list:".Length..].Trim())));
        }
        Assert.True(threads.Count > 5, $"{threads.Count} threads");
        var onDedicated = threads.Where(t => t.Cores.Contains(dedicated)).ToList();
        Assert.Single(onDedicated);
        Assert.Equal([dedicated], onDedicated[0].Cores);

        using HttpClient http = new();
        string metrics = await http.GetStringAsync($"{node.Url}/metrics");
        Assert.Contains($"fast_dedicated_core{{core=\"{dedicated}\",stage=\"sigverify\"}} 1", metrics);

        (int exit, string output) = FastProcess.Run(TimeSpan.FromMinutes(3),
            "bench-tps", "--url", node.Url, "--faucet", node.FaucetPath, "--duration", "3", "--accounts", "64", "--json");
        Assert.True(exit == 0, output);
        string json = output.Split('\n').Single(l => l.StartsWith("{\"bench\"", StringComparison.Ordinal));
        using var doc = JsonDocument.Parse(json);
        string[] notes = [.. doc.RootElement.GetProperty("notes").EnumerateArray().Select(n => n.GetString()!)];
        Assert.Contains(notes, n => n.Contains($"keeps core(s) {dedicated} for its sigverify threads: this process ran on", StringComparison.Ordinal));
        Assert.True(doc.RootElement.GetProperty("results").GetProperty("confirmed").GetDouble() > 0, json);
        Assert.Equal(0, node.Process.Stop(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public void A_dedicated_core_the_machine_lacks_or_that_leaves_none_for_the_rest_is_a_one_line_error()
    {
        int[] allowed = CpuAffinity.AllowedCores();
        // Checked before any file is read: the key and genesis named here do not exist.
        string[] required = ["validator", "--identity", "/nonexistent/identity.json", "--genesis", "/nonexistent/genesis.bin", "--ledger", "/nonexistent/ledger"];
        (int exit, string output) = FastProcess.Run(TimeSpan.FromSeconds(30), [.. required, "--sigverify-cores", "1023"]);
        Assert.Equal(2, exit);
        Assert.Contains("--sigverify-cores 1023: this process may run on cores", output);
        (exit, output) = FastProcess.Run(TimeSpan.FromSeconds(30), [.. required, "--sigverify-cores", string.Join(',', allowed)]);
        Assert.Equal(2, exit);
        Assert.Contains("leaves no core for the rest of the node", output);
        (exit, output) = FastProcess.Run(TimeSpan.FromSeconds(30), [.. required, "--sigverify-cores", "x"]);
        Assert.Equal(2, exit);
        Assert.Contains("--sigverify-cores 'x': expected core numbers", output);
        (exit, output) = FastProcess.Run(TimeSpan.FromSeconds(30), [.. required, "--sigverify-cores", allowed[^1].ToString(System.Globalization.CultureInfo.InvariantCulture), "--cores", string.Join(',', allowed)]);
        Assert.Equal(2, exit);
        Assert.Contains($"--cores and --sigverify-cores both name core {allowed[^1]}", output);
    }

    private static int[] CoreList(string text) =>
        [.. text.Split(',').SelectMany(part =>
        {
            string[] range = part.Split('-');
            int first = int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
            int last = int.Parse(range[^1], System.Globalization.CultureInfo.InvariantCulture);
            return Enumerable.Range(first, last - first + 1);
        })];
}
