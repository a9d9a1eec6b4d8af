using System.Net;

namespace Fast.Node.Cluster;

/// <summary>
/// Where a cluster node listens and whom it joins: the gossip, TVU (shreds) and repair UDP ports,
/// the address it advertises in gossip, the entrypoint (<c>--entrypoint HOST:PORT</c>), the Turbine
/// fanout and the leader's grace for a late parent. From <c>fast validator</c>'s flags.
/// </summary>
public sealed record ClusterConfig
{
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    /// <summary>The IPv4 address peers reach this node at (the bind address, or loopback when binding to any).</summary>
    public IPAddress AdvertisedAddress { get; init; } = IPAddress.Loopback;

    public int GossipPort { get; init; } = 8001;
    public int TvuPort { get; init; } = 8002;
    public int RepairPort { get; init; } = 8003;

    /// <summary>A gossip address to join through; null for the first node of a cluster.</summary>
    public IPEndPoint? Entrypoint { get; init; }

    public int TurbineFanout { get; init; } = 200;

    /// <summary>How long a leader waits for the previous leader's block before building on what it has.</summary>
    public int ParentGraceMs { get; init; } = 200;
}
