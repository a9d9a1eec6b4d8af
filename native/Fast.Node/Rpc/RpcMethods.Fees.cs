using System.Text.Json;
using Fast.Core.Codec;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Exec.Validity;

namespace Fast.Node.Rpc;

/// <summary>
/// Fee and blockhash methods: isBlockhashValid, getFeeForMessage, getRecentPrioritizationFees.
/// The fee is the block-validity fee rule (signatures × lamports per signature, <see cref="FeeRule"/>);
/// Fast has no compute-budget program, so no transaction pays a prioritization fee.
/// </summary>
public sealed partial class RpcMethods
{
    /// <summary>Solana's MAX_TX_ACCOUNT_LOCKS: the most addresses getRecentPrioritizationFees takes.</summary>
    public const int MaxPrioritizationFeeAddresses = 128;

    /// <summary>Solana's prioritization-fee cache holds the last 150 blocks.</summary>
    public const int RecentPrioritizationFeeBlocks = 150;

    /// <summary><c>isBlockhashValid(blockhash, {commitment, minContextSlot})</c>: <c>{context, value: bool}</c>.</summary>
    private RpcError? IsBlockhashValid(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(1, 2), p.String(0, "the blockhash", out string text), ConfigAndCommitment(p, 1, out JsonElement config, out Commitment commitment),
            MinContextSlot(config, out ulong minContextSlot));
        if (error is not null) return error;
        if (!Hash.TryParse(text, out Hash blockhash)) return RpcError.Params($"Invalid param: invalid blockhash '{(text.Length > 64 ? text[..64] + "..." : text)}'");
        bool valid = _backend.IsBlockhashValid(blockhash, commitment, out ulong slot);
        if (slot < minContextSlot) return RpcError.MinContextSlotNotReached(slot);
        w.WriteStartObject();
        WriteContext(w, slot);
        w.WriteBoolean("value", valid);
        w.WriteEndObject();
        return null;
    }

    /// <summary>
    /// <c>getFeeForMessage(base64 message, {commitment, minContextSlot})</c>: <c>{context, value: fee | null}</c>,
    /// null when the message's blockhash is not valid in that bank (as Solana answers).
    /// </summary>
    private RpcError? GetFeeForMessage(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(1, 2), p.String(0, "the message", out string encoded), ConfigAndCommitment(p, 1, out JsonElement config, out Commitment commitment),
            MinContextSlot(config, out ulong minContextSlot));
        if (error is not null) return error;
        error = ParseMessage(encoded, out int signatures, out Hash blockhash);
        if (error is not null) return error;
        bool valid = _backend.IsBlockhashValid(blockhash, commitment, out ulong slot);
        if (slot < minContextSlot) return RpcError.MinContextSlotNotReached(slot);
        w.WriteStartObject();
        WriteContext(w, slot);
        if (valid) w.WriteNumber("value", FeeRule.Fee(signatures, _backend.LamportsPerSignature(commitment)));
        else w.WriteNull("value");
        w.WriteEndObject();
        return null;
    }

    /// <summary>
    /// Reads a base64 legacy message (what a transaction signs): it is checked by the transaction
    /// decoder itself, behind the signature section it would carry.
    /// </summary>
    private static RpcError? ParseMessage(string encoded, out int signatures, out Hash blockhash)
    {
        signatures = 0;
        blockhash = default;
        if (encoded.Length > (TransactionLimits.MaxTransactionSize + 2) / 3 * 4) return RpcError.Params($"message too large: over {TransactionLimits.MaxTransactionSize} bytes");
        byte[] message = new byte[TransactionLimits.MaxTransactionSize];
        if (!Convert.TryFromBase64String(encoded, message, out int length)) return RpcError.Params("invalid base64 encoding of the message");
        if (length == 0) return RpcError.Params("failed to deserialize the message: empty");
        int required = message[0];
        if (required == 0 || required > TransactionLimits.MaxSignatures) return RpcError.Params($"failed to deserialize the message: {required} required signatures (1 to {TransactionLimits.MaxSignatures})");
        int prefix = ShortVec.EncodedLength(required) + required * Signature.Size;
        byte[] transaction = new byte[prefix + length];
        ShortVec.Write(transaction, required);
        message.AsSpan(0, length).CopyTo(transaction.AsSpan(prefix));
        DecodeResult decoded = TransactionView.TryParse(transaction, out TransactionView view);
        if (!decoded.IsOk) return RpcError.Params($"failed to deserialize the message: {decoded.Status} at byte {Math.Max(0, decoded.Offset - prefix)}");
        signatures = view.RequiredSignatures;
        blockhash = view.RecentBlockhash;
        return null;
    }

    /// <summary>
    /// <c>getRecentPrioritizationFees([addresses])</c>: <c>[{slot, prioritizationFee}]</c> for the recent
    /// blocks. No Fast transaction pays a prioritization fee (there is no compute-budget program), so
    /// every block's is 0.
    /// </summary>
    private RpcError? GetRecentPrioritizationFees(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = p.RequireCount(0, 1);
        if (error is not null) return error;
        if (p.Has(0))
        {
            if (p[0].ValueKind != JsonValueKind.Array) return RpcError.Params("the first parameter must be an array of public keys");
            if (p[0].GetArrayLength() > MaxPrioritizationFeeAddresses) return RpcError.Params($"Too many inputs provided; max {MaxPrioritizationFeeAddresses}");
            foreach (JsonElement key in p[0].EnumerateArray())
            {
                if (key.ValueKind != JsonValueKind.String || !Pubkey.TryParse(key.GetString(), out _)) return RpcError.Params("every public key must be base58 of 32 bytes");
            }
        }
        w.WriteStartArray();
        foreach (ulong slot in _backend.RecentBlockSlots(RecentPrioritizationFeeBlocks))
        {
            w.WriteStartObject();
            w.WriteNumber("slot", slot);
            w.WriteNumber("prioritizationFee", 0);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        return null;
    }

    /// <summary>The optional <c>minContextSlot</c> of a config (0 when absent).</summary>
    private static RpcError? MinContextSlot(JsonElement config, out ulong slot)
    {
        slot = 0;
        if (config.ValueKind != JsonValueKind.Object || !config.TryGetProperty("minContextSlot", out JsonElement value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out slot) ? null : RpcError.Params("minContextSlot must be a non-negative integer");
    }
}
