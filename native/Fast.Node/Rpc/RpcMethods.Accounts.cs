using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Crypto;

namespace Fast.Node.Rpc;

/// <summary>
/// Account methods: getBalance, getAccountInfo, getMultipleAccounts. Like Solana: at most
/// <see cref="MaxMultipleAccounts"/> keys, an optional <c>dataSlice</c> {offset, length} cutting the
/// data returned (<c>space</c> still says the whole length), and base58 only for up to 128 bytes. The
/// encoded size is checked against the response cap before anything is encoded.
/// </summary>
public sealed partial class RpcMethods
{
    /// <summary>Solana's MAX_MULTIPLE_ACCOUNTS.</summary>
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
        RpcError? error = First(p.RequireCount(1, 2), p.Pubkey(0, out Pubkey address), ConfigAndCommitment(p, 1, out JsonElement config, out Commitment commitment),
            DataEncoding(config, out string encoding), DataSlice(config, out DataSliceConfig? slice));
        if (error is not null) return error;
        AccountSnapshot? account = _backend.Account(address, commitment, out ulong slot);
        error = CheckEncodable([account], encoding, slice);
        if (error is not null) return error;
        w.WriteStartObject();
        WriteContext(w, slot);
        w.WritePropertyName("value");
        WriteAccount(w, account, encoding, slice);
        w.WriteEndObject();
        return null;
    }

    private RpcError? GetMultipleAccounts(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(1, 2), ConfigAndCommitment(p, 1, out JsonElement config, out Commitment commitment),
            DataEncoding(config, out string encoding), DataSlice(config, out DataSliceConfig? slice));
        if (error is not null) return error;
        if (p[0].ValueKind != JsonValueKind.Array) return RpcError.Params("the first parameter must be an array of public keys");
        int count = p[0].GetArrayLength();
        if (count > MaxMultipleAccounts) return RpcError.Params($"Too many inputs provided; max {MaxMultipleAccounts}"); // Solana's wording
        var keys = new Pubkey[count];
        int i = 0;
        foreach (JsonElement key in p[0].EnumerateArray())
        {
            if (key.ValueKind != JsonValueKind.String || !Pubkey.TryParse(key.GetString(), out keys[i++])) return RpcError.Params("every public key must be base58 of 32 bytes");
        }
        IReadOnlyList<AccountSnapshot?> accounts = _backend.Accounts(keys, commitment, out ulong slot);
        error = CheckEncodable(accounts, encoding, slice);
        if (error is not null) return error;
        w.WriteStartObject();
        WriteContext(w, slot);
        w.WriteStartArray("value");
        foreach (AccountSnapshot? account in accounts) WriteAccount(w, account, encoding, slice);
        w.WriteEndArray();
        w.WriteEndObject();
        return null;
    }

    /// <summary>Base58 is quadratic in the input: like Solana, only for data up to 128 bytes.</summary>
    private const int MaxBase58Data = 128;

    /// <summary>Solana's <c>dataSlice</c>: the bytes [offset, offset + length) of the data, clipped to it.</summary>
    private readonly record struct DataSliceConfig(ulong Offset, ulong Length)
    {
        public ReadOnlySpan<byte> Of(byte[] data)
        {
            int start = (int)Math.Min(Offset, (ulong)data.Length);
            int end = (int)Math.Min((ulong)start + Math.Min(Length, (ulong)data.Length), (ulong)data.Length);
            return data.AsSpan(start, end - start);
        }
    }

    private static ReadOnlySpan<byte> Data(AccountSnapshot account, DataSliceConfig? slice) => slice is { } s ? s.Of(account.Data) : account.Data;

    /// <summary>Base58 only for short data; the whole answer's encoded data within the response cap (checked before encoding any of it).</summary>
    private RpcError? CheckEncodable(IReadOnlyList<AccountSnapshot?> accounts, string encoding, DataSliceConfig? slice)
    {
        long encoded = 0;
        foreach (AccountSnapshot? account in accounts)
        {
            if (account is null) continue;
            int length = Data(account, slice).Length;
            if (encoding == "base58" && length > MaxBase58Data) return RpcError.Params($"base58 encoding is limited to {MaxBase58Data} bytes of data; use base64 or a dataSlice");
            encoded += 4L * ((length + 2) / 3) + 256; // base64, plus the object around it
        }
        return encoded > _maxResponseBytes ? RpcError.TooLargeResponse(_maxResponseBytes) : null;
    }

    private static RpcError? DataEncoding(JsonElement config, out string encoding)
    {
        encoding = RpcParams.OptionalString(config, "encoding") ?? "base64";
        return encoding is "base64" or "base58" ? null : RpcError.Params("encoding must be base64 or base58");
    }

    private static RpcError? DataSlice(JsonElement config, out DataSliceConfig? slice)
    {
        slice = null;
        if (config.ValueKind != JsonValueKind.Object || !config.TryGetProperty("dataSlice", out JsonElement value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("offset", out JsonElement offset) || offset.ValueKind != JsonValueKind.Number || !offset.TryGetUInt64(out ulong start)
            || !value.TryGetProperty("length", out JsonElement length) || length.ValueKind != JsonValueKind.Number || !length.TryGetUInt64(out ulong count))
        {
            return RpcError.Params("dataSlice must be {\"offset\": n, \"length\": n} with non-negative integers");
        }
        slice = new DataSliceConfig(start, count);
        return null;
    }

    private static void WriteAccount(Utf8JsonWriter w, AccountSnapshot? account, string encoding, DataSliceConfig? slice)
    {
        if (account is null)
        {
            w.WriteNullValue();
            return;
        }
        ReadOnlySpan<byte> data = Data(account, slice);
        w.WriteStartObject();
        w.WriteNumber("lamports", account.Lamports);
        w.WriteString("owner", account.Owner.ToString());
        w.WriteStartArray("data");
        if (encoding == "base58") w.WriteStringValue(Base58.Encode(data));
        else w.WriteBase64StringValue(data);
        w.WriteStringValue(encoding);
        w.WriteEndArray();
        w.WriteBoolean("executable", account.Executable);
        w.WriteNumber("rentEpoch", 0);
        w.WriteNumber("space", account.Data.Length);
        w.WriteEndObject();
    }
}
