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
        if (RpcParams.OptionalCount(config, "maxRetries", out int? maxRetries) is RpcError badRetries) return badRetries;

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

        SubmitOutcome outcome = _backend.Submit(bytes.AsSpan(0, length), maxRetries, out Signature signature, out string? detail);
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
            TransactionErrorJson.WriteErrAndStatus(w, status.Outcome);
            w.WriteString("confirmationStatus", status.Level.Name());
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        return null;
    }

    /// <summary>
    /// Solana's <c>getTransaction(signature, {commitment, encoding, maxSupportedTransactionVersion})</c>:
    /// <c>{slot, blockTime, transaction, meta, version?}</c> or null; json is the default encoding.
    /// </summary>
    private RpcError? GetTransaction(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(1, 2), p.SignatureAt(0, out Signature signature), ConfigAndCommitment(p, 1, out JsonElement config, out Commitment commitment),
            TransactionEncodingOptions.Parse(config, showRewards: true, out TransactionEncodingOptions options));
        if (error is not null) return error;
        if (commitment == Commitment.Processed) return RpcError.BelowConfirmed();

        TransactionRecord? record = _backend.Transaction(signature, commitment);
        if (record is null)
        {
            w.WriteNullValue();
            return null;
        }
        w.WriteStartObject();
        w.WriteNumber("slot", record.Slot);
        if (record.BlockTimeUnixSeconds is long time) w.WriteNumber("blockTime", time);
        else w.WriteNull("blockTime");
        TransactionJson.WriteWithMeta(w, record, options);
        w.WriteEndObject();
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

    /// <summary>Solana's MAX_GET_CONFIRMED_SIGNATURES_FOR_ADDRESS2_LIMIT (also the default).</summary>
    public const int MaxSignaturesForAddress = 1000;

    /// <summary>
    /// <c>getSignaturesForAddress(address, {limit, before, until, commitment, minContextSlot})</c>: newest
    /// first, <c>[{signature, slot, err, memo, blockTime, confirmationStatus}]</c>; page with <c>before</c>
    /// set to the last signature of the previous page.
    /// </summary>
    private RpcError? GetSignaturesForAddress(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(1, 2), p.Pubkey(0, out Pubkey address), ConfigAndCommitment(p, 1, out JsonElement config, out Commitment commitment),
            MinContextSlot(config, out ulong minContextSlot));
        if (error is not null) return error;
        if (commitment == Commitment.Processed) return RpcError.BelowConfirmed();
        ulong limit = MaxSignaturesForAddress;
        if (config.ValueKind == JsonValueKind.Object && config.TryGetProperty("limit", out JsonElement l) && l.ValueKind != JsonValueKind.Null)
        {
            if (l.ValueKind != JsonValueKind.Number || !l.TryGetUInt64(out limit) || limit == 0 || limit > MaxSignaturesForAddress) return RpcError.Params($"Invalid limit; max {MaxSignaturesForAddress}");
        }
        error = First(OptionalSignature(config, "before", out Signature? before), OptionalSignature(config, "until", out Signature? until));
        if (error is not null) return error;
        ulong contextSlot = _backend.Slot(commitment);
        if (contextSlot < minContextSlot) return RpcError.MinContextSlotNotReached(contextSlot);

        w.WriteStartArray();
        foreach (AddressSignatureInfo info in _backend.SignaturesForAddress(address, before, until, (int)limit, commitment))
        {
            w.WriteStartObject();
            w.WriteString("signature", info.Signature.ToString());
            w.WriteNumber("slot", info.Slot);
            w.WritePropertyName("err");
            TransactionErrorJson.WriteErr(w, info.Outcome);
            w.WriteNull("memo");
            if (info.BlockTimeUnixSeconds is long time) w.WriteNumber("blockTime", time);
            else w.WriteNull("blockTime");
            w.WriteString("confirmationStatus", info.Level.Name());
            w.WriteEndObject();
        }
        w.WriteEndArray();
        return null;
    }

    private static RpcError? OptionalSignature(JsonElement config, string name, out Signature? signature)
    {
        signature = null;
        if (config.ValueKind != JsonValueKind.Object || !config.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null) return null;
        RpcError? error = RpcParams.ParseSignature(value, out Signature parsed);
        if (error is not null) return RpcError.Params($"{name}: {error.Message}");
        signature = parsed;
        return null;
    }

    /// <summary>
    /// <c>requestAirdrop(pubkey, lamports, {commitment})</c>: the airdrop transaction's signature. Like
    /// Solana: a node without a faucet answers "Invalid request"; a refusal by the faucet (its cap or
    /// rate limit) is an internal error, with the reason in the message.
    /// </summary>
    private RpcError? RequestAirdrop(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(2, 3), p.Pubkey(0, out Pubkey to), p.UInt64(1, "lamports", out ulong lamports), ConfigAndCommitment(p, 2, out _, out _));
        if (error is not null) return error;
        switch (_backend.RequestAirdrop(to, lamports, out Signature signature, out string? detail))
        {
            case AirdropOutcome.Sent:
                w.WriteStringValue(signature.ToString());
                return null;
            case AirdropOutcome.NoFaucet:
                return new RpcError(RpcError.InvalidRequest, "Invalid request: this node has no faucet (start it with --rpc-faucet-keypair)");
            case AirdropOutcome.Refused:
                return new RpcError(RpcError.InternalError, $"Internal error: airdrop refused: {detail}");
            default:
                return new RpcError(RpcError.TransactionRejected, $"Transaction rejected: {detail ?? "the node is overloaded, retry"}");
        }
    }
}
