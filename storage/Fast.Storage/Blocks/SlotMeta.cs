namespace Fast.Storage.Blocks;

/// <summary>
/// What the <see cref="Blockstore"/> knows about a slot: its parent, how many entries it holds,
/// whether the last entry arrived (complete) and whether the slot was rooted.
/// </summary>
public readonly record struct SlotMeta(ulong Slot, ulong ParentSlot, int EntryCount, long EntryBytes, bool IsComplete, bool IsRooted)
{
    /// <summary>The slot's transaction statuses are all stored (see <see cref="Blockstore.ReadSlotStatuses"/>).</summary>
    public bool HasStatuses { get; init; }
}

/// <summary>The outcome of <see cref="Blockstore.AppendEntries"/>.</summary>
public enum AppendStatus : byte
{
    Ok,

    /// <summary>The slot already received its last entry; nothing more may be added.</summary>
    SlotAlreadyComplete,

    /// <summary>Earlier entries of this slot named a different parent.</summary>
    ParentMismatch,

    /// <summary>The bytes are more than one append may carry (<see cref="BlockstoreOptions.MaxAppendBytes"/>).</summary>
    TooLarge,

    /// <summary>No entries (zero count, or no bytes).</summary>
    Empty,

    /// <summary>A slot's parent must be an earlier slot.</summary>
    InvalidParent,

    /// <summary>The statuses do not decode, or their number is not the count given.</summary>
    Malformed,
}
