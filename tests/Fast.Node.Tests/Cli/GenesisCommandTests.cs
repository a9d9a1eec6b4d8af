using Fast.Node.Cli;
using Fast.Node.Ledger;
using Fast.Testing;
using Xunit;

namespace Fast.Node.Tests.Cli;

public class GenesisCommandTests
{
    [Fact]
    public void The_same_seed_makes_the_same_cluster_byte_for_byte()
    {
        using TempDir a = new();
        using TempDir b = new();
        Assert.Equal(ExitCodes.Ok, CliRunner.Run("genesis", "--validators", "3", "--out", a.Path, "--seed", "s1").ExitCode);
        Assert.Equal(ExitCodes.Ok, CliRunner.Run("genesis", "--validators", "3", "--out", b.Path, "--seed", "s1").ExitCode);
        Assert.Equal(File.ReadAllBytes(a.File("genesis.bin")), File.ReadAllBytes(b.File("genesis.bin")));
        Assert.Equal(File.ReadAllText(a.File("validator-2/vote.json")), File.ReadAllText(b.File("validator-2/vote.json")));

        Assert.True(GenesisFile.TryLoad(a.File("genesis.bin"), out GenesisFile? genesis, out _));
        Assert.Equal(3, genesis!.Config.Validators.Count);
        Assert.Equal(4, genesis.Config.Accounts.Count); // faucet + 3 identities
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(a.File("faucet.json")));
    }

    [Fact]
    public void Another_seed_makes_another_cluster_and_an_existing_genesis_is_kept()
    {
        using TempDir a = new();
        using TempDir b = new();
        CliRunner.Run("genesis", "--out", a.Path, "--seed", "x");
        CliRunner.Run("genesis", "--out", b.Path, "--seed", "y");
        Assert.NotEqual(File.ReadAllBytes(a.File("genesis.bin")), File.ReadAllBytes(b.File("genesis.bin")));

        byte[] before = File.ReadAllBytes(a.File("genesis.bin"));
        CliRunner.Outcome again = CliRunner.Run("genesis", "--out", a.Path, "--seed", "z");
        Assert.Equal(ExitCodes.BadInput, again.ExitCode);
        SignatureCommandTests.AssertOneLine(again.Stderr);
        Assert.Equal(before, File.ReadAllBytes(a.File("genesis.bin")));
        Assert.Equal(ExitCodes.Ok, CliRunner.Run("genesis", "--out", a.Path, "--seed", "z", "--force").ExitCode);
    }

    [Theory]
    [InlineData("--validators", "0")]
    [InlineData("--validators", "2000")]
    [InlineData("--slot-ms", "abc")]
    [InlineData("--hashes-per-tick", "0")]
    [InlineData("--faucet-lamports", "-1")]
    public void Out_of_range_options_are_one_line_errors(string option, string value)
    {
        using TempDir dir = new();
        CliRunner.Outcome outcome = CliRunner.Run("genesis", "--out", dir.Path, option, value);
        Assert.Equal(ExitCodes.BadInput, outcome.ExitCode);
        SignatureCommandTests.AssertOneLine(outcome.Stderr);
        Assert.False(File.Exists(dir.File("genesis.bin")));
    }

    [Fact]
    public void A_corrupt_genesis_file_is_reported_in_one_line()
    {
        using TempDir dir = new();
        File.WriteAllBytes(dir.File("genesis.bin"), [1, 2, 3]);
        Assert.False(GenesisFile.TryLoad(dir.File("genesis.bin"), out _, out string error));
        Assert.Contains("not a valid genesis file", error);
        Assert.False(GenesisFile.TryLoad(dir.File("missing.bin"), out _, out error));
        Assert.Contains("no such file", error);
    }
}
