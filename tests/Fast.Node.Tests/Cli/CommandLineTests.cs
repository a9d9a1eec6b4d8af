using System.Text.Json;
using Fast.Node.Cli;
using Xunit;

namespace Fast.Node.Tests.Cli;

public class CommandLineTests
{
    [Fact]
    public void Version_prints_the_version_and_exits_zero()
    {
        CliRunner.Outcome outcome = CliRunner.Run("--version");
        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        Assert.StartsWith("0.", outcome.Stdout.Trim());
    }

    [Theory]
    [InlineData("keygen")]
    [InlineData("pubkey")]
    [InlineData("sign")]
    [InlineData("verify")]
    [InlineData("bench")]
    [InlineData("genesis")]
    [InlineData("validator")]
    [InlineData("devnet")]
    [InlineData("balance")]
    [InlineData("transfer")]
    [InlineData("tx")]
    [InlineData("slot")]
    [InlineData("bench-tps")]
    [InlineData("config")]
    [InlineData("account")]
    [InlineData("block")]
    [InlineData("confirm")]
    [InlineData("airdrop")]
    public void Every_command_has_help(string command)
    {
        CliRunner.Outcome outcome = CliRunner.Run(command, "--help");
        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        Assert.Contains("Usage:", outcome.Stdout);
    }

    [Fact]
    public void Validator_help_lists_the_RPC_and_TPU_connection_limits_with_their_defaults()
    {
        CliRunner.Outcome outcome = CliRunner.Run("validator", "--help");
        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        foreach (string flag in new[] { "--rpc-max-response-mb", "--rpc-max-connections-per-ip", "--rpc-keep-alive-seconds", "--rpc-request-timeout-seconds", "--max-tpu-connections-per-ip", "--tpu-tcp-frame-timeout-ms" })
        {
            int at = outcome.Stdout.IndexOf(flag, StringComparison.Ordinal);
            Assert.True(at >= 0, $"{flag} is not in validator --help");
            int next = outcome.Stdout.IndexOf("\n  -", at, StringComparison.Ordinal);
            string entry = outcome.Stdout[at..(next < 0 ? outcome.Stdout.Length : next)];
            Assert.Contains("(default ", entry, StringComparison.Ordinal);
        }
    }

    public static TheoryData<string[]> MalformedInvocations => new()
    {
        { [] },
        { ["no-such-command"] },
        { ["keygen", "--bogus"] },
        { ["keygen", "-o"] },
        { ["pubkey"] },
        { ["pubkey", "a", "b"] },
        { ["sign", "-m", "00"] },
        { ["sign", "-k", "/nonexistent/key.json", "-m", "00"] },
        { ["bench"] },
        { ["bench", "sha256", "--seconds", "abc"] },
        { ["bench", "sha256", "--seconds", "0"] },
        { ["bench", "sha256", "--seconds", "-5"] },
        { ["bench", "sha256", "--seconds", "NaN"] },
        { ["bench", "sha256", "--seconds", "1e9"] },
        { ["bench", "sigverify", "--threads", "0"] },
        { ["bench", "exec", "--accounts", "x"] },
        { ["bench", "poh", "--hashes-per-tick", "1"] },
        { ["genesis"] },
        { ["genesis", "--out", "/tmp/x", "--validators", "-3"] },
        { ["balance"] },
        { ["balance", "not-a-key"] },
        { ["balance", "11111111111111111111111111111111", "--url", "notaurl"] },
        { ["balance", "11111111111111111111111111111111", "--url", "http://127.0.0.1:1"] },
        { ["balance", "11111111111111111111111111111111", "--commitment", "soon"] },
        { ["transfer", "--to", "11111111111111111111111111111111", "--amount", "5"] },
        { ["transfer", "--from", "/nonexistent.json", "--to", "11111111111111111111111111111111", "--amount", "5"] },
        { ["transfer", "--from", "/nonexistent.json", "--to", "x", "--amount", "0"] },
        { ["transfer", "--from", "/nonexistent.json", "--to", "x", "--amount", "5", "--wait", "soon"] },
        { ["tx", "not-a-signature"] },
        { ["tx"] },
        { ["slot", "--url", "ftp://x"] },
        { ["validator"] },
        { ["validator", "--identity", "/nonexistent.json", "--genesis", "/nonexistent.bin", "--ledger", "/tmp/fast-nonexistent-ledger"] },
        { ["validator", "--identity", "a", "--genesis", "b", "--ledger", "c", "--cores", "3-1"] },
        { ["validator", "--identity", "a", "--genesis", "b", "--ledger", "c", "--rpc-port", "70000"] },
        { ["validator", "--identity", "a", "--genesis", "b", "--ledger", "c", "--limit-ledger-slots", "-1"] },
        { ["validator", "--identity", "a", "--genesis", "b", "--ledger", "c", "--limit-ledger-slots", "lots"] },
        { ["devnet", "--limit-ledger-slots", "1e99"] },
        { ["validator", "--identity", "a", "--genesis", "b", "--ledger", "c", "--accounts-compact-above-mb", "-8"] },
        { ["validator", "--identity", "a", "--genesis", "b", "--ledger", "c", "--rpc-max-response-mb", "0"] },
        { ["validator", "--identity", "a", "--genesis", "b", "--ledger", "c", "--rpc-max-connections-per-ip", "none"] },
        { ["validator", "--identity", "a", "--genesis", "b", "--ledger", "c", "--max-tpu-connections-per-ip", "0"] },
        { ["validator", "--identity", "a", "--genesis", "b", "--ledger", "c", "--tpu-tcp-frame-timeout-ms", "-5"] },
        { ["validator", "--identity", "a", "--genesis", "b", "--ledger", "c", "--rpc-keep-alive-seconds", "0"] },
        { ["devnet", "--validators", "65"] },
        { ["devnet", "--validators", "0"] },
        { ["validator", "--identity", "a", "--genesis", "b", "--ledger", "c", "--entrypoint", "nowhere"] },
        { ["validator", "--identity", "a", "--genesis", "b", "--ledger", "c", "--entrypoint", "127.0.0.1:0"] },
        { ["validator", "--identity", "a", "--genesis", "b", "--ledger", "c", "--turbine-fanout", "1"] },
        { ["devnet", "--slot-ms", "0"] },
        { ["bench-tps", "--duration", "0"] },
        { ["bench-tps", "--faucet", "/nonexistent.json"] },
    };

    [Theory]
    [MemberData(nameof(MalformedInvocations))]
    public void Malformed_invocations_get_one_error_line_and_a_nonzero_exit(string[] args)
    {
        CliRunner.Outcome outcome = CliRunner.Run(args);
        Assert.NotEqual(ExitCodes.Ok, outcome.ExitCode);
        Assert.NotEqual(ExitCodes.Internal, outcome.ExitCode);
        SignatureCommandTests.AssertOneLine(outcome.Stderr);
        Assert.StartsWith("error: ", outcome.Stderr);
    }

    [Fact]
    public void Bench_sha256_json_follows_the_benchmark_convention()
    {
        CliRunner.Outcome outcome = CliRunner.Run("bench", "sha256", "--seconds", "0.3", "--json");
        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        Assert.Single(outcome.Stdout.TrimEnd('\n').Split('\n'));

        using var doc = JsonDocument.Parse(outcome.Stdout);
        JsonElement root = doc.RootElement;
        Assert.Equal("sha256", root.GetProperty("bench").GetString());
        JsonElement machine = root.GetProperty("machine");
        Assert.True(machine.GetProperty("cores").GetInt32() >= 1);
        foreach (string flag in new[] { "sha_ni", "avx2", "avx512", "gfni" })
        {
            Assert.True(machine.GetProperty(flag).ValueKind is JsonValueKind.True or JsonValueKind.False);
        }
        Assert.True(root.GetProperty("results").GetProperty("kernel_chain_hashes_per_s").GetDouble() > 0);
        Assert.True(root.GetProperty("reference").GetProperty("dotnet_hashdata_chain_hashes_per_s").GetDouble() > 0);
        Assert.True(root.GetProperty("ratios").GetProperty("kernel_vs_dotnet").GetDouble() > 0);
        Assert.Equal(0, root.GetProperty("allocated_bytes_per_op").GetDouble());
    }
}
