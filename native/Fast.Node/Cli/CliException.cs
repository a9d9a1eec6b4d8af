namespace Fast.Node.Cli;

/// <summary>
/// A user-facing failure of a command: its message is printed as one line ("error: ...") and the
/// process exits with <see cref="ExitCode"/>. Thrown only from cold command code, caught by <see cref="FastCli"/>.
/// </summary>
public sealed class CliException(string message, int exitCode = ExitCodes.BadInput) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
