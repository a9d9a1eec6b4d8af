using System.Text;
using System.Text.Json;

namespace Fast.Node.Cli;

/// <summary>
/// The client commands' saved defaults — the node's URL, the keypair that signs and pays, the
/// commitment reads wait for — in <c>$HOME/.config/fast/cli.json</c>, the way `solana config`
/// keeps <c>~/.config/solana/cli/config.yml</c>. `fast config set` writes it; every client command
/// reads it for the defaults of <c>--url</c>, <c>--keypair</c>/<c>--from</c> and <c>--commitment</c>
/// (a flag still wins). A missing file means the built-in defaults; a damaged one is a one-line
/// error naming the file, never a silent fall-back to defaults the operator did not choose.
/// </summary>
public sealed record CliConfig(string? Url, string? Keypair, string? Commitment)
{
    public const string DefaultUrl = "http://127.0.0.1:8899";
    public const string DefaultCommitment = "confirmed";

    /// <summary>The keys `fast config set` accepts, in the order `fast config get` prints them.</summary>
    public static readonly string[] Keys = ["url", "keypair", "commitment"];

    /// <summary>The commitments a client command may ask for.</summary>
    public static readonly string[] Commitments = ["processed", "confirmed", "finalized"];

    /// <summary>A config file larger than this is not one we wrote (three short strings): refused before reading it all.</summary>
    private const long MaxFileBytes = 64 * 1024;

    public static CliConfig Empty { get; } = new(null, null, null);

    /// <summary><c>$HOME/.config/fast/cli.json</c> (the user profile folder when HOME is unset).</summary>
    public static string DefaultPath() => Path.Combine(Home(), ".config", "fast", "cli.json");

    /// <summary>Where a keypair is looked for when neither a flag nor the config names one: <c>$HOME/.config/fast/id.json</c>.</summary>
    public static string DefaultKeypairPath() => Path.Combine(Home(), ".config", "fast", "id.json");

    private static string Home()
    {
        string? home = Environment.GetEnvironmentVariable("HOME");
        return string.IsNullOrEmpty(home) ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) : home;
    }

    /// <summary>The URL a client command uses when --url is not given.</summary>
    public string EffectiveUrl => Url ?? DefaultUrl;

    /// <summary>The keypair file a client command signs with when no flag names one.</summary>
    public string EffectiveKeypair => Keypair ?? DefaultKeypairPath();

    public string EffectiveCommitment => Commitment ?? DefaultCommitment;

    /// <summary>The value of <paramref name="key"/> as saved (null: not set).</summary>
    public string? Get(string key) => key switch
    {
        "url" => Url,
        "keypair" => Keypair,
        "commitment" => Commitment,
        _ => throw new CliException($"unknown config key '{key}': expected one of {string.Join(", ", Keys)}"),
    };

    /// <summary>The value <paramref name="key"/> takes effect with (saved, or the built-in default).</summary>
    public string Effective(string key) => key switch
    {
        "url" => EffectiveUrl,
        "keypair" => EffectiveKeypair,
        "commitment" => EffectiveCommitment,
        _ => throw new CliException($"unknown config key '{key}': expected one of {string.Join(", ", Keys)}"),
    };

    /// <summary>A copy with <paramref name="key"/> set to <paramref name="value"/>, checked (a URL must be http(s), a keypair path is made absolute).</summary>
    public CliConfig With(string key, string value) => key switch
    {
        "url" => this with { Url = CheckUrl(value) ?? throw new CliException($"url '{value}' is not an http:// or https:// URL") },
        "keypair" => this with { Keypair = CheckKeypairPath(value) },
        "commitment" => this with { Commitment = CheckCommitment(value) ?? throw new CliException($"commitment '{value}' must be one of {string.Join(", ", Commitments)}") },
        _ => throw new CliException($"unknown config key '{key}': expected one of {string.Join(", ", Keys)}"),
    };

    /// <summary>Reads the config at <paramref name="path"/>: <see cref="Empty"/> when there is none, a one-line <see cref="CliException"/> when it is damaged.</summary>
    public static CliConfig Load(string path)
    {
        byte[] bytes;
        try
        {
            FileInfo file = new(path);
            if (!file.Exists) return Empty;
            if (file.Length > MaxFileBytes) throw Damaged(path, $"it is {file.Length} bytes, more than a config file holds");
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read the config file {path}: {e.Message}", ExitCodes.Failure);
        }
        return Parse(bytes, path);
    }

    /// <summary>Parses a config file's bytes (<paramref name="path"/> names it in errors).</summary>
    public static CliConfig Parse(ReadOnlySpan<byte> bytes, string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes.ToArray(), new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (JsonException e)
        {
            throw Damaged(path, $"not JSON ({e.Message.Split('.')[0]})");
        }
        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Damaged(path, "expected a JSON object");
            string? url = null, keypair = null, commitment = null;
            foreach (JsonProperty property in root.EnumerateObject())
            {
                // Keys this version does not know are kept out of the way rather than refused: a newer fast may have written them.
                if (Array.IndexOf(Keys, property.Name) < 0) continue;
                if (property.Value.ValueKind == JsonValueKind.Null) continue;
                if (property.Value.ValueKind != JsonValueKind.String) throw Damaged(path, $"'{property.Name}' must be a string");
                string value = property.Value.GetString()!;
                switch (property.Name)
                {
                    case "url":
                        url = CheckUrl(value) ?? throw Damaged(path, $"url '{value}' is not an http:// or https:// URL");
                        break;
                    case "keypair":
                        keypair = value.Length > 0 ? value : throw Damaged(path, "keypair is empty");
                        break;
                    default:
                        commitment = CheckCommitment(value) ?? throw Damaged(path, $"commitment '{value}' must be one of {string.Join(", ", Commitments)}");
                        break;
                }
            }
            return new CliConfig(url, keypair, commitment);
        }
    }

    /// <summary>Writes the config to <paramref name="path"/> atomically (a temporary file renamed over it), creating its folder.</summary>
    public void Save(string path)
    {
        try
        {
            string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (folder is not null) Directory.CreateDirectory(folder);
            string temporary = path + ".tmp";
            File.WriteAllBytes(temporary, ToJson());
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot write the config file {path}: {e.Message}", ExitCodes.Failure);
        }
    }

    /// <summary>The file's bytes: an indented JSON object with the keys that are set.</summary>
    public byte[] ToJson()
    {
        using MemoryStream buffer = new();
        using (Utf8JsonWriter w = new(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            if (Url is not null) w.WriteString("url", Url);
            if (Keypair is not null) w.WriteString("keypair", Keypair);
            if (Commitment is not null) w.WriteString("commitment", Commitment);
            w.WriteEndObject();
        }
        buffer.Write("\n"u8);
        return buffer.ToArray();
    }

    private static string? CheckUrl(string value)
    {
        string trimmed = value.Trim();
        return Uri.TryCreate(trimmed, UriKind.Absolute, out Uri? uri) && (uri.Scheme == "http" || uri.Scheme == "https") ? trimmed : null;
    }

    private static string? CheckCommitment(string value) => Array.IndexOf(Commitments, value) >= 0 ? value : null;

    private static string CheckKeypairPath(string value)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new CliException("keypair must be a file path");
        return Path.GetFullPath(value);
    }

    private static CliException Damaged(string path, string why) =>
        new($"the config file {path} is damaged: {why}; fix it, or delete it and run `fast config set` again", ExitCodes.BadInput);

    /// <summary>One line per key for `fast config get`: the key, its effective value, and "(default)" when it is not saved.</summary>
    public string Describe(string path)
    {
        StringBuilder text = new();
        text.Append("Config File: ").AppendLine(path);
        foreach (string key in Keys)
        {
            text.Append(key).Append(':').Append(' ', 12 - key.Length).Append(Effective(key));
            if (Get(key) is null) text.Append(" (default)");
            text.AppendLine();
        }
        return text.ToString();
    }
}
