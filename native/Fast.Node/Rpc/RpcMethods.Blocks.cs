using System.Text.Json;

namespace Fast.Node.Rpc;

/// <summary>Block methods: getBlock.</summary>
public sealed partial class RpcMethods
{
    private RpcError? GetBlock(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(1, 2), p.UInt64(0, "the slot", out ulong slot), ConfigAndCommitment(p, 1, out JsonElement config, out Commitment commitment));
        if (error is not null) return error;
        if (commitment == Commitment.Processed) return RpcError.Params("getBlock supports confirmed and finalized commitment");
        string encoding = RpcParams.OptionalString(config, "encoding") ?? "json";
        if (encoding is not ("base64" or "base58" or "json")) return RpcError.Params("encoding must be json, base64 or base58");
        string details = RpcParams.OptionalString(config, "transactionDetails") ?? "full";
        if (details is not ("full" or "signatures" or "none")) return RpcError.Params("transactionDetails must be full, signatures or none");

        if (slot < _backend.LowestAvailableSlot) return new RpcError(RpcError.BlockNotAvailable, $"Block not available for slot {slot}");
        BlockRecord? block = _backend.Block(slot, commitment);
        if (block is null)
        {
            return slot <= _backend.Slot(commitment)
                ? new RpcError(RpcError.SlotSkipped, $"Slot {slot} was skipped, or missing in long-term storage")
                : new RpcError(RpcError.BlockNotAvailable, $"Block not available for slot {slot}");
        }
        w.WriteStartObject();
        w.WriteString("blockhash", block.Blockhash.ToString());
        w.WriteString("previousBlockhash", block.PreviousBlockhash.ToString());
        w.WriteNumber("parentSlot", block.ParentSlot);
        w.WriteNumber("blockHeight", block.BlockHeight);
        if (block.BlockTimeUnixSeconds is long time) w.WriteNumber("blockTime", time);
        else w.WriteNull("blockTime");
        if (details == "full")
        {
            w.WriteStartArray("transactions");
            foreach (TransactionRecord tx in block.Transactions) WriteTransactionRecord(w, tx, encoding, includeSlot: false);
            w.WriteEndArray();
        }
        else if (details == "signatures")
        {
            w.WriteStartArray("signatures");
            foreach (TransactionRecord tx in block.Transactions)
            {
                Core.Transactions.TransactionView.TryParse(tx.Bytes, out Core.Transactions.TransactionView view);
                w.WriteStringValue(view.FirstSignature.ToString());
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
        return null;
    }
}
