namespace Fast.Core.Poh;

/// <summary>
/// What the generator did with a <see cref="PohRecord"/>. Mirrors Agave's PohRecorder: a record for a
/// slot whose last tick has been hashed is refused (Agave: MaxHeightReached), so no transaction
/// lands in a slot after its final tick.
/// </summary>
public enum PohRecordStatus : byte
{
    /// <summary>Mixed into the chain; an entry carrying the record's transactions was emitted.</summary>
    Recorded = 0,

    /// <summary>The record's slot already ended: its final tick was produced before the record could be mixed in.</summary>
    SlotEnded,

    /// <summary>The record is for a slot the generator has not reached yet.</summary>
    SlotNotStarted,

    /// <summary>The current tick has one hash left, which must be the tick itself; the record waits for the next tick (not a final answer).</summary>
    TickDue,

    /// <summary>The record carries no transactions, or more than an entry may hold (a bug in the producer).</summary>
    Invalid,

    /// <summary>The entry could not be queued for the ledger (the writer is behind): nothing was mixed in; the producer may retry.</summary>
    LedgerBehind,

    /// <summary>The record's slot was abandoned (one of its ticks could not be queued for the ledger): it will never be confirmed; record into the next slot.</summary>
    SlotAbandoned,
}
