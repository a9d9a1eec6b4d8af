using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;

namespace Fast.Node.Cli;

/// <summary>`fast --version`: prints Fast's own version (not the host's, when run in-process by tests).</summary>
internal sealed class VersionAction(CliIO io) : SynchronousCommandLineAction
{
    public static string Version { get; } =
        typeof(VersionAction).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public override int Invoke(ParseResult parseResult)
    {
        io.Out.WriteLine(Version);
        return ExitCodes.Ok;
    }
}
