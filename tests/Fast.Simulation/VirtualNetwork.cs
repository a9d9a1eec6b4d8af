using Fast.Core.Rng;
using Fast.Validator.Net;

namespace Fast.Simulation;

/// <summary>
/// The simulated wire between nodes: each packet is dropped with --loss, delayed by --latency-ms ±
/// --jitter-ms (uniform), lost when it crosses an active --partition, and never delivered to or sent
/// by a crashed node. One seeded <see cref="DeterministicRng"/> decides all of it in event order, so a
/// seed gives the same deliveries. Node i is 10.0.(i / 256).(i % 256); ports name the service.
/// </summary>
public sealed class VirtualNetwork
{
    private readonly EventQueue _events;
    private readonly SimulationOptions _options;
    private DeterministicRng _rng;
    private readonly bool[] _down;
    private readonly bool[] _minoritySide;
    private bool _partitioned;

    public VirtualNetwork(EventQueue events, SimulationOptions options, ulong seed)
    {
        _events = events;
        _options = options;
        _rng = DeterministicRng.FromSeed(seed ^ 0x6E65_7477_6F72_6BUL);
        _down = new bool[options.Validators];
        _minoritySide = new bool[options.Validators];
        // The cut-off share is the last nodes by index (node order is a shuffle of identities, so this is not a stake bias).
        int cut = (int)((ulong)options.Validators * (1_000_000 - options.PartitionPpm) / 1_000_000);
        for (int i = cut; i < options.Validators; i++) _minoritySide[i] = true;
    }

    public long PacketsSent { get; private set; }
    public long PacketsLost { get; private set; }
    public long PacketsCut { get; private set; }
    public long BytesSent { get; private set; }

    public static PeerAddress AddressOf(int node, ushort port) => PeerAddress.FromOctets(10, 0, (byte)(node >> 8), (byte)node, port);

    /// <summary>The node an address belongs to, or −1 when it is not a simulated node.</summary>
    public int NodeOf(PeerAddress address)
    {
        uint ip = address.Ipv4;
        if (ip >> 16 != 0x0A00) return -1;
        int node = (int)(ip & 0xFFFF);
        return node < _down.Length ? node : -1;
    }

    public bool IsDown(int node) => _down[node];

    public void SetDown(int node, bool down) => _down[node] = down;

    public void SetPartitioned(bool partitioned) => _partitioned = partitioned;

    /// <summary>Sends <paramref name="length"/> bytes of <paramref name="packet"/> (which the caller no longer writes) from one node to an address.</summary>
    public void Send(int from, PeerAddress to, byte[] packet, int length)
    {
        int target = NodeOf(to);
        PacketsSent++;
        BytesSent += length;
        if (target < 0 || _down[from] || target == from) return;
        if (_partitioned && _minoritySide[from] != _minoritySide[target]) { PacketsCut++; return; }
        if (_options.LossPpm != 0 && _rng.Chance(_options.LossPpm)) { PacketsLost++; return; }
        long delayUs = (long)_options.LatencyMs * 1000;
        if (_options.JitterMs > 0) delayUs += _rng.NextInt(2 * _options.JitterMs * 1000 + 1) - _options.JitterMs * 1000;
        _events.After(delayUs * 1000, new SimEvent(SimEventKind.Deliver, target, FromNode: from, ToPort: to.Port, Packet: packet, Length: length));
    }
}
