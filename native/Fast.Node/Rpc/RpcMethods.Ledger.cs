using System.Text.Json;

namespace Fast.Node.Rpc;

/// <summary>
/// Ledger methods: getBlocks, getBlocksWithLimit, getBlockTime, getFirstAvailableBlock,
/// getBlockCommitment, getHighestSnapshotSlot, getMaxRetransmitSlot, getMaxShredInsertSlot —
/// Solana's parameters, answers and errors.
/// </summary>
public sealed partial class RpcMethods
{
    /// <summary>Solana's MAX_GET_CONFIRMED_BLOCKS_RANGE: the widest getBlocks range and the largest getBlocksWithLimit limit.</summary>
    public const ulong MaxBlocksRange = 500_000;

    /// <summary><c>getBlocks(startSlot, endSlot?, {commitment})</c>: the slots with a block in [start, min(end, commitment slot)].</summary>
    private RpcError? GetBlocks(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(1, 3), p.UInt64(0, "the start slot", out ulong start));
        if (error is not null) return error;
        ulong? end = null;
        int configIndex = 1;
        if (p.Has(1) && p[1].ValueKind != JsonValueKind.Object)
        {
            error = p.UInt64(1, "the end slot", out ulong endSlot);
            if (error is not null) return error;
            end = endSlot;
            configIndex = 2;
        }
        else if (p.Count > 2)
        {
            return RpcError.Params("expected [startSlot, endSlot?, config?]");
        }
        error = ConfigAndCommitment(p, configIndex, out _, out Commitment commitment);
        if (error is not null) return error;
        if (commitment == Commitment.Processed) return RpcError.BelowConfirmed();

        ulong last = Math.Min(end ?? SaturatingAdd(start, MaxBlocksRange), _backend.Slot(commitment));
        if (last >= start && last - start > MaxBlocksRange) return RpcError.Params($"Slot range too large; max {MaxBlocksRange}");
        w.WriteStartArray();
        if (last >= start)
        {
            foreach (ulong slot in _backend.Blocks(start, last, int.MaxValue, commitment)) w.WriteNumberValue(slot);
        }
        w.WriteEndArray();
        return null;
    }

    /// <summary><c>getBlocksWithLimit(startSlot, limit, {commitment})</c>: up to limit slots with a block, from start.</summary>
    private RpcError? GetBlocksWithLimit(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(2, 3), p.UInt64(0, "the start slot", out ulong start), p.UInt64(1, "the limit", out ulong limit),
            ConfigAndCommitment(p, 2, out _, out Commitment commitment));
        if (error is not null) return error;
        if (commitment == Commitment.Processed) return RpcError.BelowConfirmed();
        if (limit > MaxBlocksRange) return RpcError.Params($"Limit too large; max {MaxBlocksRange}");
        ulong last = _backend.Slot(commitment);
        w.WriteStartArray();
        if (limit > 0 && last >= start)
        {
            foreach (ulong slot in _backend.Blocks(start, last, (int)limit, commitment)) w.WriteNumberValue(slot);
        }
        w.WriteEndArray();
        return null;
    }

    /// <summary><c>getBlockTime(slot)</c>: the block's Unix time, null when unknown; Solana's errors for slots without a block.</summary>
    private RpcError? GetBlockTime(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(1, 1), p.UInt64(0, "the slot", out ulong slot));
        if (error is not null) return error;
        if (slot != 0)
        {
            ulong first = _backend.LowestAvailableSlot;
            if (slot < first) return RpcError.CleanedUp(slot, first);
            bool rooted = slot <= _backend.Slot(Commitment.Finalized);
            bool hasBlock = _backend.Blocks(slot, slot, 1, rooted ? Commitment.Finalized : Commitment.Confirmed).Count == 1;
            if (!hasBlock) return rooted ? RpcError.Skipped(slot) : RpcError.NotAvailable(slot);
        }
        if (_backend.BlockTime(slot) is long time) w.WriteNumberValue(time);
        else w.WriteNullValue();
        return null;
    }

    /// <summary>
    /// <c>getBankHash(slot)</c> (a Fast extension; Solana has no public equivalent): the bank hash this
    /// node froze for the slot, with its parent, blockhash and height — null when it holds no frozen
    /// bank there (skipped, not replayed, or older than the retained slots). Cluster tests compare it
    /// across nodes.
    /// </summary>
    private RpcError? GetBankHash(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(1, 1), p.UInt64(0, "the slot", out ulong slot));
        if (error is not null) return error;
        if (_backend.FrozenBank(slot) is not FrozenBankInfo bank)
        {
            w.WriteNullValue();
            return null;
        }
        w.WriteStartObject();
        w.WriteNumber("slot", bank.Slot);
        w.WriteNumber("parentSlot", bank.ParentSlot);
        w.WriteString("bankHash", bank.BankHash.ToString());
        w.WriteString("blockhash", bank.Blockhash.ToString());
        w.WriteNumber("blockHeight", bank.BlockHeight);
        w.WriteNumber("transactionCount", bank.TransactionCount);
        w.WriteEndObject();
        return null;
    }

    private RpcError? GetFirstAvailableBlock(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = p.RequireCount(0, 0);
        if (error is not null) return error;
        w.WriteNumberValue(_backend.LowestAvailableSlot);
        return null;
    }

    /// <summary><c>getBlockCommitment(slot)</c>: <c>{commitment: [32 stakes] | null, totalStake}</c>.</summary>
    private RpcError? GetBlockCommitment(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(1, 1), p.UInt64(0, "the slot", out ulong slot));
        if (error is not null) return error;
        BlockCommitmentInfo info = _backend.BlockCommitment(slot);
        w.WriteStartObject();
        if (info.Commitment is { } stakes)
        {
            w.WriteStartArray("commitment");
            foreach (ulong stake in stakes) w.WriteNumberValue(stake);
            w.WriteEndArray();
        }
        else
        {
            w.WriteNull("commitment");
        }
        w.WriteNumber("totalStake", info.TotalStake);
        w.WriteEndObject();
        return null;
    }

    /// <summary>Fast keeps accounts checkpoints, not Solana snapshot archives a node could download: Solana's NoSnapshot error.</summary>
    private RpcError? GetHighestSnapshotSlot(RpcParams p, Utf8JsonWriter w) =>
        p.RequireCount(0, 0) ?? new RpcError(RpcError.NoSnapshot, "No snapshot");

    /// <summary>
    /// The highest slot whose shreds went out to the cluster. A single validator leads every slot and
    /// sends its own blocks' shreds, so this is the highest slot it stored — the same as getMaxShredInsertSlot.
    /// </summary>
    private RpcError? GetMaxRetransmitSlot(RpcParams p, Utf8JsonWriter w) => GetMaxShredInsertSlot(p, w);

    private RpcError? GetMaxShredInsertSlot(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = p.RequireCount(0, 0);
        if (error is not null) return error;
        w.WriteNumberValue(_backend.MaxShredInsertSlot);
        return null;
    }

    private static ulong SaturatingAdd(ulong a, ulong b) => a > ulong.MaxValue - b ? ulong.MaxValue : a + b;
}
