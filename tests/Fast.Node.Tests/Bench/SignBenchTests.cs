using System.Text.Json;
using Fast.Node.Cli;
using Fast.Node.Tests.Cli;
using Xunit;

namespace Fast.Node.Tests.Bench;

/// <summary>`fast bench sign`: the load generator's batch signer against libsecp256k1's signer, with the ratio.</summary>
public class SignBenchTests
{
    [Fact]
    public void Bench_sign_json_reports_the_batch_signer_against_libsecp256k1_and_it_is_faster()
    {
        CliRunner.Outcome outcome = CliRunner.Run("bench", "sign", "--seconds", "0.5", "--json");
        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);

        using var doc = JsonDocument.Parse(outcome.Stdout);
        JsonElement root = doc.RootElement;
        Assert.Equal("sign", root.GetProperty("bench").GetString());
        double batch = root.GetProperty("results").GetProperty("batch_signer_signatures_per_s").GetDouble();
        double reference = root.GetProperty("reference").GetProperty("libsecp256k1_sign_signatures_per_s").GetDouble();
        double ratio = root.GetProperty("ratios").GetProperty("batch_signer_vs_libsecp256k1").GetDouble();
        Assert.True(batch > 0 && reference > 0, $"{batch} / {reference}");
        // ~4x measured here; a loose floor for a busy shared runner, still failing if the batch signer were no faster.
        Assert.True(ratio > 1.3, $"the batch signer is only {ratio:0.##}x libsecp256k1's");
    }
}
