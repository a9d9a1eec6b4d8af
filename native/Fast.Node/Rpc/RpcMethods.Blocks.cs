using System.Text.Json;

namespace Fast.Node.Rpc;

/// <summary>Block methods: getBlock (Solana's UiConfirmedBlock shape).</summary>
public sealed partial class RpcMethods
{
    /// <summary>
    /// <c>getBlock(slot, {commitment, encoding, transactionDetails, rewards, maxSupportedTransactionVersion})</c>:
    /// <c>{blockhash, previousBlockhash, parentSlot, blockTime, blockHeight}</c> plus <c>transactions</c>
    /// (full, accounts) or <c>signatures</c>, and <c>rewards</c> (Fast pays none: empty) unless rewards is false.
    /// A slot below the ledger is Solana's BlockCleanedUp, a rooted slot without a block SlotSkipped, a
    /// slot past the commitment BlockNotAvailable.
    /// </summary>
    private RpcError? GetBlock(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(1, 2), p.UInt64(0, "the slot", out ulong slot), ConfigAndCommitment(p, 1, out JsonElement config, out Commitment commitment),
            OptionalBoolean(config, "rewards", true, out bool rewards), BlockDetails(config, out TransactionDetails details));
        if (error is not null) return error;
        error = TransactionEncodingOptions.Parse(config, rewards, out TransactionEncodingOptions options);
        if (error is not null) return error;
        if (commitment == Commitment.Processed) return RpcError.BelowConfirmed();

        error = BlockAvailability(slot, commitment, out BlockRecord? block);
        if (error is not null) return error;
        w.WriteStartObject();
        w.WriteString("blockhash", block!.Blockhash.ToString());
        w.WriteString("previousBlockhash", block.PreviousBlockhash.ToString());
        w.WriteNumber("parentSlot", block.ParentSlot);
        switch (details)
        {
            case TransactionDetails.Full or TransactionDetails.Accounts:
                w.WriteStartArray("transactions");
                foreach (TransactionRecord tx in block.Transactions)
                {
                    w.WriteStartObject();
                    if (details == TransactionDetails.Full) TransactionJson.WriteWithMeta(w, tx, options);
                    else TransactionJson.WriteAccountsOnly(w, tx, options);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                break;
            case TransactionDetails.Signatures:
                w.WriteStartArray("signatures");
                foreach (TransactionRecord tx in block.Transactions)
                {
                    if (TransactionJson.FirstSignature(tx.Bytes) is string signature) w.WriteStringValue(signature);
                }
                w.WriteEndArray();
                break;
        }
        if (rewards)
        {
            w.WriteStartArray("rewards");
            w.WriteEndArray();
        }
        if (block.BlockTimeUnixSeconds is long time) w.WriteNumber("blockTime", time);
        else w.WriteNull("blockTime");
        w.WriteNumber("blockHeight", block.BlockHeight);
        w.WriteEndObject();
        return null;
    }

    /// <summary>The block of <paramref name="slot"/> at <paramref name="commitment"/>, or Solana's error for why there is none.</summary>
    private RpcError? BlockAvailability(ulong slot, Commitment commitment, out BlockRecord? block)
    {
        block = null;
        ulong first = _backend.LowestAvailableSlot;
        if (slot < first) return RpcError.CleanedUp(slot, first);
        block = _backend.Block(slot, commitment);
        if (block is not null) return null;
        return slot <= _backend.Slot(Commitment.Finalized) ? RpcError.Skipped(slot) : RpcError.NotAvailable(slot);
    }

    private static RpcError? BlockDetails(JsonElement config, out TransactionDetails details)
    {
        details = TransactionDetails.Full;
        if (config.ValueKind != JsonValueKind.Object || !config.TryGetProperty("transactionDetails", out JsonElement value) || value.ValueKind == JsonValueKind.Null) return null;
        switch (value.ValueKind == JsonValueKind.String ? value.GetString() : null)
        {
            case "full": details = TransactionDetails.Full; return null;
            case "signatures": details = TransactionDetails.Signatures; return null;
            case "accounts": details = TransactionDetails.Accounts; return null;
            case "none": details = TransactionDetails.None; return null;
            default: return RpcError.Params("transactionDetails must be full, accounts, signatures or none");
        }
    }

    /// <summary>An optional boolean config field (absent or null: <paramref name="fallback"/>).</summary>
    private static RpcError? OptionalBoolean(JsonElement config, string name, bool fallback, out bool value)
    {
        value = fallback;
        if (config.ValueKind != JsonValueKind.Object || !config.TryGetProperty(name, out JsonElement v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) return RpcError.Params($"{name} must be true or false");
        value = v.ValueKind == JsonValueKind.True;
        return null;
    }
}
