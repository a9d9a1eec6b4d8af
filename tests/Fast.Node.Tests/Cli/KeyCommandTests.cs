using Fast.Node.Cli;
using Fast.Testing;
using Xunit;

namespace Fast.Node.Tests.Cli;

public class KeyCommandTests
{
    [Fact]
    public void Keygen_writes_a_0600_file_and_refuses_to_overwrite_without_force()
    {
        using TempDir dir = new();
        string path = dir.File("id.json");
        CliRunner.Outcome first = CliRunner.Run("keygen", "-o", path);
        Assert.Equal(ExitCodes.Ok, first.ExitCode);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        string original = File.ReadAllText(path);

        CliRunner.Outcome again = CliRunner.Run("keygen", "-o", path);
        Assert.Equal(ExitCodes.BadInput, again.ExitCode);
        Assert.Contains("already exists", again.Stderr);
        SignatureCommandTests.AssertOneLine(again.Stderr);
        Assert.Equal(original, File.ReadAllText(path));

        CliRunner.Outcome forced = CliRunner.Run("keygen", "-o", path, "--force");
        Assert.Equal(ExitCodes.Ok, forced.ExitCode);
        Assert.NotEqual(original, File.ReadAllText(path));
        Assert.NotEqual(first.Stdout, forced.Stdout);
    }

    [Fact]
    public void Pubkey_of_a_missing_or_corrupt_file_is_a_one_line_error()
    {
        using TempDir dir = new();
        CliRunner.Outcome missing = CliRunner.Run("pubkey", dir.File("missing.json"));
        Assert.Equal(ExitCodes.BadInput, missing.ExitCode);
        SignatureCommandTests.AssertOneLine(missing.Stderr);

        string corrupt = dir.File("corrupt.json");
        File.WriteAllText(corrupt, "[1,2,3");
        CliRunner.Outcome bad = CliRunner.Run("pubkey", corrupt);
        Assert.Equal(ExitCodes.BadInput, bad.ExitCode);
        SignatureCommandTests.AssertOneLine(bad.Stderr);

        CliRunner.Outcome sign = CliRunner.Run("sign", "-k", corrupt, "-m", "00");
        Assert.Equal(ExitCodes.BadInput, sign.ExitCode);
        SignatureCommandTests.AssertOneLine(sign.Stderr);
    }

    [Fact]
    public void Keygen_into_a_missing_directory_fails_cleanly()
    {
        using TempDir dir = new();
        CliRunner.Outcome outcome = CliRunner.Run("keygen", "-o", dir.File("no/such/id.json"));
        Assert.NotEqual(ExitCodes.Ok, outcome.ExitCode);
        SignatureCommandTests.AssertOneLine(outcome.Stderr);
    }
}
