using System.Text.Json;

namespace Fast.Node.Rpc;

/// <summary>
/// getLargestAccounts: the 20 accounts with the most lamports, in Solana's shape
/// <c>{context: {slot}, value: [{address, lamports}]}</c>, from the backend's
/// <see cref="LargestAccountsCache"/> (a background scan of the rooted accounts, at most one per
/// refresh interval; the context slot is the root the scan read, so the answer may be up to one
/// interval old — Agave's is up to two hours). <c>filter</c>: <c>circulating</c> is every account,
/// and <c>nonCirculating</c> is empty, since Fast locks no supply (as getSupply says).
/// </summary>
public sealed partial class RpcMethods
{
    /// <summary>How long the first request waits for the first scan before it is told to retry.</summary>
    private static readonly TimeSpan LargestAccountsFirstWait = TimeSpan.FromSeconds(2);

    /// <summary>Ours: the first scan has not finished (or failed); the request may be retried.</summary>
    public const int LargestAccountsNotReady = -32021;

    /// <summary><c>getLargestAccounts({commitment, filter})</c>.</summary>
    private RpcError? GetLargestAccounts(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(0, 1), ConfigAndCommitment(p, 0, out JsonElement config, out _), LargestAccountsFilter(config, out bool nonCirculating));
        if (error is not null) return error;
        if (_backend.LargestAccounts is not LargestAccountsCache cache) return new RpcError(RpcError.MethodNotFound, "Method not found: this node keeps no largest-accounts ranking");
        LargestAccountsSnapshot? snapshot = cache.Get(LargestAccountsFirstWait);
        if (snapshot is null)
        {
            string why = cache.LastError is string e ? $"the last scan of the accounts failed ({e})" : "the first scan of the accounts is still running";
            return new RpcError(LargestAccountsNotReady, $"Largest accounts not available yet: {why}; retry in a few seconds");
        }
        w.WriteStartObject();
        WriteContext(w, snapshot.Slot);
        w.WriteStartArray("value");
        if (!nonCirculating)
        {
            foreach (LargestAccount account in snapshot.Accounts)
            {
                w.WriteStartObject();
                w.WriteString("address", account.Address.ToString());
                w.WriteNumber("lamports", account.Lamports);
                w.WriteEndObject();
            }
        }
        w.WriteEndArray();
        w.WriteEndObject();
        return null;
    }

    /// <summary>Solana's <c>filter</c>: absent, <c>circulating</c> or <c>nonCirculating</c> (serde's wording for anything else).</summary>
    private static RpcError? LargestAccountsFilter(JsonElement config, out bool nonCirculating)
    {
        nonCirculating = false;
        if (config.ValueKind != JsonValueKind.Object || !config.TryGetProperty("filter", out JsonElement filter) || filter.ValueKind == JsonValueKind.Null) return null;
        string? text = filter.ValueKind == JsonValueKind.String ? filter.GetString() : null;
        switch (text)
        {
            case "circulating":
                return null;
            case "nonCirculating":
                nonCirculating = true;
                return null;
            default:
                return RpcError.Params($"Invalid params: unknown variant `{(text ?? filter.GetRawText())}`, expected `circulating` or `nonCirculating`.");
        }
    }
}
