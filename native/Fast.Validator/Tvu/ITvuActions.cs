using Fast.Core.Primitives;
using Fast.Validator.Net;

namespace Fast.Validator.Tvu;

/// <summary>What the shred receiver (<see cref="ShredReceiver"/>) asks of the node.</summary>
public interface ITvuActions : ISendActions
{
    /// <summary>Send one shred, unchanged, to each of its Turbine children (one buffer for all of them).</summary>
    void Retransmit(ReadOnlySpan<PeerAddress> children, ReadOnlySpan<byte> shred);

    /// <summary>A data shred of <paramref name="slot"/> is held (received, or rebuilt by erasure recovery): store it.</summary>
    void DataShredHeld(ulong slot, uint index, ReadOnlySpan<byte> shred, bool recovered);

    /// <summary>
    /// Every data shred of <paramref name="slot"/> is held: the block can be replayed. Its id is the
    /// root of its last FEC set; <paramref name="parentBlockId"/> is what its first set chains to.
    /// </summary>
    void SlotFull(ulong slot, ulong parentSlot, in Hash blockId, in Hash parentBlockId, uint dataShreds);

    /// <summary>
    /// The slot's leader signed two different roots for one FEC set: keep the evidence (both signed
    /// shreds whole, in the versioned <see cref="Fast.Core.Shreds.DuplicateShredEvidence"/> format the
    /// slashing instruction verifies) and treat the slot as duplicate.
    /// </summary>
    void Equivocation(ulong slot, in Pubkey leader, ReadOnlySpan<byte> evidence);
}

/// <summary>
/// Where a shred goes next in the Turbine tree: this node's children for one (slot, index, kind).
/// Fast.Validator's TurbineRoutes answers from the stake-weighted tree and the peers' TVU addresses.
/// </summary>
public interface IRetransmitRoutes
{
    /// <summary>Writes this node's children for the shred into <paramref name="children"/> and returns how many (0 for a leaf).</summary>
    int ChildrenOf(ulong slot, in Pubkey leader, uint index, bool isData, Span<PeerAddress> children);

    /// <summary>The most children any node can have (the buffer size callers need).</summary>
    int MaxChildren { get; }
}
