using Fast.Node.Cli;
using Xunit;

namespace Fast.Node.Tests.Cli;

public class BenchTpsCommandTests
{
    [Theory]
    [InlineData("600")]
    [InlineData("3600")]
    [InlineData("86400")]
    public void A_soak_length_duration_is_accepted(string seconds)
    {
        // The duration parses; the run then stops at the missing faucet file (before any network call).
        CliRunner.Outcome outcome = CliRunner.Run("bench-tps", "--duration", seconds, "--faucet", "/nonexistent/faucet.json", "--url", "http://127.0.0.1:1");
        Assert.NotEqual(ExitCodes.Ok, outcome.ExitCode);
        SignatureCommandTests.AssertOneLine(outcome.Stderr);
        Assert.DoesNotContain("--duration", outcome.Stderr);
        Assert.Contains("faucet.json", outcome.Stderr);
    }

    [Theory]
    [InlineData("86401")]
    [InlineData("1e9")]
    [InlineData("ten")]
    [InlineData("-60")]
    [InlineData("Infinity")]
    [InlineData("")]
    public void An_absurd_or_malformed_duration_gets_one_error_line(string seconds)
    {
        CliRunner.Outcome outcome = CliRunner.Run("bench-tps", "--duration", seconds, "--faucet", "/nonexistent/faucet.json");
        Assert.Equal(ExitCodes.BadInput, outcome.ExitCode);
        SignatureCommandTests.AssertOneLine(outcome.Stderr);
        Assert.StartsWith("error: --duration must be a number at least 1 and at most 86400", outcome.Stderr);
    }
}
