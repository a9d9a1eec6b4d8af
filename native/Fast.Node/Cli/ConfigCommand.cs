using System.CommandLine;
using System.Text.Json;

namespace Fast.Node.Cli;

/// <summary>
/// `fast config get [KEY]` and `fast config set --url/--keypair/--commitment`: show and save the
/// client defaults in <see cref="CliConfig"/> (like `solana config get|set`). `get` prints every key
/// with "(default)" where nothing is saved, or one key's bare value for scripts; `set` checks each
/// value, writes the file atomically and prints the result.
/// </summary>
public static class ConfigCommand
{
    /// <summary>URL monikers accepted by `config set --url` (Solana's habit: `-u localhost`).</summary>
    private static readonly Dictionary<string, string> Monikers = new(StringComparer.Ordinal)
    {
        ["localhost"] = CliConfig.DefaultUrl,
        ["l"] = CliConfig.DefaultUrl,
    };

    public static Command Build(CliIO io)
    {
        Command config = new("config", $"Show or save the client defaults (url, keypair, commitment) in ~/.config/fast/cli.json");
        config.Subcommands.Add(Get(io));
        config.Subcommands.Add(Set(io));
        return config;
    }

    private static Command Get(CliIO io)
    {
        Argument<string?> key = new("KEY") { Description = "url, keypair or commitment (default: all of them)", Arity = ArgumentArity.ZeroOrOne };
        key.AcceptOnlyFromAmong(CliConfig.Keys);
        Option<bool> json = new("--json") { Description = "Print a JSON object" };
        Command command = new("get", "Print the client defaults (or one of them) and the file they come from") { key, json };
        command.SetAction(parse =>
        {
            CliConfig config = io.Config;
            string? one = parse.GetValue(key);
            if (parse.GetValue(json))
            {
                io.Out.WriteLine(Json(config, io.ConfigPath, one));
            }
            else if (one is not null)
            {
                io.Out.WriteLine(config.Effective(one));
            }
            else
            {
                io.Out.Write(config.Describe(io.ConfigPath));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Set(CliIO io)
    {
        Option<string?> url = new("--url", "-u") { Description = "The node's JSON-RPC URL (http:// or https://; 'localhost' for http://127.0.0.1:8899)" };
        Option<string?> keypair = new("--keypair", "-k") { Description = "The keypair file that signs and pays (stored as an absolute path)" };
        Option<string?> commitment = new Option<string?>("--commitment") { Description = "processed, confirmed or finalized" }.AcceptOnlyFromAmong(CliConfig.Commitments);
        Command command = new("set", "Save client defaults; every client command uses them unless a flag overrides") { url, keypair, commitment };
        command.SetAction(parse =>
        {
            string? newUrl = parse.GetValue(url), newKeypair = parse.GetValue(keypair), newCommitment = parse.GetValue(commitment);
            if (newUrl is null && newKeypair is null && newCommitment is null) throw new CliException("nothing to set: give --url, --keypair or --commitment");
            CliConfig config = io.Config;
            if (newUrl is not null) config = config.With("url", Monikers.GetValueOrDefault(newUrl, newUrl));
            if (newKeypair is not null) config = config.With("keypair", newKeypair);
            if (newCommitment is not null) config = config.With("commitment", newCommitment);
            config.Save(io.ConfigPath);
            if (config.Keypair is string path && newKeypair is not null && !File.Exists(path)) io.Err.WriteLine($"warning: {path} does not exist yet (create it with `fast keygen --outfile {path}`)");
            io.Out.Write(config.Describe(io.ConfigPath));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Json(CliConfig config, string path, string? one)
    {
        using MemoryStream buffer = new();
        using (Utf8JsonWriter w = new(buffer))
        {
            w.WriteStartObject();
            w.WriteString("configFile", path);
            foreach (string key in CliConfig.Keys)
            {
                if (one is not null && key != one) continue;
                w.WriteString(key, config.Effective(key));
            }
            w.WriteStartArray("defaults");
            foreach (string key in CliConfig.Keys)
            {
                if ((one is null || key == one) && config.Get(key) is null) w.WriteStringValue(key);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
