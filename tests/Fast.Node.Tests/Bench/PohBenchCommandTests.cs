using System.Text.Json;
using Fast.Node.Cli;
using Fast.Node.Tests.Cli;
using Xunit;

namespace Fast.Node.Tests.Bench;

public class PohBenchCommandTests
{
    [Fact]
    public void Bench_poh_json_reports_generator_verifier_reference_and_ratios_in_the_benchmark_convention()
    {
        CliRunner.Outcome outcome = CliRunner.Run("bench", "poh", "--seconds", "0.5", "--json", "--slot-ms", "400", "--ticks-per-slot", "64", "--hashes-per-tick", "62500");
        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        Assert.Single(outcome.Stdout.TrimEnd('\n').Split('\n'));

        using var doc = JsonDocument.Parse(outcome.Stdout);
        JsonElement root = doc.RootElement;
        Assert.Equal("poh", root.GetProperty("bench").GetString());
        JsonElement results = root.GetProperty("results");
        double generator = results.GetProperty("generator_hashes_per_s").GetDouble();
        double perCore = results.GetProperty("verifier_hashes_per_s_per_core").GetDouble();
        double reference = root.GetProperty("reference").GetProperty("sha_ni_chain_hashes_per_s").GetDouble();
        Assert.True(generator > 0 && perCore > 0 && reference > 0);
        Assert.True(results.GetProperty("verifier_hashes_per_s").GetDouble() > 0);
        // max_hashes_per_tick = generator rate x 6.25 ms (400 ms / 64 ticks).
        Assert.Equal(Math.Floor(generator * 0.00625), results.GetProperty("max_hashes_per_tick").GetDouble(), 0);
        Assert.Equal(62500, results.GetProperty("configured_hashes_per_tick").GetDouble());

        JsonElement ratios = root.GetProperty("ratios");
        // Ratios are medians of per-round ratios, so they track (not equal) the ratio of the median rates.
        Assert.InRange(ratios.GetProperty("generator_vs_reference").GetDouble(), generator / reference / 2, generator / reference * 2);
        Assert.InRange(ratios.GetProperty("verifier_per_core_vs_reference").GetDouble(), perCore / reference / 2, perCore / reference * 2);
        Assert.True(ratios.GetProperty("verifier_all_cores_vs_per_core").GetDouble() > 0);
        Assert.Equal(0, root.GetProperty("allocated_bytes_per_op").GetDouble());
    }

    [Theory]
    [InlineData("--slot-ms", "0")]
    [InlineData("--ticks-per-slot", "abc")]
    [InlineData("--hashes-per-tick", "1")]
    [InlineData("--hashes-per-batch", "0")]
    [InlineData("--core", "1024")]
    public void Bad_timing_flags_get_one_error_line_and_a_nonzero_exit(string flag, string value)
    {
        CliRunner.Outcome outcome = CliRunner.Run("bench", "poh", flag, value);
        Assert.Equal(ExitCodes.BadInput, outcome.ExitCode);
        SignatureCommandTests.AssertOneLine(outcome.Stderr);
        Assert.StartsWith("error: ", outcome.Stderr);
    }

    [Fact]
    public void A_tick_shorter_than_a_tenth_of_a_millisecond_is_refused()
    {
        CliRunner.Outcome outcome = CliRunner.Run("bench", "poh", "--slot-ms", "1", "--ticks-per-slot", "64");
        Assert.Equal(ExitCodes.BadInput, outcome.ExitCode);
        Assert.Contains("too short", outcome.Stderr);
    }

    [Fact]
    public void A_core_the_machine_does_not_have_is_an_environment_failure()
    {
        CliRunner.Outcome outcome = CliRunner.Run("bench", "poh", "--seconds", "0.1", "--core", "1000");
        Assert.Equal(ExitCodes.Failure, outcome.ExitCode);
        Assert.Contains("cannot pin to core 1000", outcome.Stderr);
    }
}
