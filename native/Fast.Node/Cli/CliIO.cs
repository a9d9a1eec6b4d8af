namespace Fast.Node.Cli;

/// <summary>Where a command writes: stdout for results (scriptable), stderr for errors and chatter.</summary>
public sealed class CliIO(TextWriter stdout, TextWriter stderr)
{
    public TextWriter Out { get; } = stdout;
    public TextWriter Err { get; } = stderr;

    public void Error(string message) => Err.WriteLine($"error: {message}");
}
