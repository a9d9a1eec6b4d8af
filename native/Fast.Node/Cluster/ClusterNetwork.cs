using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Fast.Core.Collections;
using Fast.Core.Gossip;
using Fast.Core.Primitives;
using Fast.Core.Repair;
using Fast.Core.Shreds;
using Fast.Core.Turbine;
using Fast.Crypto;
using Fast.Validator.Forks;
using Fast.Validator.Gossip;
using Fast.Validator.Leader;
using Fast.Validator.Machines;
using Fast.Validator.Net;
using Fast.Validator.Repair;
using Fast.Validator.Signing;
using Fast.Validator.Tvu;
using Fast.Validator.Turbine;

namespace Fast.Node.Cluster;

/// <summary>
/// The cluster side of a validator's network: one named thread ("fast-cluster") that owns the gossip,
/// TVU and repair UDP sockets and drives the Fast.Validator machines with them — gossip
/// (<see cref="GossipMachine"/>: who is in the cluster and at which addresses), the shred receiver
/// (<see cref="ShredReceiver"/>: verify, retransmit down the Turbine tree, FEC recovery, equivocation),
/// and repair (<see cref="RepairMachine"/>: ask peers for missing shreds, serve theirs from
/// <see cref="ShredStore"/>). The leader's own shreds come in on <see cref="OwnShreds"/> and go to
/// their Turbine roots; every block held whole is deshredded and handed to the banking thread on
/// <see cref="Blocks"/>. What the machines decide is theirs; this class only moves bytes and time.
/// </summary>
public sealed partial class ClusterNetwork : IDisposable
{
    /// <summary>How often the machines' timers run (gossip rounds, repair requests).</summary>
    private const long TickNs = 10_000_000;

    private readonly ClusterConfig _config;
    private readonly Hash _genesisHash;
    private readonly ushort _shredVersion;
    private readonly long _genesisUnixMs;
    private readonly long _slotMs;
    private readonly TextWriter _log;
    private readonly Socket _gossipSocket;
    private readonly Socket _tvuSocket;
    private readonly Socket _repairSocket;
    private readonly SocketAddress _sendAddress;
    private readonly byte[] _packet = new byte[2048];
    private readonly NetworkWaiter _waiter;
    private readonly Func<bool> _hasQueuedWork;
    private readonly long _startTimestamp;
    private readonly long _startUnixMs;
    private readonly Thread _thread;
    private readonly ShredStore _store = new();
    private readonly Deshredder _deshredder = new();
    private readonly Queue<(ulong Slot, ulong ParentSlot, Hash BlockId, Hash ParentId, uint Shreds)> _full = new();
    private readonly List<(ulong Slot, byte[] Evidence)> _evidence = [];
    private volatile bool _stopping;
    private long _nextTickNs;
    private long _nextPeerRefreshNs;

    public ClusterNetwork(ClusterConfig config, Keypair identity, Hash genesisHash, ushort shredVersion, long genesisUnixMs, long slotMs,
        IReadOnlyList<(Pubkey Identity, ulong Stake)> stakes, LeaderScheduleCache schedule, BlockRef root, int tpuPort, int rpcPort, TextWriter log)
    {
        _config = config;
        _genesisHash = genesisHash;
        _shredVersion = shredVersion;
        _genesisUnixMs = genesisUnixMs;
        _slotMs = slotMs;
        _log = log;
        Identity = new Pubkey(identity.PublicKey);
        _startTimestamp = Stopwatch.GetTimestamp();
        _startUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        _gossipSocket = Bind(config.GossipPort, "gossip");
        _tvuSocket = Bind(config.TvuPort, "tvu");
        _repairSocket = Bind(config.RepairPort, "repair");
        _waiter = new NetworkWaiter(_gossipSocket, _tvuSocket, _repairSocket);
        _hasQueuedWork = () => !OwnShreds.IsEmpty || !OwnBlocks.IsEmpty;
        _sendAddress = new IPEndPoint(IPAddress.Loopback, 0).Serialize();

        KeypairSigner signer = new(identity);
        ISignatureVerifier verifier = SchnorrSignatureVerifier.Instance;
        uint advertised = Ipv4Of(config.AdvertisedAddress);
        ContactInfo self = new()
        {
            Gossip = new Ipv4Endpoint(advertised, (ushort)GossipEndPoint.Port),
            Tvu = new Ipv4Endpoint(advertised, (ushort)TvuEndPoint.Port),
            Repair = new Ipv4Endpoint(advertised, (ushort)RepairEndPoint.Port),
            Tpu = new Ipv4Endpoint(advertised, (ushort)tpuPort),
            Rpc = new Ipv4Endpoint(advertised, (ushort)rpcPort),
            Version = new SoftwareVersion(0, 1, 0),
        };
        byte[] seed = RandomNumberGenerator.GetBytes(16);
        Gossip = new GossipMachine(signer, self, genesisHash, shredVersion, verifier, seed, (ulong)_startUnixMs);
        if (config.Entrypoint is IPEndPoint entry) Gossip.AddEntrypoint(new PeerAddress(Ipv4Of(entry.Address), (ushort)entry.Port));

        TurbineNode[] nodes = [.. stakes.Select(s => new TurbineNode(s.Identity, s.Stake))];
        Routes = new TurbineRoutes(new TurbineShuffleCache(new TurbineTree(nodes, config.TurbineFanout)), Identity, _ => default);
        Receiver = new ShredReceiver(shredVersion, schedule, Routes, verifier);
        Repair = new RepairMachine(signer, verifier, BitConverter.ToUInt64(seed));
        Forks = new ForkTree(root);
        Receiver.SetRoot(root.Slot);
        Repair.SetRoot(root.Slot);
        _thread = new Thread(Run) { Name = "fast-cluster", IsBackground = true };
    }

    public Pubkey Identity { get; }
    public IPEndPoint GossipEndPoint => (IPEndPoint)_gossipSocket.LocalEndPoint!;
    public IPEndPoint TvuEndPoint => (IPEndPoint)_tvuSocket.LocalEndPoint!;
    public IPEndPoint RepairEndPoint => (IPEndPoint)_repairSocket.LocalEndPoint!;

    /// <summary>Wakes the network thread after queueing to <see cref="OwnShreds"/> or <see cref="OwnBlocks"/>.</summary>
    public void Wake() => _waiter.Ring();

    /// <summary>In: the leader's shreds (from the ledger writer's broadcaster).</summary>
    public BoundedQueue<OwnShred> OwnShreds { get; } = new(1 << 16);

    /// <summary>In: the leader's finished blocks (their ids), for the fork tree repair walks.</summary>
    public BoundedQueue<OwnBlock> OwnBlocks { get; } = new(256);

    /// <summary>Out: whole blocks for the banking thread to replay.</summary>
    public BoundedQueue<ReceivedBlock> Blocks { get; } = new(1024);

    /// <summary>The replay pre-verifier's slot assembly (null: off); set before <see cref="Start"/>.</summary>
    public SlotEntryPrefixes? Prefixes { get; set; }

    /// <summary>Set when the thread died (a bug): the node stops.</summary>
    public Exception? Failure { get; private set; }

    // The machines: the network thread's alone.
    private GossipMachine Gossip { get; }
    private ShredReceiver Receiver { get; }
    private RepairMachine Repair { get; }
    private TurbineRoutes Routes { get; }
    private ForkTree Forks { get; }

    /// <summary>The node's monotonic clock since this object was made.</summary>
    public NodeTime Now => new((long)Stopwatch.GetElapsedTime(_startTimestamp).TotalNanoseconds);

    /// <summary>The slot the wall clock is in (genesis creation time + slot × slot length).</summary>
    public ulong WallClockSlot
    {
        get
        {
            long since = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - _genesisUnixMs;
            return since <= 0 ? 0 : (ulong)(since / _slotMs);
        }
    }

    public void Start() => _thread.Start();

    private Socket Bind(int port, string name)
    {
        Socket socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { Blocking = false };
        try
        {
            socket.ReceiveBufferSize = 8 << 20;
            socket.SendBufferSize = 8 << 20;
            socket.Bind(new IPEndPoint(_config.BindAddress, port));
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new Validator.ValidatorStartException($"cannot bind the {name} port {_config.BindAddress}:{port}: {e.Message}", environment: true);
        }
        return socket;
    }

    private static uint Ipv4Of(IPAddress address)
    {
        byte[] b = (address.Equals(IPAddress.Any) ? IPAddress.Loopback : address).MapToIPv4().GetAddressBytes();
        return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
    }

    private void Run()
    {
        try
        {
            while (!_stopping)
            {
                bool busy = false;
                NodeTime now = Now;
                busy |= ReceiveFrom(_tvuSocket, PacketKind.Tvu, now);
                busy |= ReceiveFrom(_repairSocket, PacketKind.Repair, now);
                busy |= ReceiveFrom(_gossipSocket, PacketKind.Gossip, now);
                busy |= SendOwnShreds();
                Prefixes?.Advance(_store);
                while (OwnBlocks.TryDequeue(out OwnBlock own)) AddBlock(new BlockRef(own.Slot, own.BlockId), new BlockRef(own.ParentSlot, own.ParentBlockId));
                if (now.Nanoseconds >= _nextTickNs)
                {
                    _nextTickNs = now.Nanoseconds + TickNs;
                    OnTick(now);
                }
                if (!busy) _waiter.Wait((int)Math.Clamp((_nextTickNs - Now.Nanoseconds) / 1_000_000 + 1, 1, TickNs / 1_000_000), _hasQueuedWork);
            }
        }
        catch (Exception e)
        {
            Failure = e;
            _log.WriteLine($"cluster: the network thread failed: {e.Message}");
        }
    }

    private enum PacketKind : byte { Gossip, Tvu, Repair }

    /// <summary>Takes up to 256 packets waiting on <paramref name="socket"/>; true when there were any.</summary>
    private bool ReceiveFrom(Socket socket, PacketKind kind, NodeTime now)
    {
        int taken = 0, errors = 0;
        while (taken < 256 && errors < 256)
        {
            int length = NetworkWaiter.TryReceive(socket, _packet, out uint ipv4, out ushort port);
            if (length == 0) break;
            if (length < 0)
            {
                errors++;
                Counters.ReceiveErrors++;
                continue; // ICMP port unreachable from an earlier send: the next one
            }
            if (length > _packet.Length)
            {
                errors++;
                Counters.ReceiveErrors++;
                continue; // longer than any packet of ours: truncated, dropped
            }
            taken++;
            PeerAddress from = new(ipv4, port);
            ReadOnlySpan<byte> packet = _packet.AsSpan(0, length);
            Sink sink = new(this, socket);
            switch (kind)
            {
                case PacketKind.Gossip:
                    Counters.GossipPackets++;
                    Gossip.OnPacket(from, packet, now, ref sink);
                    break;
                case PacketKind.Tvu:
                    Counters.ShredPackets++;
                    Receiver.OnShred(packet, ref sink);
                    break;
                default:
                    Counters.RepairPackets++;
                    if (length == RepairRequestView.Size) Repair.OnRequest(from, packet, now, _store, ref sink);
                    else Repair.OnResponse(packet, Receiver, ref sink);
                    break;
            }
            DeliverFullSlots();
        }
        return taken > 0;
    }

    private bool SendOwnShreds()
    {
        int sent = 0;
        while (sent < 1024 && OwnShreds.TryDequeue(out OwnShred? shred))
        {
            sent++;
            if (shred.IsData) _store.Put(shred.Slot, shred.Index, shred.Bytes);
            if (Routes.TryRoot(shred.Slot, Identity, shred.Index, shred.IsData, out PeerAddress root) && !root.IsUnspecified) SendTo(_tvuSocket, root, shred.Bytes);
            else Counters.OwnShredsWithoutRoute++;
            Counters.OwnShredsSent++;
        }
        return sent > 0;
    }

    private void OnTick(NodeTime now)
    {
        Receiver.OnSlot(WallClockSlot);
        Sink gossip = new(this, _gossipSocket);
        Gossip.OnTick(now, ref gossip);
        Sink repair = new(this, _repairSocket);
        Repair.OnTick(now, Receiver, Forks, ref repair);
        DeliverFullSlots();
        if (now.Nanoseconds >= _nextPeerRefreshNs)
        {
            _nextPeerRefreshNs = now.Nanoseconds + 200_000_000;
            RefreshPeers();
        }
        PublishStats();
    }

    private void SendTo(Socket socket, PeerAddress to, ReadOnlySpan<byte> packet)
    {
        Span<byte> sa = _sendAddress.Buffer.Span;
        sa[2] = (byte)(to.Port >> 8);
        sa[3] = (byte)to.Port;
        sa[4] = (byte)(to.Ipv4 >> 24);
        sa[5] = (byte)(to.Ipv4 >> 16);
        sa[6] = (byte)(to.Ipv4 >> 8);
        sa[7] = (byte)to.Ipv4;
        try
        {
            socket.SendTo(packet, SocketFlags.None, _sendAddress);
            Counters.PacketsSent++;
        }
        catch (SocketException)
        {
            Counters.SendErrors++; // a full socket buffer or an unreachable peer: UDP, the protocols retry
        }
    }

    public void Dispose()
    {
        _stopping = true;
        if (_thread.IsAlive) _thread.Join();
        _gossipSocket.Dispose();
        _tvuSocket.Dispose();
        _waiter.Dispose();
        _repairSocket.Dispose();
    }
}
