using System.Globalization;
using System.Text;
using System.Text.Json;
using Fast.Core.Primitives;

namespace Fast.Node.Cli;

/// <summary>An account as `fast account` shows it, read from getAccountInfo's base64 answer.</summary>
public sealed record AccountView(ulong Lamports, string Owner, bool Executable, ulong Space, byte[] Data);

/// <summary>
/// The text side of the inspect commands (<see cref="InspectCommands"/>, <see cref="AirdropCommand"/>):
/// parsing their arguments into one-line errors, and turning the node's Solana-shaped JSON into the
/// lines an operator reads. Pure functions over strings and JsonElements, so tests check them
/// without a node; a node answer missing a field it must have is a one-line error, not a crash.
/// </summary>
public static class ChainText
{
    /// <summary>`fast account` shows this much data as a hex dump; --json carries all of it.</summary>
    public const int MaxDumpBytes = 256;

    public static ulong ParseSlot(string text) =>
        ulong.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out ulong slot)
            ? slot
            : throw new CliException($"SLOT '{Shorten(text)}' is not a slot number (a whole number from 0)");

    public static Signature ParseSignature(string text) =>
        Signature.TryParse(text.Trim(), out Signature signature)
            ? signature
            : throw new CliException($"SIGNATURE '{Shorten(text)}' is not base58 of 64 bytes");

    /// <summary>A positive whole number of lamports.</summary>
    public static ulong ParseLamports(string text) =>
        ulong.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out ulong lamports) && lamports > 0
            ? lamports
            : throw new CliException($"AMOUNT '{Shorten(text)}' must be a whole number of lamports, at least 1");

    /// <summary>getAccountInfo's result (base64 encoding): the account, or null when it does not exist.</summary>
    public static AccountView? ReadAccount(JsonElement result, out ulong contextSlot)
    {
        contextSlot = 0;
        if (result.ValueKind != JsonValueKind.Object || !result.TryGetProperty("value", out JsonElement value)) throw Malformed("getAccountInfo", "no value");
        if (result.TryGetProperty("context", out JsonElement context) && context.TryGetProperty("slot", out JsonElement slot) && slot.TryGetUInt64(out ulong s)) contextSlot = s;
        if (value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("lamports", out JsonElement lamports) || !lamports.TryGetUInt64(out ulong l)
            || !value.TryGetProperty("owner", out JsonElement owner) || owner.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("executable", out JsonElement executable) || executable.ValueKind is not (JsonValueKind.True or JsonValueKind.False)
            || !value.TryGetProperty("data", out JsonElement data) || data.ValueKind != JsonValueKind.Array || data.GetArrayLength() != 2
            || data[0].ValueKind != JsonValueKind.String || data[1].GetString() != "base64")
        {
            throw Malformed("getAccountInfo", "an account without lamports, owner, executable or base64 data");
        }
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(data[0].GetString()!);
        }
        catch (FormatException)
        {
            throw Malformed("getAccountInfo", "data that is not base64");
        }
        ulong space = value.TryGetProperty("space", out JsonElement sp) && sp.TryGetUInt64(out ulong n) ? n : (ulong)bytes.Length;
        return new AccountView(l, owner.GetString()!, executable.GetBoolean(), space, bytes);
    }

    public static string AccountText(in Pubkey address, AccountView account)
    {
        StringBuilder text = new();
        text.Append("Public Key: ").AppendLine(address.ToString());
        text.Append("Balance:    ").Append(account.Lamports.ToString(CultureInfo.InvariantCulture)).AppendLine(" lamports");
        text.Append("Owner:      ").AppendLine(account.Owner);
        text.Append("Executable: ").AppendLine(account.Executable ? "true" : "false");
        text.Append("Length:     ").Append(account.Space.ToString(CultureInfo.InvariantCulture)).Append(" (0x").Append(account.Space.ToString("x", CultureInfo.InvariantCulture)).AppendLine(") bytes");
        AppendHexDump(text, account.Data, MaxDumpBytes);
        return text.ToString();
    }

    public static string AccountJson(in Pubkey address, AccountView account, ulong contextSlot)
    {
        using MemoryStream buffer = new();
        using (Utf8JsonWriter w = new(buffer))
        {
            w.WriteStartObject();
            w.WriteString("pubkey", address.ToString());
            w.WriteNumber("lamports", account.Lamports);
            w.WriteString("owner", account.Owner);
            w.WriteBoolean("executable", account.Executable);
            w.WriteNumber("space", account.Space);
            w.WriteString("data", Convert.ToBase64String(account.Data));
            w.WriteNumber("contextSlot", contextSlot);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Rows of 16 bytes: offset, hex, printable ASCII; at most <paramref name="maxBytes"/> shown, the rest counted.</summary>
    public static void AppendHexDump(StringBuilder text, ReadOnlySpan<byte> data, int maxBytes)
    {
        int shown = Math.Min(data.Length, maxBytes);
        for (int row = 0; row < shown; row += 16)
        {
            text.Append(row.ToString("x4", CultureInfo.InvariantCulture)).Append(':');
            int end = Math.Min(row + 16, shown);
            for (int i = row; i < row + 16; i++)
            {
                text.Append(i < end ? " " + data[i].ToString("x2", CultureInfo.InvariantCulture) : "   ");
            }
            text.Append("   ");
            for (int i = row; i < end; i++) text.Append(data[i] is >= 0x20 and < 0x7f ? (char)data[i] : '.');
            text.AppendLine();
        }
        if (data.Length > shown) text.Append("... ").Append((data.Length - shown).ToString(CultureInfo.InvariantCulture)).AppendLine(" more bytes (--json has them all)");
    }

    /// <summary>getBlock's result (encoding json, full details) as text: the header, then one line per transaction.</summary>
    public static string BlockText(ulong slot, JsonElement block)
    {
        StringBuilder text = new();
        text.Append("Slot:               ").AppendLine(slot.ToString(CultureInfo.InvariantCulture));
        text.Append("Parent Slot:        ").AppendLine(Number(block, "parentSlot", "getBlock"));
        text.Append("Blockhash:          ").AppendLine(String(block, "blockhash", "getBlock"));
        text.Append("Previous Blockhash: ").AppendLine(String(block, "previousBlockhash", "getBlock"));
        text.Append("Block Time:         ").AppendLine(block.TryGetProperty("blockTime", out JsonElement time) && time.TryGetInt64(out long seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) + $" ({seconds})"
            : "unknown");
        text.Append("Block Height:       ").AppendLine(block.TryGetProperty("blockHeight", out JsonElement height) && height.ValueKind == JsonValueKind.Number ? height.GetRawText() : "unknown");
        JsonElement transactions = block.TryGetProperty("transactions", out JsonElement t) && t.ValueKind == JsonValueKind.Array ? t : default;
        int count = transactions.ValueKind == JsonValueKind.Array ? transactions.GetArrayLength() : 0;
        text.Append("Transactions:       ").AppendLine(count.ToString(CultureInfo.InvariantCulture));
        ulong fees = 0;
        int failed = 0;
        for (int i = 0; i < count; i++)
        {
            JsonElement tx = transactions[i];
            string signature = tx.TryGetProperty("transaction", out JsonElement body) && body.TryGetProperty("signatures", out JsonElement sigs)
                && sigs.ValueKind == JsonValueKind.Array && sigs.GetArrayLength() > 0 ? sigs[0].GetString() ?? "?" : "?";
            JsonElement meta = tx.TryGetProperty("meta", out JsonElement m) ? m : default;
            ulong fee = meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty("fee", out JsonElement f) && f.TryGetUInt64(out ulong v) ? v : 0;
            string outcome = meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty("err", out JsonElement err) && err.ValueKind != JsonValueKind.Null
                ? "failed: " + err.GetRawText()
                : "ok";
            if (outcome != "ok") failed++;
            fees += fee;
            text.Append("  ").Append(i.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(signature)
                .Append("  fee ").Append(fee.ToString(CultureInfo.InvariantCulture)).Append("  ").AppendLine(outcome);
        }
        text.Append("Fees:               ").Append(fees.ToString(CultureInfo.InvariantCulture)).Append(" lamports; ")
            .Append(failed.ToString(CultureInfo.InvariantCulture)).AppendLine(" failed");
        return text.ToString();
    }

    /// <summary>getSignatureStatuses' first status (an object, or a JSON null when the node has none).</summary>
    public static JsonElement FirstStatus(JsonElement result)
    {
        if (result.ValueKind != JsonValueKind.Object || !result.TryGetProperty("value", out JsonElement value) || value.ValueKind != JsonValueKind.Array || value.GetArrayLength() < 1)
        {
            throw Malformed("getSignatureStatuses", "no value array");
        }
        return value[0];
    }

    /// <summary>One status as text: Status (ok / failed: err), Slot, Commitment, Confirmations ("max (rooted)" once finalized).</summary>
    public static string StatusText(JsonElement status)
    {
        StringBuilder text = new();
        bool failed = status.TryGetProperty("err", out JsonElement err) && err.ValueKind != JsonValueKind.Null;
        text.Append("Status:        ").AppendLine(failed ? "failed" : "ok");
        if (failed) text.Append("Error:         ").AppendLine(err.GetRawText());
        text.Append("Slot:          ").AppendLine(Number(status, "slot", "getSignatureStatuses"));
        string level = status.TryGetProperty("confirmationStatus", out JsonElement c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "processed";
        text.Append("Commitment:    ").AppendLine(level);
        text.Append("Confirmations: ").AppendLine(status.TryGetProperty("confirmations", out JsonElement n) && n.ValueKind == JsonValueKind.Number
            ? n.GetRawText()
            : "max (rooted)");
        return text.ToString();
    }

    private static string Number(JsonElement o, string name, string method) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number ? v.GetRawText() : throw Malformed(method, $"no {name}");

    private static string String(JsonElement o, string name, string method) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Malformed(method, $"no {name}");

    private static CliException Malformed(string method, string what) => new($"{method}: the node's answer is malformed ({what})", ExitCodes.Failure);

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}
