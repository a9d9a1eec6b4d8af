using Fast.Node.Cli;

namespace Fast.Node.Tests.Cli;

/// <summary>
/// Runs one `fast` command in-process and captures what it printed. Client defaults come from a
/// config file the test names, or from none at all (a path that does not exist), so a developer's
/// own ~/.config/fast/cli.json never changes a test's outcome.
/// </summary>
internal static class CliRunner
{
    internal sealed record Outcome(int ExitCode, string Stdout, string Stderr);

    /// <summary>A config path that never exists: the built-in defaults.</summary>
    private static readonly string NoConfig = Path.Combine(Path.GetTempPath(), "fast-tests-no-config-" + Guid.NewGuid().ToString("N"), "cli.json");

    internal static Outcome Run(params string[] args) => RunWithConfig(NoConfig, args);

    internal static Outcome RunWithConfig(string configPath, params string[] args)
    {
        using StringWriter stdout = new();
        using StringWriter stderr = new();
        int code = FastCli.Run(args, stdout, stderr, configPath);
        return new Outcome(code, stdout.ToString(), stderr.ToString());
    }
}
