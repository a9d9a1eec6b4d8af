using System.Text.Json;
using Fast.Core.Primitives;

namespace Fast.Node.Rpc.PubSub;

/// <summary>The PubSub subscription kinds, each named after its Solana method without "Subscribe".</summary>
public enum SubscriptionKind
{
    Slot,
    Root,
    Signature,
    Account,
    Program,
    Logs,
    Block,
}

/// <summary>logsSubscribe's filter.</summary>
public enum LogsFilter
{
    /// <summary>"all": every transaction except votes (Fast has no vote transactions yet: every one).</summary>
    All,

    /// <summary>"allWithVotes".</summary>
    AllWithVotes,

    /// <summary>{"mentions": [pubkey]}: transactions naming the key.</summary>
    Mentions,
}

/// <summary>programSubscribe's filters (Solana's RpcFilterType): data size, or bytes at an offset.</summary>
public sealed record AccountFilter(ulong? DataSize, ulong Offset, byte[]? Bytes)
{
    public bool Matches(AccountSnapshot account)
    {
        if (DataSize is ulong size) return (ulong)account.Data.Length == size;
        if (Bytes is null) return true;
        return Offset <= (ulong)account.Data.Length && (ulong)account.Data.Length - Offset >= (ulong)Bytes.Length
            && account.Data.AsSpan((int)Offset, Bytes.Length).SequenceEqual(Bytes);
    }
}

/// <summary>
/// One subscribe call, parsed and checked on the connection's task before it goes to the PubSub
/// thread: which kind, at which commitment (Solana's default: finalized), and the kind's
/// parameters. <see cref="TryParse"/> turns every wrong shape into Solana's invalid-params error.
/// </summary>
public sealed class SubscriptionSpec
{
    public required SubscriptionKind Kind { get; init; }
    public Commitment Commitment { get; init; } = Commitment.Finalized;
    public Signature Signature { get; init; }

    /// <summary>signatureSubscribe's enableReceivedNotification: also say "receivedSignature" once the node has the transaction (here: once it executed it), before the commitment.</summary>
    public bool EnableReceived { get; init; }

    /// <summary>The account (account), the program (program), the mentioned key (logs, block).</summary>
    public Pubkey Key { get; init; }

    /// <summary>Account data encoding for account and program notifications: base64, base58, base64+zstd is refused, jsonParsed falls back to base64 (Solana's answer for an account it cannot parse).</summary>
    public string Encoding { get; init; } = "base64";
    public LogsFilter Logs { get; init; }
    public bool BlockMentions { get; init; }
    public IReadOnlyList<AccountFilter> Filters { get; init; } = [];

    /// <summary>blockSubscribe: the getBlock config the block is written with (normalized JSON; also the key notifications are shared by).</summary>
    public string BlockConfig { get; init; } = "";

    /// <summary>Solana's method names → kinds (subscribe and unsubscribe).</summary>
    public static bool TryKind(string method, out SubscriptionKind kind, out bool unsubscribe)
    {
        unsubscribe = method.EndsWith("Unsubscribe", StringComparison.Ordinal);
        string stem = unsubscribe ? method[..^"Unsubscribe".Length] : method.EndsWith("Subscribe", StringComparison.Ordinal) ? method[..^"Subscribe".Length] : "";
        (bool known, kind) = stem switch
        {
            "slot" => (true, SubscriptionKind.Slot),
            "root" => (true, SubscriptionKind.Root),
            "signature" => (true, SubscriptionKind.Signature),
            "account" => (true, SubscriptionKind.Account),
            "program" => (true, SubscriptionKind.Program),
            "logs" => (true, SubscriptionKind.Logs),
            "block" => (true, SubscriptionKind.Block),
            _ => (false, SubscriptionKind.Slot),
        };
        return known;
    }

    /// <summary>Checks the params of a <paramref name="kind"/> subscribe call.</summary>
    public static RpcError? TryParse(SubscriptionKind kind, RpcParams p, out SubscriptionSpec? spec)
    {
        spec = null;
        RpcError? error;
        switch (kind)
        {
            case SubscriptionKind.Slot or SubscriptionKind.Root:
                error = p.RequireCount(0, 0);
                if (error is null) spec = new SubscriptionSpec { Kind = kind };
                return error;
            case SubscriptionKind.Signature:
            {
                error = First(p.RequireCount(1, 2), p.SignatureAt(0, out Signature signature), Config(p, out JsonElement config, out Commitment commitment));
                if (error is null)
                {
                    spec = new SubscriptionSpec { Kind = kind, Signature = signature, Commitment = commitment, EnableReceived = RpcParams.OptionalBool(config, "enableReceivedNotification") };
                }
                return error;
            }
            case SubscriptionKind.Account:
            {
                error = First(p.RequireCount(1, 2), p.Pubkey(0, out Pubkey key), Config(p, out JsonElement config, out Commitment commitment), AccountEncoding(config, out string encoding));
                if (error is null) spec = new SubscriptionSpec { Kind = kind, Key = key, Commitment = commitment, Encoding = encoding };
                return error;
            }
            case SubscriptionKind.Program:
            {
                error = First(p.RequireCount(1, 2), p.Pubkey(0, out Pubkey program), Config(p, out JsonElement config, out Commitment commitment), AccountEncoding(config, out string encoding),
                    ParseFilters(config, out List<AccountFilter> filters));
                if (error is null) spec = new SubscriptionSpec { Kind = kind, Key = program, Commitment = commitment, Encoding = encoding, Filters = filters };
                return error;
            }
            case SubscriptionKind.Logs:
                return ParseLogs(p, out spec);
            default:
                return ParseBlock(p, out spec);
        }
    }

    /// <summary>The first error of several checks, all of which run (so every out value is assigned).</summary>
    private static RpcError? First(RpcError? a, RpcError? b, RpcError? c = null, RpcError? d = null, RpcError? e = null) => a ?? b ?? c ?? d ?? e;

    private static RpcError? Config(RpcParams p, out JsonElement config, out Commitment commitment)
    {
        commitment = Commitment.Finalized;
        return p.Config(1, out config) ?? RpcParams.Commitment(config, Commitment.Finalized, out commitment);
    }

    private static RpcError? AccountEncoding(JsonElement config, out string encoding)
    {
        encoding = RpcParams.OptionalString(config, "encoding") ?? "base64";
        if (encoding == "jsonParsed") encoding = "base64";
        return encoding is "base64" or "base58" ? null : RpcError.Params("encoding must be base64, base58 or jsonParsed");
    }

    private const int MaxFilters = 4;
    private const int MaxFilterBytes = 128;

    private static RpcError? ParseFilters(JsonElement config, out List<AccountFilter> filters)
    {
        filters = [];
        if (config.ValueKind != JsonValueKind.Object || !config.TryGetProperty("filters", out JsonElement list) || list.ValueKind == JsonValueKind.Null) return null;
        if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() > MaxFilters) return RpcError.Params($"filters must be an array of at most {MaxFilters} filters");
        foreach (JsonElement filter in list.EnumerateArray())
        {
            if (filter.ValueKind != JsonValueKind.Object) return RpcError.Params("a filter must be an object");
            if (filter.TryGetProperty("dataSize", out JsonElement size))
            {
                if (size.ValueKind != JsonValueKind.Number || !size.TryGetUInt64(out ulong dataSize)) return RpcError.Params("dataSize must be a non-negative integer");
                filters.Add(new AccountFilter(dataSize, 0, null));
                continue;
            }
            if (!filter.TryGetProperty("memcmp", out JsonElement memcmp) || memcmp.ValueKind != JsonValueKind.Object
                || !memcmp.TryGetProperty("offset", out JsonElement offset) || !offset.TryGetUInt64(out ulong at)
                || !memcmp.TryGetProperty("bytes", out JsonElement data) || data.ValueKind != JsonValueKind.String)
            {
                return RpcError.Params("a filter is {\"dataSize\": n} or {\"memcmp\": {\"offset\": n, \"bytes\": string}}");
            }
            string text = data.GetString()!;
            string dataEncoding = RpcParams.OptionalString(memcmp, "encoding") ?? "base58";
            byte[]? bytes = null;
            if (text.Length <= 2 * MaxFilterBytes)
            {
                if (dataEncoding == "base64")
                {
                    try
                    {
                        bytes = Convert.FromBase64String(text);
                    }
                    catch (FormatException)
                    {
                        bytes = null;
                    }
                }
                else if (dataEncoding == "base58")
                {
                    byte[] decoded = new byte[text.Length];
                    if (Crypto.Base58.TryDecode(text, decoded, out int written)) bytes = decoded[..written];
                }
            }
            if (bytes is null || bytes.Length > MaxFilterBytes) return RpcError.Params($"memcmp bytes must be base58 or base64 of at most {MaxFilterBytes} bytes");
            filters.Add(new AccountFilter(null, at, bytes));
        }
        return null;
    }

    private static RpcError? ParseLogs(RpcParams p, out SubscriptionSpec? spec)
    {
        spec = null;
        RpcError? error = First(p.RequireCount(1, 2), Config(p, out _, out Commitment commitment));
        if (error is not null) return error;
        JsonElement filter = p[0];
        if (filter.ValueKind == JsonValueKind.String)
        {
            string? name = filter.GetString();
            if (name is not ("all" or "allWithVotes")) return RpcError.Params("the logs filter must be \"all\", \"allWithVotes\" or {\"mentions\": [pubkey]}");
            spec = new SubscriptionSpec { Kind = SubscriptionKind.Logs, Commitment = commitment, Logs = name == "all" ? LogsFilter.All : LogsFilter.AllWithVotes };
            return null;
        }
        if (filter.ValueKind != JsonValueKind.Object || !filter.TryGetProperty("mentions", out JsonElement mentions) || mentions.ValueKind != JsonValueKind.Array)
        {
            return RpcError.Params("the logs filter must be \"all\", \"allWithVotes\" or {\"mentions\": [pubkey]}");
        }
        // Solana's limit: exactly one key.
        if (mentions.GetArrayLength() != 1) return RpcError.Params("Invalid Request: Only 1 address supported");
        if (mentions[0].ValueKind != JsonValueKind.String || !Pubkey.TryParse(mentions[0].GetString(), out Pubkey key)) return RpcError.Params("Invalid pubkey provided");
        spec = new SubscriptionSpec { Kind = SubscriptionKind.Logs, Commitment = commitment, Logs = LogsFilter.Mentions, Key = key };
        return null;
    }

    private static RpcError? ParseBlock(RpcParams p, out SubscriptionSpec? spec)
    {
        spec = null;
        RpcError? error = First(p.RequireCount(1, 2), Config(p, out JsonElement config, out Commitment commitment));
        if (error is not null) return error;
        if (commitment == Commitment.Processed) return RpcError.BelowConfirmed();
        JsonElement filter = p[0];
        bool mentions = false;
        Pubkey key = default;
        if (filter.ValueKind == JsonValueKind.Object && filter.TryGetProperty("mentionsAccountOrProgram", out JsonElement mentioned))
        {
            if (mentioned.ValueKind != JsonValueKind.String || !Pubkey.TryParse(mentioned.GetString(), out key)) return RpcError.Params("Invalid pubkey provided");
            mentions = true;
        }
        else if (filter.ValueKind != JsonValueKind.String || filter.GetString() != "all")
        {
            return RpcError.Params("the block filter must be \"all\" or {\"mentionsAccountOrProgram\": pubkey}");
        }
        string encoding = RpcParams.OptionalString(config, "encoding") ?? "json";
        string details = RpcParams.OptionalString(config, "transactionDetails") ?? "full";
        if (encoding is not ("json" or "jsonParsed" or "base58" or "base64")) return RpcError.Params("encoding must be json, jsonParsed, base58 or base64");
        if (details is not ("full" or "accounts" or "signatures" or "none")) return RpcError.Params("transactionDetails must be full, accounts, signatures or none");
        bool rewards = true;
        if (config.ValueKind == JsonValueKind.Object && config.TryGetProperty("showRewards", out JsonElement show) && show.ValueKind != JsonValueKind.Null)
        {
            if (show.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) return RpcError.Params("showRewards must be true or false");
            rewards = show.ValueKind == JsonValueKind.True;
        }
        int? version = null;
        if (config.ValueKind == JsonValueKind.Object && config.TryGetProperty("maxSupportedTransactionVersion", out JsonElement v) && v.ValueKind != JsonValueKind.Null)
        {
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int parsed) || parsed < 0) return RpcError.Params("maxSupportedTransactionVersion must be a non-negative integer");
            version = parsed;
        }
        string blockConfig = $"{{\"commitment\":\"{commitment.Name()}\",\"encoding\":\"{encoding}\",\"transactionDetails\":\"{details}\",\"rewards\":{(rewards ? "true" : "false")}"
            + (version is int n ? $",\"maxSupportedTransactionVersion\":{n}}}" : "}");
        spec = new SubscriptionSpec { Kind = SubscriptionKind.Block, Commitment = commitment, BlockMentions = mentions, Key = key, BlockConfig = blockConfig };
        return null;
    }
}
