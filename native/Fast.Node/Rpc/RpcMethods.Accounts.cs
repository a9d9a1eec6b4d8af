using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Crypto;

namespace Fast.Node.Rpc;

/// <summary>Account methods: getBalance, getAccountInfo, getMultipleAccounts.</summary>
public sealed partial class RpcMethods
{
    public const int MaxMultipleAccounts = 100;

    private RpcError? GetBalance(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(1, 2), p.Pubkey(0, out Pubkey address), ConfigAndCommitment(p, 1, out _, out Commitment commitment));
        if (error is not null) return error;
        AccountSnapshot? account = _backend.Account(address, commitment, out ulong slot);
        w.WriteStartObject();
        WriteContext(w, slot);
        w.WriteNumber("value", account?.Lamports ?? 0);
        w.WriteEndObject();
        return null;
    }

    private RpcError? GetAccountInfo(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(1, 2), p.Pubkey(0, out Pubkey address), ConfigAndCommitment(p, 1, out JsonElement config, out Commitment commitment), DataEncoding(config, out string encoding));
        if (error is not null) return error;
        AccountSnapshot? account = _backend.Account(address, commitment, out ulong slot);
        if (!FitsEncoding(account, encoding)) return Base58TooLong();
        w.WriteStartObject();
        WriteContext(w, slot);
        w.WritePropertyName("value");
        WriteAccount(w, account, encoding);
        w.WriteEndObject();
        return null;
    }

    private RpcError? GetMultipleAccounts(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(1, 2), ConfigAndCommitment(p, 1, out JsonElement config, out Commitment commitment), DataEncoding(config, out string encoding));
        if (error is not null) return error;
        if (p[0].ValueKind != JsonValueKind.Array) return RpcError.Params("the first parameter must be an array of public keys");
        int count = p[0].GetArrayLength();
        if (count > MaxMultipleAccounts) return RpcError.Params($"at most {MaxMultipleAccounts} public keys");
        var keys = new Pubkey[count];
        int i = 0;
        foreach (JsonElement key in p[0].EnumerateArray())
        {
            if (key.ValueKind != JsonValueKind.String || !Pubkey.TryParse(key.GetString(), out keys[i++])) return RpcError.Params("every public key must be base58 of 32 bytes");
        }
        IReadOnlyList<AccountSnapshot?> accounts = _backend.Accounts(keys, commitment, out ulong slot);
        foreach (AccountSnapshot? account in accounts)
        {
            if (!FitsEncoding(account, encoding)) return Base58TooLong();
        }
        w.WriteStartObject();
        WriteContext(w, slot);
        w.WriteStartArray("value");
        foreach (AccountSnapshot? account in accounts) WriteAccount(w, account, encoding);
        w.WriteEndArray();
        w.WriteEndObject();
        return null;
    }

    /// <summary>Base58 is quadratic in the input: like Solana, only for data up to 128 bytes.</summary>
    private const int MaxBase58Data = 128;

    private static bool FitsEncoding(AccountSnapshot? account, string encoding) => encoding != "base58" || account is null || account.Data.Length <= MaxBase58Data;

    private static RpcError Base58TooLong() => RpcError.Params($"base58 encoding is limited to {MaxBase58Data} bytes of data; use base64");

    private static RpcError? DataEncoding(JsonElement config, out string encoding)
    {
        encoding = RpcParams.OptionalString(config, "encoding") ?? "base64";
        return encoding is "base64" or "base58" ? null : RpcError.Params("encoding must be base64 or base58");
    }

    private static void WriteAccount(Utf8JsonWriter w, AccountSnapshot? account, string encoding)
    {
        if (account is null)
        {
            w.WriteNullValue();
            return;
        }
        w.WriteStartObject();
        w.WriteNumber("lamports", account.Lamports);
        w.WriteString("owner", account.Owner.ToString());
        w.WriteStartArray("data");
        w.WriteStringValue(encoding == "base58" ? Base58.Encode(account.Data) : Convert.ToBase64String(account.Data));
        w.WriteStringValue(encoding);
        w.WriteEndArray();
        w.WriteBoolean("executable", account.Executable);
        w.WriteNumber("rentEpoch", 0);
        w.WriteNumber("space", account.Data.Length);
        w.WriteEndObject();
    }
}
