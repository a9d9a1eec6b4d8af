using System.Net;
using System.Text.Json;
using Fast.Node.Cli;
using Fast.Node.Rpc;
using Fast.Node.Tests.Infrastructure;
using Fast.Testing;
using Xunit;

namespace Fast.Node.Tests.Cli;

/// <summary>`fast config get|set` and the client commands' use of the saved defaults.</summary>
public class ConfigCommandTests : IDisposable
{
    private readonly TempDir _dir = new("fast-config");

    private string ConfigPath => Path.Combine(_dir.Path, ".config", "fast", "cli.json");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Get_without_a_file_shows_the_built_in_defaults_marked_as_defaults()
    {
        CliRunner.Outcome outcome = CliRunner.RunWithConfig(ConfigPath, "config", "get");
        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        Assert.Contains($"Config File: {ConfigPath}", outcome.Stdout);
        Assert.Contains("url:         http://127.0.0.1:8899 (default)", outcome.Stdout);
        Assert.Contains("commitment:  confirmed (default)", outcome.Stdout);
        Assert.False(File.Exists(ConfigPath));
    }

    [Fact]
    public void Set_saves_each_key_and_get_prints_them_back_one_by_one_and_as_JSON()
    {
        string keypair = Path.Combine(_dir.Path, "me.json");
        CliRunner.Outcome set = CliRunner.RunWithConfig(ConfigPath, "config", "set", "--url", "http://10.0.0.5:9000", "--keypair", keypair, "--commitment", "finalized");
        Assert.Equal(ExitCodes.Ok, set.ExitCode);
        Assert.Contains("does not exist yet", set.Stderr); // a warning, not a refusal

        Assert.Equal("http://10.0.0.5:9000", CliRunner.RunWithConfig(ConfigPath, "config", "get", "url").Stdout.Trim());
        Assert.Equal(keypair, CliRunner.RunWithConfig(ConfigPath, "config", "get", "keypair").Stdout.Trim());
        Assert.Equal("finalized", CliRunner.RunWithConfig(ConfigPath, "config", "get", "commitment").Stdout.Trim());

        using var json = JsonDocument.Parse(CliRunner.RunWithConfig(ConfigPath, "config", "get", "--json").Stdout);
        Assert.Equal("http://10.0.0.5:9000", json.RootElement.GetProperty("url").GetString());
        Assert.Equal(0, json.RootElement.GetProperty("defaults").GetArrayLength());

        // A second set changes one key and keeps the others.
        Assert.Equal(ExitCodes.Ok, CliRunner.RunWithConfig(ConfigPath, "config", "set", "-u", "localhost").ExitCode);
        Assert.Equal("http://127.0.0.1:8899", CliRunner.RunWithConfig(ConfigPath, "config", "get", "url").Stdout.Trim());
        Assert.Equal("finalized", CliRunner.RunWithConfig(ConfigPath, "config", "get", "commitment").Stdout.Trim());
    }

    [Theory]
    [InlineData("--url", "ftp://host", "is not an http:// or https:// URL")]
    [InlineData("--url", "not a url", "is not an http:// or https:// URL")]
    [InlineData("--commitment", "recent", "recent")]
    public void Set_refuses_a_bad_value_in_one_line_and_writes_nothing(string flag, string value, string expected)
    {
        CliRunner.Outcome outcome = CliRunner.RunWithConfig(ConfigPath, "config", "set", flag, value);
        Assert.Equal(ExitCodes.BadInput, outcome.ExitCode);
        Assert.Contains(expected, outcome.Stderr);
        Assert.Single(outcome.Stderr.Trim().Split('\n'));
        Assert.False(File.Exists(ConfigPath));
    }

    [Fact]
    public void Set_with_nothing_to_set_is_bad_input()
    {
        CliRunner.Outcome outcome = CliRunner.RunWithConfig(ConfigPath, "config", "set");
        Assert.Equal(ExitCodes.BadInput, outcome.ExitCode);
        Assert.Equal("error: nothing to set: give --url, --keypair or --commitment", outcome.Stderr.Trim());
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"url": 5}""")]
    [InlineData("""{"url": "gopher://x"}""")]
    [InlineData("""{"commitment": "max"}""")]
    public void A_damaged_config_file_is_a_one_line_error_naming_the_file_not_a_silent_default(string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(ConfigPath)!);
        File.WriteAllText(ConfigPath, content);
        foreach (string[] args in new[] { ["config", "get"], ["slot"], new[] { "balance", "11111111111111111111111111111111" } })
        {
            CliRunner.Outcome outcome = CliRunner.RunWithConfig(ConfigPath, args);
            Assert.Equal(ExitCodes.BadInput, outcome.ExitCode);
            Assert.StartsWith($"error: the config file {ConfigPath} is damaged", outcome.Stderr);
            Assert.Single(outcome.Stderr.Trim().Split('\n'));
        }
        // Commands that take no client defaults still work.
        Assert.Equal(ExitCodes.Ok, CliRunner.RunWithConfig(ConfigPath, "--version").ExitCode);
    }

    [Fact]
    public void Keys_this_version_does_not_know_are_ignored()
    {
        var config = CliConfig.Parse("""{"url":"http://h:1","websocket_url":"ws://h:2"}"""u8, "cli.json");
        Assert.Equal("http://h:1", config.Url);
    }

    [Fact]
    public void The_default_location_is_under_HOME()
    {
        string? home = Environment.GetEnvironmentVariable("HOME");
        Assert.False(string.IsNullOrEmpty(home));
        Assert.Equal(Path.Combine(home, ".config", "fast", "cli.json"), CliConfig.DefaultPath());
        Assert.Equal(Path.Combine(home, ".config", "fast", "id.json"), CliConfig.DefaultKeypairPath());
    }

    [Fact]
    public async Task Client_commands_use_the_saved_url_and_a_flag_overrides_it()
    {
        FakeRpcBackend backend = new() { ProcessedSlot = 4242 };
        await using RpcServer server = new(new IPEndPoint(IPAddress.Loopback, 0), new JsonRpcProcessor(backend), _ => { }, () => null);
        await server.StartAsync();
        CliRunner.RunWithConfig(ConfigPath, "config", "set", "--url", $"http://{server.LocalEndPoint}", "--commitment", "processed");

        CliRunner.Outcome slot = CliRunner.RunWithConfig(ConfigPath, "slot");
        Assert.Equal(ExitCodes.Ok, slot.ExitCode);
        Assert.Equal("4242", slot.Stdout.Trim()); // the saved commitment (processed) too: the fake's other levels are lower

        CliRunner.Outcome overridden = CliRunner.RunWithConfig(ConfigPath, "slot", "--url", "http://127.0.0.1:1");
        Assert.Equal(ExitCodes.Failure, overridden.ExitCode);
        Assert.Contains("cannot reach the node at http://127.0.0.1:1/", overridden.Stderr);
    }

    [Fact]
    public void Signing_commands_default_to_the_saved_keypair()
    {
        string keypair = Path.Combine(_dir.Path, "payer.json");
        CliRunner.RunWithConfig(ConfigPath, "config", "set", "--keypair", keypair);
        CliRunner.Outcome outcome = CliRunner.RunWithConfig(ConfigPath, "transfer", "--to", "11111111111111111111111111111111", "--amount", "5");
        Assert.NotEqual(ExitCodes.Ok, outcome.ExitCode);
        Assert.Contains(keypair, outcome.Stderr); // it tried the saved keypair (which does not exist)
    }
}
