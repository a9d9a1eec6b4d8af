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
    /// 40,960 signatures per block, as many as transactions (68 k a second at 600 ms slots, above one
    /// validator's sigverify bound here, 34–58 k/s on one thread depending on the host's load, so the
    /// cap is not what limits a leader), and still small enough that a full block replays within its
    /// slot when none of its signatures were verified while it streamed in (the replay pre-verifier
    /// off or behind): `fast bench replay-verify` checks 125 k signatures/s over 2 workers (62 k per
    /// core), so 40,960 take ~0.33 s of the 600 ms (~0.56 s on the most loaded host seen, bound
    /// 34 k/s). With the pre-verifier keeping up, ~90 % are verified before the slot ends.
    /// </summary>
    public const int MaxSignaturesPerBlock = 40_960;

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
