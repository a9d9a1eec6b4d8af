using Fast.Core.Primitives;
using Fast.Validator.Net;

namespace Fast.Validator.Repair;

/// <summary>
/// The shreds a node keeps (its Blockstore; the simulator's in-memory store): repair serves peers the
/// original data shreds from here, bytes unchanged, so a served shred proves itself like one from Turbine.
/// </summary>
public interface IShredStore
{
    /// <summary>Copies data shred (slot, index) into <paramref name="destination"/>; its length, or 0 when not held.</summary>
    int ReadDataShred(ulong slot, uint index, Span<byte> destination);

    /// <summary>The highest data index held for <paramref name="slot"/>, or −1.</summary>
    long HighestDataIndex(ulong slot);
}

/// <summary>A peer repair may talk to: its identity and repair address (from gossip: only verified, pinged peers).</summary>
public readonly record struct RepairPeer(Pubkey Identity, PeerAddress Address);

/// <summary>What the repair machine did and dropped. Every received packet lands in exactly one counter.</summary>
public struct RepairCounters
{
    public long RequestsSent;
    public long ResponsesAccepted;
    public long ResponsesUnsolicited;
    public long RequestsReceived;
    public long Served;
    public long NotHeld;
    public long DroppedMalformed;
    public long DroppedBadSignature;
    public long DroppedUnknownRequester;
    public long DroppedWrongRecipient;
    public long DroppedRateLimited;
}
