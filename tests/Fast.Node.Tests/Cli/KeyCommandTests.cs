using Fast.Node.Cli;
using Fast.Node.Ledger;
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

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, "0644")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, "0640")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.OtherWrite, "0402")]
    public void A_keypair_file_others_can_access_is_refused_by_the_cli_and_the_validator_as_ssh_does(UnixFileMode mode, string octal)
    {
        using TempDir dir = new();
        GenesisBuilder.Write(GenesisBuilder.Build(new GenesisOptions { Seed = "key-permissions" }), dir.Path, overwrite: false);
        string identity = dir.File("validator-0/identity.json");
        Assert.Equal(ExitCodes.Ok, CliRunner.Run("pubkey", identity).ExitCode); // 0600 as written: accepted

        File.SetUnixFileMode(identity, mode);
        string expected = $"permissions {octal} for '{identity}' are too open";
        CliRunner.Outcome pubkey = CliRunner.Run("pubkey", identity);
        Assert.Equal(ExitCodes.Failure, pubkey.ExitCode);
        Assert.Contains(expected, pubkey.Stderr);
        SignatureCommandTests.AssertOneLine(pubkey.Stderr);

        CliRunner.Outcome validator = CliRunner.Run("validator", "--identity", identity, "--genesis", dir.File("genesis.bin"), "--ledger", dir.File("ledger"),
            "--rpc-port", "0", "--tpu-port", "0", "--tpu-tcp-port", "0", "--gossip-port", "0");
        Assert.Equal(ExitCodes.Failure, validator.ExitCode);
        Assert.Contains(expected, validator.Stderr);
        SignatureCommandTests.AssertOneLine(validator.Stderr);
        Assert.False(Directory.Exists(dir.File("ledger")), "the refused validator created its ledger");
    }
}
