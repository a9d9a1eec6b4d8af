namespace Fast.Validator.Tvu;

/// <summary>
/// What the shred receiver took, dropped (by reason) and rebuilt. Every dropped packet lands in
/// exactly one drop counter; the node exports these as metrics, the simulator sums them.
/// </summary>
public struct TvuCounters
{
    public long Received;
    public long Accepted;
    public long DroppedMalformed;
    public long DroppedWrongVersion;
    public long DroppedOutOfRange;
    public long DroppedDuplicate;
    public long DroppedBadSignature;
    public long DroppedRootMismatch;
    public long DroppedConflictingVersion;
    public long DroppedSetRejected;
    public long DroppedTooManySets;
    public long Retransmitted;
    public long ShredsRecovered;
    public long SetsCompletedByReceipt;
    public long SetsRecovered;
    public long SetsCompletedWithRepair;
    public long SetsRecoveryFailed;
    public long SlotsFull;
    public long SlotsBrokenChain;
    public long Equivocations;
}
