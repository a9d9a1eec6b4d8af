using Fast.Core.Ledger;
using Fast.Core.Shreds;
using Fast.Core.Transactions;

namespace Fast.Exec.Validity;

/// <summary>
/// Rule "a block carries at most <see cref="TransactionLimits.MaxTransactionsPerBlock"/> transactions
/// and at most <see cref="MaxSignaturesPerBlock"/> signatures" (docs/block-validity.md). The leader
/// stops filling a slot before either is reached (its admission applies the same function); the
/// replayer counts a block's transactions and signatures as it parses the block, before it executes
/// anything (<see cref="Replay.SlotReplayer"/>), and an oversized block is invalid.
/// <para>The leader also keeps its block within the bytes its shreds can carry
/// (<see cref="MaxTransactionBytesPerBlock"/>, <see cref="TryReserveBytes"/>): past
/// <see cref="Shredder.MaxSlotBytes"/> a block cannot be shredded whole, so it would never be
/// broadcast and the leader's whole slot would be lost — with 40,960 transactions of up to 1,232
/// bytes that is reachable. No replay rule is needed for it: shred indexes past
/// <see cref="ShredLayout.MaxShredsPerSlot"/> are refused on the wire.</para>
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

    /// <summary>The most an entry's header takes per transaction: num_hashes and hash, and the transaction count's shortvec (up to 3 bytes), as if every entry held one transaction.</summary>
    public const int EntryBytesPerTransaction = EntryView.HeaderSize + 3;

    /// <summary>Bytes kept for the slot's ticks (entries without transactions), far more than a slot has.</summary>
    public const int TickReserveBytes = 64 << 10;

    /// <summary>The entry bytes a leader lets its block's transactions take (each with <see cref="EntryBytesPerTransaction"/>): what the shreds of one slot carry less <see cref="TickReserveBytes"/>, ≈ 29.1 MB (~23,500 transactions of the maximum size).</summary>
    public static readonly long MaxTransactionBytesPerBlock = Shredder.MaxSlotBytes - TickReserveBytes;

    /// <summary>
    /// Adds <paramref name="tx"/>'s bytes (and its share of entry headers) to a block's running byte
    /// count if the block stays within <see cref="MaxTransactionBytesPerBlock"/>; false (unchanged)
    /// otherwise. The leader's rule only (see the type summary).
    /// </summary>
    public static bool TryReserveBytes(ref long bytes, in TransactionView tx)
    {
        long next = bytes + tx.Length + EntryBytesPerTransaction;
        if (next > MaxTransactionBytesPerBlock) return false;
        bytes = next;
        return true;
    }

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

    /// <summary>True while a block with these counts can still take any transaction (one of the most signatures a transaction may carry, and of the most bytes).</summary>
    public static bool HasRoomForAny(int transactions, int signatures, long bytes) =>
        transactions < TransactionLimits.MaxTransactionsPerBlock && signatures <= MaxSignaturesPerBlock - TransactionLimits.MaxSignatures
        && bytes <= MaxTransactionBytesPerBlock - TransactionLimits.MaxTransactionSize - EntryBytesPerTransaction;
}
