using Fast.Node.Cli;

namespace Fast.Node.Tests.Cli;

/// <summary>Runs one `fast` command in-process and captures what it printed.</summary>
internal static class CliRunner
{
    internal sealed record Outcome(int ExitCode, string Stdout, string Stderr);

    internal static Outcome Run(params string[] args)
    {
        using StringWriter stdout = new();
        using StringWriter stderr = new();
        int code = FastCli.Run(args, stdout, stderr);
        return new Outcome(code, stdout.ToString(), stderr.ToString());
    }
}
