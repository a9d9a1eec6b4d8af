namespace Fast.Node.Cli;

/// <summary>
/// Where a command writes (stdout for results, scriptable; stderr for errors and chatter) and
/// where its saved defaults come from (<see cref="CliConfig"/>, read on first use, so a command that
/// needs no default never trips over a damaged config file).
/// </summary>
public sealed class CliIO(TextWriter stdout, TextWriter stderr, string? configPath = null)
{
    private CliConfig? _config;

    public TextWriter Out { get; } = stdout;
    public TextWriter Err { get; } = stderr;

    /// <summary>The config file: <c>$HOME/.config/fast/cli.json</c> unless a caller (a test) names another.</summary>
    public string ConfigPath { get; } = configPath ?? CliConfig.DefaultPath();

    /// <summary>The saved defaults (a one-line <see cref="CliException"/> when the file is damaged).</summary>
    public CliConfig Config => _config ??= CliConfig.Load(ConfigPath);

    public void Error(string message) => Err.WriteLine($"error: {message}");
}
