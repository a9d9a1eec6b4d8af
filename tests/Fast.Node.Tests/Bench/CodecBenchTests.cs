using System.Text.Json;
using Fast.Node.Cli;
using Fast.Node.Tests.Cli;
using Xunit;

namespace Fast.Node.Tests.Bench;

public class CodecBenchTests
{
    [Fact]
    public void Bench_codec_json_reports_decode_rates_against_the_verify_rate_with_zero_allocation()
    {
        CliRunner.Outcome outcome = CliRunner.Run("bench", "codec", "--seconds", "0.5", "--json");
        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        Assert.Single(outcome.Stdout.TrimEnd('\n').Split('\n'));

        using var doc = JsonDocument.Parse(outcome.Stdout);
        JsonElement root = doc.RootElement;
        Assert.Equal("codec", root.GetProperty("bench").GetString());
        JsonElement results = root.GetProperty("results");
        foreach (string name in new[] { "tx_decode_per_s", "tx_encode_per_s", "shred_decode_per_s", "shred_encode_per_s" })
        {
            Assert.True(results.GetProperty(name).GetDouble() > 0, name);
        }
        double verify = root.GetProperty("reference").GetProperty("secp256k1_verify_per_s").GetDouble();
        double ratio = root.GetProperty("ratios").GetProperty("tx_decode_vs_verify").GetDouble();
        Assert.True(verify > 0);
        Assert.Equal(results.GetProperty("tx_decode_per_s").GetDouble() / verify, ratio, 0.01 * ratio);
        // A loose floor (the target is 200x; a busy shared runner still clears 20x by far).
        Assert.True(ratio > 20, $"decode is only {ratio:0.#}x the verify rate");
        Assert.Equal(0, root.GetProperty("allocated_bytes_per_op").GetDouble());
    }
}
