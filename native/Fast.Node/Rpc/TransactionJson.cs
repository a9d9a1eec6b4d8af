using System.Text.Json;
using Fast.Core.Transactions;
using Fast.Crypto;

namespace Fast.Node.Rpc;

/// <summary>How getTransaction / getBlock encode a transaction (Solana's UiTransactionEncoding).</summary>
public enum TransactionEncoding
{
    Json,
    JsonParsed,
    Base58,
    Base64,
}

/// <summary>How much of each transaction getBlock returns (Solana's TransactionDetails).</summary>
public enum TransactionDetails
{
    Full,
    Signatures,
    Accounts,
    None,
}

/// <summary>
/// The options of one getTransaction / getBlock answer: the encoding, whether the transaction's
/// <c>version</c> is shown (only when the client sent <c>maxSupportedTransactionVersion</c>, as Solana
/// does) and whether the meta carries <c>rewards</c>.
/// </summary>
public readonly record struct TransactionEncodingOptions(TransactionEncoding Encoding, bool ShowVersion, bool ShowRewards)
{
    /// <summary>Reads <c>encoding</c> and <c>maxSupportedTransactionVersion</c> from a config object (json is the default, as Solana's).</summary>
    public static RpcError? Parse(JsonElement config, bool showRewards, out TransactionEncodingOptions options)
    {
        options = new TransactionEncodingOptions(TransactionEncoding.Json, false, showRewards);
        string? encodingText = null;
        if (config.ValueKind == JsonValueKind.Object && config.TryGetProperty("encoding", out JsonElement e) && e.ValueKind != JsonValueKind.Null)
        {
            if (e.ValueKind != JsonValueKind.String) return RpcError.Params("encoding must be json, jsonParsed, base58 or base64");
            encodingText = e.GetString();
        }
        TransactionEncoding encoding;
        switch (encodingText ?? "json")
        {
            case "json": encoding = TransactionEncoding.Json; break;
            case "jsonParsed": encoding = TransactionEncoding.JsonParsed; break;
            case "base58": encoding = TransactionEncoding.Base58; break;
            case "base64": encoding = TransactionEncoding.Base64; break;
            default: return RpcError.Params("encoding must be json, jsonParsed, base58 or base64");
        }
        bool showVersion = false;
        if (config.ValueKind == JsonValueKind.Object && config.TryGetProperty("maxSupportedTransactionVersion", out JsonElement v) && v.ValueKind != JsonValueKind.Null)
        {
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetByte(out _)) return RpcError.Params("maxSupportedTransactionVersion must be an integer from 0 to 255");
            showVersion = true;
        }
        options = new TransactionEncodingOptions(encoding, showVersion, showRewards);
        return null;
    }
}

/// <summary>
/// Writes a stored transaction and its status meta in Solana's JSON shapes
/// (EncodedTransactionWithStatusMeta): <c>{"transaction": ..., "meta": ..., "version"?}</c>. Fast's
/// transactions are Solana's legacy message format (with 64-byte signatures), so every shape is the
/// legacy one: no <c>addressTableLookups</c>, <c>loadedAddresses</c> empty. Fast has no inner
/// instructions, token balances, rewards or compute metering: those are the empty lists Solana returns
/// for a transaction without them, and <c>computeUnitsConsumed</c> is left out (Solana's client types
/// have it optional). Cold path.
/// </summary>
public static partial class TransactionJson
{
    /// <summary>The object of one transaction with its meta (the element of getBlock's <c>transactions</c>; getTransaction adds slot and blockTime).</summary>
    public static void WriteWithMeta(Utf8JsonWriter w, TransactionRecord record, TransactionEncodingOptions options)
    {
        w.WritePropertyName("transaction");
        bool parsed = TransactionView.TryParse(record.Bytes, out TransactionView tx).IsOk;
        switch (options.Encoding)
        {
            case TransactionEncoding.Base58 or TransactionEncoding.Base64:
                w.WriteStartArray();
                if (options.Encoding == TransactionEncoding.Base58) w.WriteStringValue(Base58.Encode(record.Bytes));
                else w.WriteBase64StringValue(record.Bytes);
                w.WriteStringValue(options.Encoding == TransactionEncoding.Base58 ? "base58" : "base64");
                w.WriteEndArray();
                break;
            case TransactionEncoding.JsonParsed when parsed:
                WriteParsedTransaction(w, tx);
                break;
            case TransactionEncoding.Json when parsed:
                WriteRawTransaction(w, tx);
                break;
            default:
                w.WriteNullValue(); // stored bytes that do not parse: never written by this node
                break;
        }
        w.WritePropertyName("meta");
        WriteMeta(w, record, parsed ? tx : default, parsed, options);
        if (options.ShowVersion) w.WriteString("version", "legacy");
    }

    /// <summary>getBlock with <c>transactionDetails: "accounts"</c>: signatures and annotated account keys, and the meta without logs.</summary>
    public static void WriteAccountsOnly(Utf8JsonWriter w, TransactionRecord record, TransactionEncodingOptions options)
    {
        w.WriteStartObject("transaction");
        if (TransactionView.TryParse(record.Bytes, out TransactionView tx).IsOk)
        {
            WriteSignatures(w, tx);
            WriteAnnotatedKeys(w, tx);
        }
        w.WriteEndObject();
        w.WriteStartObject("meta");
        TransactionErrorJson.WriteErrAndStatus(w, record.Outcome);
        w.WriteNumber("fee", record.Fee);
        WriteBalances(w, record);
        WriteEmptyArray(w, "preTokenBalances");
        WriteEmptyArray(w, "postTokenBalances");
        if (options.ShowRewards) WriteEmptyArray(w, "rewards");
        w.WriteEndObject();
        if (options.ShowVersion) w.WriteString("version", "legacy");
    }

    /// <summary>The first signature of stored transaction bytes (getBlock <c>signatures</c>), or null when they do not parse.</summary>
    public static string? FirstSignature(byte[] bytes) =>
        TransactionView.TryParse(bytes, out TransactionView tx).IsOk ? tx.FirstSignature.ToString() : null;

    private static void WriteMeta(Utf8JsonWriter w, TransactionRecord record, TransactionView tx, bool parsed, TransactionEncodingOptions options)
    {
        w.WriteStartObject();
        TransactionErrorJson.WriteErrAndStatus(w, record.Outcome);
        w.WriteNumber("fee", record.Fee);
        WriteBalances(w, record);
        WriteEmptyArray(w, "innerInstructions");
        w.WriteStartArray("logMessages");
        if (parsed) WriteLogMessages(w, tx, record.Outcome);
        w.WriteEndArray();
        WriteEmptyArray(w, "preTokenBalances");
        WriteEmptyArray(w, "postTokenBalances");
        if (options.ShowRewards) WriteEmptyArray(w, "rewards");
        if (options.Encoding != TransactionEncoding.JsonParsed)
        {
            // jsonParsed marks each key's source in accountKeys instead (Solana skips loadedAddresses there).
            w.WriteStartObject("loadedAddresses");
            WriteEmptyArray(w, "writable");
            WriteEmptyArray(w, "readonly");
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    /// <summary>The runtime's log lines: each executed instruction's invoke, then success or failure; none for a transaction that was not executed.</summary>
    internal static void WriteLogMessages(Utf8JsonWriter w, TransactionView tx, TransactionOutcome outcome)
    {
        if (!TransactionErrorJson.Executed(outcome)) return;
        int failed = TransactionErrorJson.FailedInstruction(outcome);
        int index = 0;
        foreach (InstructionView ix in tx.Instructions)
        {
            string program = tx.GetAccountKey(ix.ProgramIdIndex).ToString();
            w.WriteStringValue($"Program {program} invoke [1]");
            if (index == failed)
            {
                w.WriteStringValue($"Program {program} failed: {TransactionErrorJson.FailureMessage(outcome.Error)}");
                return;
            }
            w.WriteStringValue($"Program {program} success");
            index++;
        }
    }

    private static void WriteBalances(Utf8JsonWriter w, TransactionRecord record)
    {
        w.WriteStartArray("preBalances");
        foreach (ulong b in record.PreBalances) w.WriteNumberValue(b);
        w.WriteEndArray();
        w.WriteStartArray("postBalances");
        foreach (ulong b in record.PostBalances) w.WriteNumberValue(b);
        w.WriteEndArray();
    }

    private static void WriteEmptyArray(Utf8JsonWriter w, string name)
    {
        w.WriteStartArray(name);
        w.WriteEndArray();
    }

    private static void WriteSignatures(Utf8JsonWriter w, TransactionView tx)
    {
        w.WriteStartArray("signatures");
        for (int i = 0; i < tx.SignatureCount; i++) w.WriteStringValue(Base58.Encode(tx.GetSignatureBytes(i)));
        w.WriteEndArray();
    }

    /// <summary>Solana's "json" encoding (UiRawMessage): header, base58 keys, compiled instructions with base58 data.</summary>
    private static void WriteRawTransaction(Utf8JsonWriter w, TransactionView tx)
    {
        w.WriteStartObject();
        WriteSignatures(w, tx);
        w.WriteStartObject("message");
        w.WriteStartObject("header");
        w.WriteNumber("numRequiredSignatures", tx.RequiredSignatures);
        w.WriteNumber("numReadonlySignedAccounts", tx.ReadonlySignedCount);
        w.WriteNumber("numReadonlyUnsignedAccounts", tx.ReadonlyUnsignedCount);
        w.WriteEndObject();
        w.WriteStartArray("accountKeys");
        for (int i = 0; i < tx.AccountKeyCount; i++) w.WriteStringValue(tx.GetAccountKey(i).ToString());
        w.WriteEndArray();
        w.WriteString("recentBlockhash", tx.RecentBlockhash.ToString());
        w.WriteStartArray("instructions");
        foreach (InstructionView ix in tx.Instructions)
        {
            w.WriteStartObject();
            w.WriteNumber("programIdIndex", ix.ProgramIdIndex);
            w.WriteStartArray("accounts");
            foreach (byte a in ix.AccountIndexes) w.WriteNumberValue(a);
            w.WriteEndArray();
            w.WriteString("data", Base58.Encode(ix.Data));
            w.WriteNull("stackHeight");
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>accountKeys as jsonParsed writes them: <c>{pubkey, writable, signer, source}</c>.</summary>
    private static void WriteAnnotatedKeys(Utf8JsonWriter w, TransactionView tx)
    {
        w.WriteStartArray("accountKeys");
        for (int i = 0; i < tx.AccountKeyCount; i++)
        {
            w.WriteStartObject();
            w.WriteString("pubkey", tx.GetAccountKey(i).ToString());
            w.WriteBoolean("writable", tx.IsWritable(i));
            w.WriteBoolean("signer", tx.IsSigner(i));
            w.WriteString("source", "transaction");
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
