using Fast.Core.Primitives;

namespace Fast.Node.Cluster;

/// <summary>
/// A whole block received over Turbine or repair and deshredded (its chain of FEC sets checked): for the banking thread to replay.
/// <paramref name="WholeAtUnixMs"/>: when the network thread had it whole (wall clock; replay's timing metrics compare it with the slot's end).
/// </summary>
public sealed record ReceivedBlock(ulong Slot, ulong ParentSlot, Hash BlockId, Hash ParentBlockId, byte[] Entries, int EntryCount, long WholeAtUnixMs);

/// <summary>A block this node produced, once its last FEC set is out: its id (the last set's root) for the fork tree.</summary>
public readonly record struct OwnBlock(ulong Slot, ulong ParentSlot, Hash BlockId, Hash ParentBlockId);

/// <summary>One shred this node produced as leader: sent to the root of its Turbine tree, and kept (data shreds) to serve repair.</summary>
public sealed record OwnShred(ulong Slot, uint Index, bool IsData, byte[] Bytes);

/// <summary>Which block a leader slot builds on: the banking thread tells the broadcaster before PoH starts the block.</summary>
public readonly record struct BlockStart(ulong Slot, ulong ParentSlot, Hash ParentBlockId);
