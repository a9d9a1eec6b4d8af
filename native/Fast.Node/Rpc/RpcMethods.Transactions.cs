using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;

namespace Fast.Node.Rpc;

/// <summary>Transaction methods: sendTransaction, getSignatureStatuses, getTransaction, getTransactionProof.</summary>
public sealed partial class RpcMethods
{
    public const int MaxSignatureStatuses = 256;

    /// <summary>The longest text a 1,232-byte transaction can encode to (base58 is the longer, ~1.37×).</summary>
    private const int MaxEncodedTransaction = 1700;

    private RpcError? SendTransaction(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(1, 2), p.String(0, "the transaction", out string encoded), p.Config(1, out JsonElement config));
        if (error is not null) return error;
        // Solana's default for sendTransaction is base58.
        string encoding = RpcParams.OptionalString(config, "encoding") ?? "base58";
        if (encoding is not ("base58" or "base64")) return RpcError.Params("encoding must be base58 or base64");
        if (encoded.Length > MaxEncodedTransaction) return RpcError.Params($"transaction too large: over {TransactionLimits.MaxTransactionSize} bytes");

        byte[] bytes = new byte[TransactionLimits.MaxTransactionSize + 64];
        int length;
        if (encoding == "base64")
        {
            if (!Convert.TryFromBase64String(encoded, bytes, out length)) return RpcError.Params("failed to decode transaction: invalid base64");
        }
        else if (!Base58.TryDecode(encoded, bytes, out length))
        {
            return RpcError.Params("failed to decode transaction: invalid base58");
        }

        SubmitOutcome outcome = _backend.Submit(bytes.AsSpan(0, length), out Signature signature, out string? detail);
        switch (outcome)
        {
            case SubmitOutcome.Accepted:
                w.WriteStringValue(signature.ToString());
                return null;
            case SubmitOutcome.Malformed:
                return RpcError.Params($"failed to deserialize transaction: {detail}");
            case SubmitOutcome.InvalidSignature:
                return new RpcError(RpcError.TransactionSignatureVerificationFailure, "Transaction signature verification failure");
            default:
                return new RpcError(RpcError.TransactionRejected, $"Transaction rejected: {detail ?? "the node is overloaded, retry"}");
        }
    }

    private RpcError? GetSignatureStatuses(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(1, 2), p.Config(1, out JsonElement config));
        if (error is not null) return error;
        if (p[0].ValueKind != JsonValueKind.Array) return RpcError.Params("the first parameter must be an array of signatures");
        int count = p[0].GetArrayLength();
        if (count > MaxSignatureStatuses) return RpcError.Params($"too many signatures: at most {MaxSignatureStatuses}");
        var signatures = new Signature[count];
        int i = 0;
        foreach (JsonElement s in p[0].EnumerateArray())
        {
            error = RpcParams.ParseSignature(s, out signatures[i++]);
            if (error is not null) return error;
        }
        bool searchHistory = RpcParams.OptionalBool(config, "searchTransactionHistory");

        w.WriteStartObject();
        WriteContext(w, _backend.Slot(Commitment.Processed));
        w.WriteStartArray("value");
        foreach (Signature signature in signatures)
        {
            SignatureStatus? status = _backend.Status(signature, searchHistory);
            if (status is null)
            {
                w.WriteNullValue();
                continue;
            }
            w.WriteStartObject();
            w.WriteNumber("slot", status.Slot);
            if (status.Confirmations is ulong confirmations) w.WriteNumber("confirmations", confirmations);
            else w.WriteNull("confirmations");
            WriteTransactionError(w, status.Error);
            w.WriteStartObject("status");
            if (status.Error is null) w.WriteNull("Ok");
            else w.WriteString("Err", status.Error);
            w.WriteEndObject();
            w.WriteString("confirmationStatus", status.Level.Name());
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        return null;
    }

    private RpcError? GetTransaction(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(1, 2), p.SignatureAt(0, out Signature signature), ConfigAndCommitment(p, 1, out JsonElement config, out Commitment commitment));
        if (error is not null) return error;
        if (commitment == Commitment.Processed) return RpcError.Params("getTransaction supports confirmed and finalized commitment");
        string encoding = RpcParams.OptionalString(config, "encoding") ?? "base64";
        if (encoding is not ("base64" or "base58" or "json")) return RpcError.Params("encoding must be base64, base58 or json");

        TransactionRecord? record = _backend.Transaction(signature, commitment);
        if (record is null)
        {
            w.WriteNullValue();
            return null;
        }
        WriteTransactionRecord(w, record, encoding, includeSlot: true);
        return null;
    }

    private RpcError? GetTransactionProof(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(1, 2), p.SignatureAt(0, out Signature signature), ConfigAndCommitment(p, 1, out _, out Commitment commitment));
        if (error is not null) return error;
        if (commitment == Commitment.Processed) return RpcError.Params("getTransactionProof supports confirmed and finalized commitment");
        TransactionProof? proof = _backend.Proof(signature, commitment);
        if (proof is null)
        {
            w.WriteNullValue();
            return null;
        }
        w.WriteStartObject();
        w.WriteNumber("slot", proof.Slot);
        w.WriteString("blockhash", proof.Blockhash.ToString());
        w.WriteString("transactionsRoot", proof.TransactionsRoot.ToString());
        w.WriteNumber("index", proof.Index);
        w.WriteNumber("leafCount", proof.LeafCount);
        w.WriteString("leaf", proof.Leaf.ToString());
        w.WriteStartArray("proof");
        foreach (Hash h in proof.Path) w.WriteStringValue(h.ToString());
        w.WriteEndArray();
        w.WriteEndObject();
        return null;
    }

    private static void WriteTransactionError(Utf8JsonWriter w, string? error)
    {
        if (error is null) w.WriteNull("err");
        else w.WriteString("err", error);
    }

    private static void WriteTransactionRecord(Utf8JsonWriter w, TransactionRecord record, string encoding, bool includeSlot)
    {
        w.WriteStartObject();
        if (includeSlot) w.WriteNumber("slot", record.Slot);
        if (record.BlockTimeUnixSeconds is long time) w.WriteNumber("blockTime", time);
        else if (includeSlot) w.WriteNull("blockTime");
        w.WritePropertyName("transaction");
        if (encoding == "json")
        {
            WriteTransactionJson(w, record.Bytes);
        }
        else
        {
            w.WriteStartArray();
            w.WriteStringValue(encoding == "base58" ? Base58.Encode(record.Bytes) : Convert.ToBase64String(record.Bytes));
            w.WriteStringValue(encoding);
            w.WriteEndArray();
        }
        w.WriteStartObject("meta");
        WriteTransactionError(w, record.Error);
        w.WriteNumber("fee", record.Fee);
        w.WriteStartArray("preBalances");
        foreach (ulong b in record.PreBalances) w.WriteNumberValue(b);
        w.WriteEndArray();
        w.WriteStartArray("postBalances");
        foreach (ulong b in record.PostBalances) w.WriteNumberValue(b);
        w.WriteEndArray();
        w.WriteStartObject("status");
        if (record.Error is null) w.WriteNull("Ok");
        else w.WriteString("Err", record.Error);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>Solana's "json" transaction encoding: signatures and message with keys in base58.</summary>
    private static void WriteTransactionJson(Utf8JsonWriter w, byte[] bytes)
    {
        if (!TransactionView.TryParse(bytes, out TransactionView tx).IsOk)
        {
            w.WriteNullValue();
            return;
        }
        w.WriteStartObject();
        w.WriteStartArray("signatures");
        for (int i = 0; i < tx.SignatureCount; i++) w.WriteStringValue(Base58.Encode(tx.GetSignatureBytes(i)));
        w.WriteEndArray();
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
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
