using Fast.Core.Primitives;

namespace Fast.Core.Gossip;

/// <summary>A node's software version as gossip advertises it (major.minor.patch).</summary>
public readonly record struct SoftwareVersion(ushort Major, ushort Minor, ushort Patch)
{
    public override string ToString() => $"{Major}.{Minor}.{Patch}";
}

/// <summary>
/// What a node tells the cluster about itself through gossip: its identity, when it said so (its own
/// wall clock, in Unix ms — used only to order two versions of the value and to expire it), which
/// cluster it belongs to (shred version and genesis hash: a joiner checks the genesis hash, not only the
/// 16-bit shred version), its software version and where to reach each of its services. The decoded
/// form of a contact-info gossip value (<see cref="GossipValueView"/>), and the writer's input
/// (<see cref="GossipValueWriter"/>). An unspecified address is <see cref="Ipv4Endpoint.Unspecified"/>.
/// </summary>
public readonly record struct ContactInfo
{
    public Pubkey Identity { get; init; }

    /// <summary>The origin's wall clock when it signed this value, Unix milliseconds.</summary>
    public ulong WallclockMs { get; init; }

    public ushort ShredVersion { get; init; }

    public Hash GenesisHash { get; init; }

    public SoftwareVersion Version { get; init; }

    /// <summary>Where the node's gossip machine listens (pushes, pulls, pings go here).</summary>
    public Ipv4Endpoint Gossip { get; init; }

    /// <summary>Where clients and forwarders send transactions.</summary>
    public Ipv4Endpoint Tpu { get; init; }

    /// <summary>Where other validators forward transactions (Gulf Stream).</summary>
    public Ipv4Endpoint TpuForwards { get; init; }

    /// <summary>Where Turbine delivers shreds.</summary>
    public Ipv4Endpoint Tvu { get; init; }

    /// <summary>Where repair requests are served.</summary>
    public Ipv4Endpoint Repair { get; init; }

    /// <summary>JSON-RPC (unspecified on a node without RPC).</summary>
    public Ipv4Endpoint Rpc { get; init; }
}
