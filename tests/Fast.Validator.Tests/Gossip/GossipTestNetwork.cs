using System.Buffers.Binary;
using Fast.Core.Gossip;
using Fast.Core.Primitives;
using Fast.Core.Rng;
using Fast.Crypto;
using Fast.Validator.Gossip;
using Fast.Validator.Machines;
using Fast.Validator.Net;
using Fast.Validator.Signing;
using Xunit;

namespace Fast.Validator.Tests.Gossip;

/// <summary>
/// A signer whose signatures depend only on the key and the message (BIP-340 with all-zero auxiliary
/// randomness), so two runs of a test sign the same bytes.
/// </summary>
internal sealed class DeterministicSigner(Keypair keypair) : INodeSigner
{
    private static readonly byte[] ZeroAux = new byte[32];

    public Pubkey Identity { get; } = new(keypair.PublicKey);

    public Keypair Keypair => keypair;

    public void Sign(ReadOnlySpan<byte> message, Span<byte> signature) => keypair.Sign(message, signature, ZeroAux);
}

/// <summary>One packet in flight in the <see cref="GossipTestNetwork"/>.</summary>
internal readonly record struct SentPacket(long AtNs, PeerAddress From, PeerAddress To, byte[] Bytes);

/// <summary>
/// A deterministic in-test network for gossip machines: nodes at 10.0.0.x:8001, a queue of packets
/// ordered by (delivery time, send order), a fixed one-way latency, optional seeded loss, and virtual
/// time advanced in ticks.
/// Every send is logged (for the same-seed-same-bytes test). Nodes can be silenced (crashed: neither
/// ticked nor delivered to), and the test can inject raw packets from any address.
/// </summary>
internal sealed class GossipTestNetwork
{
    public static readonly Hash Genesis = Hash.Compute("fast gossip test genesis"u8);
    public const ushort ShredVersion = 4242;
    public const ulong WallclockAtZeroMs = 1_800_000_000_000;

    private readonly PriorityQueue<SentPacket, (long, long)> _inFlight = new();
    private long _sequence;
    private readonly Dictionary<PeerAddress, int> _byAddress = [];

    public List<GossipMachine> Nodes { get; } = [];
    public List<DeterministicSigner> Signers { get; } = [];
    public List<PeerAddress> Addresses { get; } = [];
    public HashSet<int> Silenced { get; } = [];
    public List<SentPacket> Log { get; } = [];

    /// <summary>Packets delivered to an address no node has (the test's attacker address): the attacker reads them here.</summary>
    public List<SentPacket> ToOutsiders { get; } = [];

    public long LatencyNs { get; init; } = 5_000_000;

    /// <summary>Each packet between nodes is lost with this probability (parts per million), drawn from a seeded rng.</summary>
    public uint LossPartsPerMillion { get; init; }

    private DeterministicRng _lossRng = DeterministicRng.FromSeed(0x10557);
    public NodeTime Now { get; private set; }

    public static Keypair KeyFor(int index, string label = "node")
    {
        byte[] secret = Hash.Compute(System.Text.Encoding.ASCII.GetBytes($"gossip-test {label} {index}")).Span.ToArray();
        Assert.True(Keypair.TryFromSecretKey(secret, out Keypair? keypair));
        return keypair!;
    }

    public static PeerAddress AddressFor(int index) => PeerAddress.FromOctets(10, 0, (byte)(index / 200), (byte)(index % 200 + 1), 8001);

    public static ContactInfo ContactFor(PeerAddress gossip) => new()
    {
        Gossip = new Ipv4Endpoint(gossip.Ipv4, gossip.Port),
        Tpu = new Ipv4Endpoint(gossip.Ipv4, 8003),
        TpuForwards = new Ipv4Endpoint(gossip.Ipv4, 8004),
        Tvu = new Ipv4Endpoint(gossip.Ipv4, 8005),
        Repair = new Ipv4Endpoint(gossip.Ipv4, 8006),
        Rpc = new Ipv4Endpoint(gossip.Ipv4, 8899),
        Version = new SoftwareVersion(0, 1, 0),
    };

    public static GossipOptions TestOptions => new();

    /// <summary>Adds a node; it knows only <paramref name="entrypoint"/> (if any).</summary>
    public GossipMachine AddNode(ulong seed, PeerAddress? entrypoint, Hash? genesis = null, ushort? shredVersion = null, GossipOptions? options = null)
    {
        int index = Nodes.Count;
        var signer = new DeterministicSigner(KeyFor(index));
        PeerAddress address = AddressFor(index);
        byte[] rngSeed = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(rngSeed, seed);
        BinaryPrimitives.WriteUInt64LittleEndian(rngSeed.AsSpan(8), (ulong)index);
        var machine = new GossipMachine(signer, ContactFor(address), genesis ?? Genesis, shredVersion ?? ShredVersion,
            SchnorrSignatureVerifier.Instance, rngSeed, WallclockAtZeroMs, options ?? TestOptions);
        if (entrypoint is { } e) machine.AddEntrypoint(e);
        Nodes.Add(machine);
        Signers.Add(signer);
        Addresses.Add(address);
        _byAddress[address] = index;
        return machine;
    }

    /// <summary>A packet from outside the cluster (an attacker), delivered after the usual latency.</summary>
    public void Inject(PeerAddress from, PeerAddress to, ReadOnlySpan<byte> packet) => Enqueue(from, to, packet);

    private void Enqueue(PeerAddress from, PeerAddress to, ReadOnlySpan<byte> packet)
    {
        if (LossPartsPerMillion > 0 && _lossRng.Chance(LossPartsPerMillion)) return;
        var sent = new SentPacket(Now.Nanoseconds + LatencyNs, from, to, packet.ToArray());
        Log.Add(sent with { AtNs = Now.Nanoseconds });
        _inFlight.Enqueue(sent, (sent.AtNs, _sequence++));
    }

    /// <summary>Runs until <paramref name="until"/>: every <paramref name="tickMs"/> each live node ticks; packets arrive when due.</summary>
    public void RunUntil(NodeTime until, long tickMs = 10, Func<bool>? stopWhen = null)
    {
        while (Now < until)
        {
            NodeTime next = Now.AddMilliseconds(tickMs);
            while (_inFlight.TryPeek(out SentPacket packet, out (long At, long) key) && key.At < next.Nanoseconds)
            {
                _inFlight.Dequeue();
                Now = new NodeTime(Math.Max(Now.Nanoseconds, key.At));
                Deliver(packet);
            }
            Now = next;
            for (int i = 0; i < Nodes.Count; i++)
            {
                if (Silenced.Contains(i)) continue;
                var sink = new Sink(this, Addresses[i]);
                Nodes[i].OnTick(Now, ref sink);
            }
            if (stopWhen?.Invoke() == true) return;
        }
    }

    private void Deliver(SentPacket packet)
    {
        if (!_byAddress.TryGetValue(packet.To, out int index))
        {
            ToOutsiders.Add(packet);
            return;
        }
        if (Silenced.Contains(index)) return;
        var sink = new Sink(this, packet.To);
        Nodes[index].OnPacket(packet.From, packet.Bytes, Now, ref sink);
    }

    /// <summary>True when every node in <paramref name="members"/> lists every other member as a peer.</summary>
    public bool AllKnowEachOther(IReadOnlyList<int> members)
    {
        foreach (int i in members)
        {
            foreach (int j in members)
            {
                if (i != j && !Nodes[i].TryGetPeer(Signers[j].Identity, out _)) return false;
            }
        }
        return true;
    }

    /// <summary>sha256 over every send (time, from, to, bytes), in order.</summary>
    public Hash LogDigest()
    {
        using var stream = new MemoryStream();
        Span<byte> header = stackalloc byte[8 + 2 * PeerAddress.EncodedSize];
        foreach (SentPacket sent in Log)
        {
            BinaryPrimitives.WriteInt64LittleEndian(header, sent.AtNs);
            sent.From.Write(header[8..]);
            sent.To.Write(header[14..]);
            stream.Write(header);
            stream.Write(sent.Bytes);
        }
        return Hash.Compute(stream.ToArray());
    }

    /// <summary>A node's sink: its sends enter the network's queue with its address as the source.</summary>
    private readonly struct Sink(GossipTestNetwork network, PeerAddress self) : ISendActions
    {
        public void Send(PeerAddress to, ReadOnlySpan<byte> packet) => network.Enqueue(self, to, packet);
    }
}
