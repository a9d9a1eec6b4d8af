using Fast.Core.Rng;
using Fast.Validator.Net;

namespace Fast.Simulation;

/// <summary>
/// The simulated wire between nodes: each packet is dropped with --loss, delayed by --latency-ms ±
/// --jitter-ms (uniform, and at least <see cref="MinDelayNs"/>), lost when it crosses an active
/// --partition, and never delivered to or sent by a crashed node. Each sender has its own seeded
/// <see cref="DeterministicRng"/> and numbers its packets, so what happens to a node's packets
/// depends on that node's sends alone, whichever thread runs it. A packet waits in its sender's
/// outbox until the step ends (<see cref="DeliverOutboxes"/>): it cannot arrive within the step,
/// which is never longer than the shortest delay. Node i is 10.0.(i / 256).(i % 256); ports name the service.
/// </summary>
internal sealed class VirtualNetwork
{
    /// <summary>The shortest time a packet takes (when --latency-ms minus --jitter-ms is below it, packets take this long).</summary>
    public const long MinDelayNs = 1_000_000;

    private readonly SimulationOptions _options;
    private readonly DeterministicRng[] _rng;
    private readonly List<(int Target, long TimeNs, long Seq, SimEvent Event)>[] _outbox;
    private readonly long[] _sent, _bytes, _lost, _cut;
    private readonly bool[] _down;
    private readonly bool[] _minoritySide;
    private bool _partitioned;

    public VirtualNetwork(SimulationOptions options, ulong seed)
    {
        _options = options;
        int n = options.Validators;
        _rng = new DeterministicRng[n];
        _outbox = new List<(int, long, long, SimEvent)>[n];
        for (int i = 0; i < n; i++)
        {
            _rng[i] = DeterministicRng.FromSeed(seed ^ 0x6E65_7477_6F72_6BUL ^ ((ulong)i * 0x9E37_79B9_7F4A_7C15UL));
            _outbox[i] = [];
        }
        _sent = new long[n];
        _bytes = new long[n];
        _lost = new long[n];
        _cut = new long[n];
        _down = new bool[n];
        _minoritySide = new bool[n];
        // The cut-off share is the last nodes by index (node order is a shuffle of identities, so this is not a stake bias).
        int cut = (int)((ulong)n * (1_000_000 - options.PartitionPpm) / 1_000_000);
        for (int i = cut; i < n; i++) _minoritySide[i] = true;
        ShortestDelayNs = Math.Max(MinDelayNs, (long)(options.LatencyMs - options.JitterMs) * 1_000_000);
    }

    /// <summary>No packet arrives sooner than this after it was sent: the longest a parallel step may be.</summary>
    public long ShortestDelayNs { get; }

    public long PacketsSent => _sent.Sum();
    public long PacketsLost => _lost.Sum();
    public long PacketsCut => _cut.Sum();
    public long BytesSent => _bytes.Sum();

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

    /// <summary>Between steps only (the event thread).</summary>
    public void SetDown(int node, bool down) => _down[node] = down;

    /// <summary>Between steps only (the event thread).</summary>
    public void SetPartitioned(bool partitioned) => _partitioned = partitioned;

    /// <summary>
    /// Node <paramref name="from"/> sends <paramref name="length"/> bytes of <paramref name="packet"/> (which
    /// the caller no longer writes) to an address, at and numbered by its clock <paramref name="senderClock"/>.
    /// Touches the sender's state only, so nodes on different threads may send at once.
    /// </summary>
    public void Send(int from, EventQueue senderClock, PeerAddress to, byte[] packet, int length)
    {
        int target = NodeOf(to);
        _sent[from]++;
        _bytes[from] += length;
        if (target < 0 || _down[from] || target == from) return;
        if (_partitioned && _minoritySide[from] != _minoritySide[target]) { _cut[from]++; return; }
        ref DeterministicRng rng = ref _rng[from];
        if (_options.LossPpm != 0 && rng.Chance(_options.LossPpm)) { _lost[from]++; return; }
        long delayUs = (long)_options.LatencyMs * 1000;
        if (_options.JitterMs > 0) delayUs += rng.NextInt(2 * _options.JitterMs * 1000 + 1) - _options.JitterMs * 1000;
        long delayNs = Math.Max(MinDelayNs, delayUs * 1000);
        _outbox[from].Add((target, senderClock.Now + delayNs, senderClock.NextSeq(), new SimEvent(SimEventKind.Deliver, target, FromNode: from, ToPort: to.Port, Packet: packet, Length: length)));
    }

    /// <summary>Between steps (the event thread): every packet sent joins its target's clock.</summary>
    public void DeliverOutboxes(SimNode[] nodes)
    {
        for (int from = 0; from < _outbox.Length; from++)
        {
            List<(int Target, long TimeNs, long Seq, SimEvent Event)> box = _outbox[from];
            foreach ((int target, long time, long seq, SimEvent e) in box) nodes[target].Events.At(time, from, seq, e);
            box.Clear();
        }
    }
}
