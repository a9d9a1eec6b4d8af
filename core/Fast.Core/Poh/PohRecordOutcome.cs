using Fast.Core.Primitives;

namespace Fast.Core.Poh;

/// <summary>
/// The answer to one <see cref="PohRecord"/>, sent back to its producer (the banking stage commits
/// the record's transactions only when <see cref="Status"/> is <see cref="PohRecordStatus.Recorded"/>,
/// and returns the record's buffer when it is not). <see cref="EntryHash"/> and
/// <see cref="TickHeight"/> describe the entry that carried it (zero when refused).
/// </summary>
public readonly record struct PohRecordOutcome(long RecordId, ulong Slot, PohRecordStatus Status, Hash EntryHash, ulong TickHeight)
{
    public bool IsRecorded => Status == PohRecordStatus.Recorded;
}
