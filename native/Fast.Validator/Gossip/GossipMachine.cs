using Fast.Core.Codec;
using Fast.Core.Gossip;
using Fast.Core.Primitives;
using Fast.Core.Rng;
using Fast.Validator.Machines;
using Fast.Validator.Net;
using Fast.Validator.Signing;

namespace Fast.Validator.Gossip;

/// <summary>
/// The gossip protocol as a sans-IO machine (ARCHITECTURE.md rule 1): how a node learns who else is in
/// its cluster and where to reach them. It holds a table of signed contact-info values keyed by origin,
/// pushes new values to <c>PushFanout</c> random peers, pulls from a random peer with a Bloom filter of
/// what it holds, answers pulls with what the requester lacks, and talks push/pull only with peers whose
/// (address, identity) answered a ping of ours. It drops and counts (<see cref="Counters"/>) malformed,
/// forged, wrong-cluster, stale, unpinged and flooding traffic, and expires silent peers. Fast.Node feeds
/// it packets from the gossip socket and a timer; the simulator feeds it from a virtual network. One
/// thread at a time (the gossip thread, or the simulator's loop); the sink copies what it is given and
/// never calls back into the machine (every send is built in one reused scratch buffer). Partial files by concern:
/// <c>.Table</c> (values), <c>.Pings</c> (ping/pong, verification, rate limits), <c>.PushPull</c>.
/// </summary>
public sealed partial class GossipMachine
{
    private readonly INodeSigner _signer;
    private readonly ISignatureVerifier _verifier;
    private readonly GossipOptions _options;
    private readonly Hash _genesisHash;
    private readonly ushort _shredVersion;
    private readonly ulong _wallclockAtZeroMs;
    private DeterministicRng _rng;

    // Scratch, reused for every packet (sinks copy what they are given).
    private readonly byte[] _packet = new byte[GossipMessageView.MaxPacketLength];
    private readonly byte[] _pingPacket = new byte[GossipMessageView.PingLength];
    private readonly byte[] _signingMessage = new byte[Math.Max(GossipValueView.SigningMessageLength, GossipMessageView.PingSigningMessageLength)];

    private ContactInfo _self;
    private bool _started;
    private NodeTime _nextPush;
    private NodeTime _nextPull;
    private NodeTime _nextRefresh;

    private GossipCounters _counters;

    /// <summary>
    /// A machine for the node <paramref name="signer"/> speaks for. <paramref name="self"/> gives its
    /// addresses and software version (its identity, wall clock, shred version and genesis hash are set
    /// here); <paramref name="wallclockAtZeroMs"/> is the node's wall clock (Unix ms) at NodeTime zero, so
    /// the values it signs carry its real clock; <paramref name="rngSeed"/> seeds every random choice and
    /// the ping tokens (Fast.Node draws it from the OS; the simulator from its seed).
    /// </summary>
    public GossipMachine(INodeSigner signer, ContactInfo self, in Hash genesisHash, ushort shredVersion, ISignatureVerifier verifier,
        ReadOnlySpan<byte> rngSeed, ulong wallclockAtZeroMs, GossipOptions? options = null)
    {
        _signer = signer;
        _verifier = verifier;
        _options = options ?? new GossipOptions();
        _options.Validate();
        if (self.Gossip.IsUnspecified) throw new ArgumentException("the node needs a gossip address", nameof(self));
        _genesisHash = genesisHash;
        _shredVersion = shredVersion;
        _wallclockAtZeroMs = wallclockAtZeroMs;
        _rng = new DeterministicRng(rngSeed);
        _self = self with { Identity = signer.Identity, ShredVersion = shredVersion, GenesisHash = genesisHash, WallclockMs = 0 };
        InitTable();
        InitPings();
    }

    public Pubkey Identity => _signer.Identity;

    /// <summary>This node's contact info as last signed.</summary>
    public ContactInfo Self => _self;

    public ref readonly GossipCounters Counters => ref _counters;

    public GossipOptions Options => _options;

    /// <summary>The node's wall clock at <paramref name="now"/>, Unix ms (what its values carry).</summary>
    public ulong WallclockMs(NodeTime now) => _wallclockAtZeroMs + (ulong)Math.Max(0, now.Milliseconds);

    /// <summary>
    /// A gossip address to join through (<c>--entrypoint HOST:PORT</c>). Its identity is learned from its
    /// pong; until then it is pinged every PingRetryMs, then pulled from like any verified peer.
    /// </summary>
    public void AddEntrypoint(PeerAddress address)
    {
        if (address.IsUnspecified) throw new ArgumentException("unspecified entrypoint", nameof(address));
        AddEntrypointAddress(address);
    }

    /// <summary>Time passed: re-sign our value when due, expire silent peers, run push and pull rounds.</summary>
    public void OnTick<TSink>(NodeTime now, ref TSink actions) where TSink : struct, ISendActions
    {
        if (!_started)
        {
            _started = true;
            _nextPush = now;
            _nextPull = now;
            _nextRefresh = now;
        }
        if (now >= _nextRefresh)
        {
            RefreshSelf(now);
            _nextRefresh = now.AddMilliseconds(_options.RefreshIntervalMs);
        }
        ExpireSilentPeers(now);
        ExpireVerifications(now);
        if (now >= _nextPush)
        {
            PushRound(now, ref actions);
            _nextPush = now.AddMilliseconds(_options.PushIntervalMs);
        }
        if (now >= _nextPull)
        {
            PullRound(now, ref actions);
            _nextPull = now.AddMilliseconds(_options.PullIntervalMs);
        }
    }

    /// <summary>A gossip packet arrived from <paramref name="from"/> (its source address).</summary>
    public void OnPacket<TSink>(PeerAddress from, ReadOnlySpan<byte> packet, NodeTime now, ref TSink actions) where TSink : struct, ISendActions
    {
        _counters.PacketsReceived++;
        if (!_started) OnTick(now, ref actions);
        RollRateWindow(now);
        DecodeResult decoded = GossipMessageView.TryParse(packet, out GossipMessageView message);
        if (!decoded.IsOk)
        {
            _counters.DecodeErrors++;
            return;
        }
        switch (message.Kind)
        {
            case GossipMessageKind.Ping:
                OnPing(from, message, now, ref actions);
                break;
            case GossipMessageKind.Pong:
                OnPong(from, message, now);
                break;
            case GossipMessageKind.PullRequest:
                OnPullRequest(from, message, now, ref actions);
                break;
            case GossipMessageKind.Push:
            case GossipMessageKind.PullResponse:
                OnValues(from, message, now, ref actions);
                break;
        }
    }

    /// <summary>Re-signs our contact info with the current wall clock (strictly newer than the last) and queues it for push.</summary>
    private void RefreshSelf(NodeTime now)
    {
        ulong wallclock = Math.Max(WallclockMs(now), _self.WallclockMs + 1);
        _self = _self with { WallclockMs = wallclock };
        Span<byte> value = stackalloc byte[GossipValueView.EncodedLength];
        GossipValueWriter.WriteUnsigned(value, _self);
        int length = GossipValueWriter.WriteSigningMessage(value, _signingMessage);
        _signer.Sign(_signingMessage.AsSpan(0, length), value[..Signature.Size]);
        StoreOwnValue(value, now);
    }

    internal static PeerAddress ToPeerAddress(Ipv4Endpoint endpoint) => new(endpoint.Ipv4, endpoint.Port);
}
