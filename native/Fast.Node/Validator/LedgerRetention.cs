using Fast.Core.Transactions;

namespace Fast.Node.Validator;

/// <summary>
/// How much ledger the node keeps (<c>--limit-ledger-slots</c>): the Blockstore drops slots below a
/// floor that trails the root by the limit, but never past what a restart needs — every slot above
/// the last durable accounts checkpoint (replayed after a crash) and the
/// <see cref="RestoreSlots"/> below it (whose signatures go back into the status cache, so a
/// re-sent transaction stays a no-op). Purges go in steps, not a slot at a time.
/// </summary>
public static class LedgerRetention
{
    /// <summary>Slots at and below the recovered root that start-up reads back (blockhash age, twice over).</summary>
    public const ulong RestoreSlots = 2 * (ulong)TransactionLimits.BlockhashMaxAgeSlots;

    /// <summary>The lowest slot to keep, given the root, the durable checkpoint's root and the limit (0: keep everything, floor 0).</summary>
    public static ulong Floor(ulong root, ulong durableRoot, ulong limitSlots)
    {
        if (limitSlots == 0) return 0;
        ulong byLimit = root + 1 > limitSlots ? root + 1 - limitSlots : 0;
        ulong byRestart = durableRoot > RestoreSlots ? durableRoot - RestoreSlots : 0;
        return Math.Min(byLimit, byRestart);
    }

    /// <summary>How far the floor must move before the next purge: an eighth of the limit, 1 to 64 slots.</summary>
    public static ulong Step(ulong limitSlots) => Math.Clamp(limitSlots / 8, 1, 64);
}
