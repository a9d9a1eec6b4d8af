using System.Text.Json;
using Fast.Simulation;
using Xunit;

namespace Fast.Validator.Tests.Simulation;

/// <summary>The default run's cluster simulation: 10 nodes of the real machines, 100 slots, loss and latency (issue 11's default-test size).</summary>
public sealed class ClusterSimulationTests
{
    private static JsonElement Run(params string[] args)
    {
        var options = SimulationOptions.Parse(args);
        using Fast.Simulation.Simulation simulation = new(options);
        string json = simulation.Run().ToJson();
        return JsonDocument.Parse(json).RootElement.GetProperty("results");
    }

    [Fact]
    public void Ten_nodes_with_five_percent_loss_get_every_block_in_its_slot_replay_it_to_one_bank_hash_and_never_root_apart()
    {
        JsonElement r = Run("--validators", "10", "--slots", "100", "--seed", "7", "--loss", "0.05", "--latency-ms", "40", "--jitter-ms", "20", "--tps", "333");
        long produced = r.GetProperty("slots_produced").GetInt64();
        Assert.InRange(produced, 95, 100);
        Assert.Equal(produced, r.GetProperty("slots_replayed_by_all").GetInt64());
        Assert.Equal(0, r.GetProperty("bank_hash_mismatches").GetInt64());
        Assert.True(r.GetProperty("blocks_frozen_by_more_than_one_node").GetInt64() >= produced, "every block was frozen by more than its leader");
        Assert.True(r.GetProperty("transactions_executed_min_per_node").GetInt64() > 0, "every node executed transfers");
        Assert.Equal(0, r.GetProperty("transfers_refused_by_admission").GetInt64());
        foreach (JsonElement dead in r.GetProperty("slots_dead_per_node").EnumerateArray()) Assert.Equal(0, dead.GetInt64());
        Assert.True(r.GetProperty("shred_delivery_in_slot").GetDouble() >= 0.99, "shred_delivery_in_slot " + r.GetProperty("shred_delivery_in_slot"));
        Assert.True(r.GetProperty("fec_recovered_without_repair").GetDouble() >= 0.99);
        Assert.Equal(0, r.GetProperty("root_divergence").GetInt64());
        Assert.Equal(0, r.GetProperty("deshred_failures").GetInt64());
        Assert.True(r.GetProperty("lowest_root_slot").GetInt64() >= 60, "roots advance on every node");
        Assert.True(r.GetProperty("packets_lost").GetInt64() > 0, "the loss was applied");
        Assert.True(r.GetProperty("shreds_recovered").GetInt64() > 0, "lost shreds were rebuilt by erasure coding");
    }

    [Fact]
    public void The_same_seed_gives_the_same_report_byte_for_byte_in_another_process_and_another_seed_another()
    {
        // Another process has other hash seeds and other fresh randomness: only a run that depends on
        // neither repeats there.
        string[] args = ["--validators", "8", "--slots", "40", "--seed", "3", "--loss", "0.1", "--tps", "200", "--json"];
        string a = RunInThisProcess(args);
        string b = RunInOwnProcess(args);
        Assert.Equal(a, b);
        args[5] = "4";
        string c = RunInThisProcess(args);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void One_thread_and_two_threads_print_the_same_report_for_ten_nodes_with_loss_and_a_crash()
    {
        // The nodes run in parallel steps on --threads threads: nothing the report says may depend on how many.
        string[] args = ["--validators", "10", "--slots", "50", "--seed", "9", "--loss", "0.05", "--tps", "333", "--crash", "2@20-30", "--json"];
        string one = RunInThisProcess([.. args, "--threads", "1"]);
        string two;
        using (Fast.Simulation.Simulation simulation = new(SimulationOptions.Parse([.. args, "--threads", "2"])))
        {
            Assert.Equal(2, simulation.Workers.Groups);
            two = simulation.Run().ToJson();
            Assert.True(simulation.NodeCpuNs > 0, "the node groups ran");
        }
        Assert.Equal(one, two);
        JsonElement r = JsonDocument.Parse(two).RootElement.GetProperty("results");
        Assert.True(r.GetProperty("slots_produced").GetInt64() >= 40, "the leaders that were up produced their slots");
        Assert.True(r.GetProperty("repair_responses_accepted").GetInt64() > 0, "the restarted nodes repaired (packets crossed between the two groups)");
        Assert.Equal(0, r.GetProperty("bank_hash_mismatches").GetInt64());
    }

    private static string RunInThisProcess(string[] args)
    {
        using Fast.Simulation.Simulation simulation = new(SimulationOptions.Parse(args));
        return simulation.Run().ToJson();
    }

    private static string RunInOwnProcess(string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "Fast.Simulation.dll");
        System.Diagnostics.ProcessStartInfo start = new("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (string a in args) start.ArgumentList.Add(a);
        using System.Diagnostics.Process process = System.Diagnostics.Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return stdout.TrimEnd('\n');
    }

    [Fact]
    public void Honest_nodes_catch_equivocating_leaders_keep_the_evidence_and_still_agree_on_roots()
    {
        JsonElement r = Run("--validators", "10", "--slots", "80", "--seed", "5", "--loss", "0.02", "--tps", "100", "--byzantine-leaders", "2");
        Assert.True(r.GetProperty("equivocations_detected").GetInt64() > 0);
        Assert.True(r.GetProperty("honest_nodes_with_evidence").GetInt64() >= 6, "most honest nodes saw both versions");
        long seen = r.GetProperty("equivocations_seen_by_honest").GetInt64();
        Assert.True(seen > 0, "honest nodes were shown both versions of some slot");
        Assert.Equal(seen, r.GetProperty("equivocations_reported_by_honest").GetInt64());
        Assert.Equal(0, r.GetProperty("equivocations_seen_but_not_reported").GetInt64());
        long held = r.GetProperty("honest_evidence_held").GetInt64();
        Assert.True(held >= seen, "every (node, slot) reported holds its evidence");
        Assert.Equal(held, r.GetProperty("honest_evidence_proven").GetInt64());
        Assert.Equal(0, r.GetProperty("root_divergence").GetInt64());
        Assert.True(r.GetProperty("lowest_root_slot").GetInt64() > 0, "the honest cluster keeps rooting around the duplicate slots");
        Assert.Equal(0, r.GetProperty("bank_hash_mismatches").GetInt64());
        Assert.True(r.GetProperty("slots_dead_by_poh").GetInt64() > 0, "the version whose PoH does not chain from its parent is dead where it arrived first");
    }

    [Fact]
    public void Nodes_that_crash_and_restart_catch_up_by_repair_and_root_with_the_rest()
    {
        JsonElement r = Run("--validators", "10", "--slots", "100", "--seed", "1", "--loss", "0.05", "--tps", "333", "--crash", "3@30-50");
        Assert.True(r.GetProperty("repair_responses_accepted").GetInt64() > 100, "the restarted nodes repaired what they missed");
        Assert.True(r.GetProperty("lowest_root_slot").GetInt64() >= 60, "every node, the restarted ones included, roots past the outage");
        Assert.Equal(3, r.GetProperty("crashed_nodes").GetInt64());
        Assert.Equal(3, r.GetProperty("crashed_nodes_caught_up").GetInt64());
        Assert.InRange(r.GetProperty("crashed_nodes_catch_up_slots_max").GetInt64(), 1, 15); // 40 slots when the orphan walk waited for each block to be whole
        Assert.InRange(r.GetProperty("max_slots_behind_at_end").GetInt64(), 0, 2);
        Assert.Equal(0, r.GetProperty("root_divergence").GetInt64());
        Assert.True(r.GetProperty("slots_replayed_by_all").GetInt64() >= r.GetProperty("slots_produced").GetInt64() - 3);
        Assert.Equal(0, r.GetProperty("bank_hash_mismatches").GetInt64());
    }

    [Theory]
    [InlineData("--loss", "1.5", "--loss")]
    [InlineData("--partition", "0.6@400-200", "empty")]
    [InlineData("--validators", "0", "--validators")]
    [InlineData("--crash", "10@3", "X@FROM-TO")]
    [InlineData("--bogus", "1", "unknown flag")]
    public void Bad_flags_get_a_one_line_reason(string flag, string value, string expected)
    {
        SimulationOptionsException e = Assert.Throws<SimulationOptionsException>(() => SimulationOptions.Parse([flag, value]));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }
}
