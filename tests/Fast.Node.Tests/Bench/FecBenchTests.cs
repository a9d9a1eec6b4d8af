using System.Text.Json;
using Fast.Node.Bench;
using Fast.Node.Cli;
using Fast.Node.Tests.Cli;
using Xunit;

namespace Fast.Node.Tests.Bench;

/// <summary>`fast bench fec`: one JSON object with every kernel's figure beside Intel ISA-L's (deps installs libisal-dev).</summary>
public class FecBenchTests
{
    [Fact]
    public void Bench_fec_json_reports_encode_and_recover_against_isal_on_915_byte_shards_with_zero_allocation()
    {
        using var isa = IsaLibrary.TryLoad(out string? error);
        Assert.True(isa is not null, $"ISA-L must be installed for this test (./build.sh deps): {error}");

        CliRunner.Outcome outcome = CliRunner.Run("bench", "fec", "--seconds", "1", "--json");
        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        Assert.Single(outcome.Stdout.TrimEnd('\n').Split('\n'));
        using var doc = JsonDocument.Parse(outcome.Stdout);
        JsonElement root = doc.RootElement;
        Assert.Equal("fec", root.GetProperty("bench").GetString());
        JsonElement results = root.GetProperty("results");
        Assert.Equal(915, results.GetProperty("shard_bytes").GetDouble());
        Assert.True(results.GetProperty("encode_gbps").GetDouble() > 0);
        Assert.True(results.GetProperty("recover_gbps").GetDouble() > 0);
        Assert.True(results.GetProperty("encode_scalar_gbps").GetDouble() > 0);
        Assert.True(root.GetProperty("reference").GetProperty("isal_encode_gbps").GetDouble() > 0);
        JsonElement ratios = root.GetProperty("ratios");
        Assert.True(ratios.GetProperty("encode_vs_isal").GetDouble() > 0);
        // No wall-clock goal here (shared CPU): recovery against ISA-L's inversion path is the one loose floor.
        Assert.True(ratios.GetProperty("recover_vs_isal").GetDouble() > 1, "recovery slower than ISA-L");
        Assert.Equal(0, root.GetProperty("allocated_bytes_per_op").GetDouble());
    }
}
