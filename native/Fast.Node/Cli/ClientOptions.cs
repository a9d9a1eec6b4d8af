using System.CommandLine;

namespace Fast.Node.Cli;

/// <summary>
/// The options every client command shares — <c>--url</c>, <c>--keypair</c>, <c>--commitment</c> —
/// with their defaults taken from the saved <see cref="CliConfig"/> (`fast config set`), so one
/// `fast config set url ...` points every command at a node and a flag still overrides it.
/// </summary>
public static class ClientOptions
{
    public static Option<string> Url(CliIO io) => new("--url", "-u")
    {
        Description = $"The node's JSON-RPC URL (default: the config's url, else {CliConfig.DefaultUrl})",
        DefaultValueFactory = _ => io.Config.EffectiveUrl,
    };

    public static Option<string> Commitment(CliIO io) =>
        new Option<string>("--commitment")
        {
            Description = $"processed, confirmed or finalized (default: the config's commitment, else {CliConfig.DefaultCommitment})",
            DefaultValueFactory = _ => io.Config.EffectiveCommitment,
        }.AcceptOnlyFromAmong(CliConfig.Commitments);

    /// <summary>A keypair-file option defaulting to the config's keypair (else <c>$HOME/.config/fast/id.json</c>).</summary>
    public static Option<string> Keypair(CliIO io, string name, string description, params string[] aliases) => new(name, aliases)
    {
        Description = $"{description} (default: the config's keypair, else ~/.config/fast/id.json)",
        DefaultValueFactory = _ => io.Config.EffectiveKeypair,
    };
}
