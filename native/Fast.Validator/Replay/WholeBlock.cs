using Fast.Core.Primitives;

namespace Fast.Validator.Replay;

/// <summary>
/// A block received whole (every data shred held, deshredded and chained from its parent's id to its
/// own): what the <see cref="ReplayMachine"/> takes in. <see cref="Entries"/> are the block's entries
/// exactly as the Blockstore stores them; <see cref="EntryCount"/> is how many the deshredder counted.
/// </summary>
public sealed record WholeBlock(ulong Slot, ulong ParentSlot, Hash BlockId, Hash ParentBlockId, byte[] Entries, int EntryCount);
