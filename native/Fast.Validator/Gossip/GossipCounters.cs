namespace Fast.Validator.Gossip;

/// <summary>
/// What the gossip machine did and, above all, what it dropped and why (issue 11: forged, badly signed,
/// wrong-cluster, stale and flooding traffic is dropped and counted). A plain struct the node reads for
/// its metrics; the machine only ever increments it. A packet is counted under one drop reason at most;
/// a push or pull response may drop some of its values and keep others (counted per value).
/// </summary>
public struct GossipCounters
{
    // Received.
    public long PacketsReceived;

    // Drops, by reason.
    /// <summary>Packets that are not a well-formed gossip message (DecodeStatus other than Ok).</summary>
    public long DecodeErrors;
    /// <summary>Values, pings and pongs whose signature does not verify against their claimed signer.</summary>
    public long BadSignature;
    /// <summary>Values (and pull requests) from another cluster: a different shred version.</summary>
    public long WrongShredVersion;
    /// <summary>Values (and pull requests) from another cluster: same shred version, different genesis hash.</summary>
    public long WrongGenesis;
    /// <summary>Values not newer than the one held for their origin (or older than the expiry window).</summary>
    public long Stale;
    /// <summary>Values whose wall clock is further ahead of ours than MaxFutureDriftMs.</summary>
    public long FromTheFuture;
    /// <summary>Pushes, pull requests and pull responses from an (address, identity) no pong has verified.</summary>
    public long FromUnpingedPeer;
    /// <summary>Packets over a per-address budget (pull requests, pings, value packets), or from an address the full rate table cannot track.</summary>
    public long RateLimited;
    /// <summary>New origins refused because the table is full.</summary>
    public long TableFull;
    /// <summary>Pongs that answer no ping of ours (no ping pending to that address, or the wrong token hash).</summary>
    public long UnexpectedPong;

    // Not drops.
    /// <summary>Values identical to the one held (normal: several peers push the same value).</summary>
    public long DuplicateValues;
    /// <summary>Our own value (or one claiming our identity) coming back: ignored.</summary>
    public long OwnValueEchoes;
    public long ValuesInserted;
    public long PeersExpired;
    public long PushPacketsSent;
    public long PullRequestsSent;
    public long PullResponsePacketsSent;
    public long PingsSent;
    public long PongsSent;
    public long PeersVerified;

    /// <summary>Every drop, whatever the reason.</summary>
    public readonly long Dropped => DecodeErrors + BadSignature + WrongShredVersion + WrongGenesis + Stale + FromTheFuture + FromUnpingedPeer
        + RateLimited + TableFull + UnexpectedPong;
}
