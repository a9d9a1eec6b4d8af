using Fast.Core.Transactions;

namespace Fast.Exec.Validity;

/// <summary>
/// Rule "a block carries at most <see cref="TransactionLimits.MaxTransactionsPerBlock"/> transactions
/// and at most <see cref="MaxSignaturesPerBlock"/> signatures" (docs/block-validity.md). The leader
/// stops filling a slot before either is reached (its admission applies the same function); the
/// replayer counts a block's transactions and signatures as it parses the block, before it executes
/// anything (<see cref="Replay.SlotReplayer"/>), and an oversized block is invalid.
/// </summary>
public static class BlockCapacity
{
    /// <summary>
    /// 16,384 signatures per block, so a full block replays within its 600 ms slot on this class of
    /// machine with room left for everything else: replay verifies a block's signatures in BIP-340
    /// batches over 2 workers at ~28–30 k signatures/s per core measured (README), so 16,384 take
    /// ~0.28 s — under half the slot, the rest for execution, freeze and the node's own work. It is
    /// above what one node has carried end to end here (20.6 k TPS ≈ 12.4 k per slot).
    /// </summary>
    public const int MaxSignaturesPerBlock = 16_384;

    /// <summary>
    /// Adds <paramref name="tx"/> to a block's running counts if the block stays within both caps;
    /// false (counts unchanged) otherwise.
    /// </summary>
    public static bool TryReserve(ref int transactions, ref int signatures, in TransactionView tx)
    {
        int sigs = tx.SignatureCount;
        if (transactions >= TransactionLimits.MaxTransactionsPerBlock || sigs > MaxSignaturesPerBlock - signatures) return false;
        transactions++;
        signatures += sigs;
        return true;
    }

    /// <summary>True while a block with these counts can still take any transaction (one of the most signatures a transaction may carry).</summary>
    public static bool HasRoomForAny(int transactions, int signatures) =>
        transactions < TransactionLimits.MaxTransactionsPerBlock && signatures <= MaxSignaturesPerBlock - TransactionLimits.MaxSignatures;
}
