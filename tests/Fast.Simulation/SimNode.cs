using Fast.Core.Primitives;
using Fast.Core.Shreds;
using Fast.Crypto;
using Fast.Core.Gossip;
using Fast.Validator.Forks;
using Fast.Validator.Gossip;
using Fast.Validator.Leader;
using Fast.Validator.Machines;
using Fast.Validator.Net;
using Fast.Validator.Repair;
using Fast.Validator.Signing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Fast.Validator.Tvu;
using Fast.Validator.Turbine;
using Fast.Validator.Replay;

namespace Fast.Simulation;

/// <summary>
/// One simulated validator: the real Fast.Validator machines (leader slot controller, shred receiver,
/// repair, gossip, replay, fork trees) with an in-memory shred store and its own bank chain
/// (SimNode.Bank.cs), driven by <see cref="Simulation"/>'s events. What a node does with the machines'
/// actions (send, retransmit, store, replay) is the part Fast.Node does with threads and sockets. Like
/// Fast.Node it keeps two fork trees: <see cref="Received"/> (whole blocks, the network side: repair
/// asks for orphans' parents from it, its root bounds the receiver's window) and <see cref="Forks"/>
/// (replayed blocks, the banking side: the leader builds on it and the banks are rooted by it).
/// </summary>
internal sealed partial class SimNode
{
    public const ushort TvuPort = 8001;
    public const ushort RepairPort = 8002;
    public const ushort GossipPort = 8000;

    /// <summary>Slots of shreds a node keeps below its root, to serve repair (a node that was down this long cannot catch up).</summary>
    public const ulong RetainedSlots = 256;

    private readonly Simulation _sim;
    private readonly SimShredStore _store = new();
    private byte[]? _currentPacket;
    private readonly Deshredder _deshredder = new();
    private readonly Queue<(ulong Slot, ulong ParentSlot, Hash BlockId, Hash ParentId, uint Shreds)> _full = new();

    public SimNode(Simulation sim, int index, Keypair key, LeaderSlotController leader, TurbineRoutes routes, BlockRef genesis)
    {
        _sim = sim;
        Index = index;
        Events = new EventQueue(index);
        Key = key;
        Identity = new Pubkey(key.PublicKey);
        Leader = leader;
        Routes = routes;
        Forks = new ForkTree(genesis);
        Received = new ForkTree(genesis);
        OpenBanks(sim.StoreDirectory(index));
        Tvu = NewReceiver();
        Repair = new RepairMachine(new KeypairSigner(key), sim.Verifier, sim.Options.Seed * 1_000_003 + (ulong)index);
        Gossip = NewGossip();
    }

    /// <summary>Gossip: every node starts knowing only the entrypoint (node 0) and learns the cluster's addresses from it.</summary>
    public GossipMachine Gossip { get; private set; }

    private GossipMachine NewGossip()
    {
        ContactInfo self = new()
        {
            Gossip = Endpoint(GossipPort),
            Tvu = Endpoint(TvuPort),
            Repair = Endpoint(RepairPort),
            Version = new SoftwareVersion(0, 1, 0),
        };
        byte[] seed = new byte[16];
        BitConverter.TryWriteBytes(seed, _sim.Options.Seed);
        BitConverter.TryWriteBytes(seed.AsSpan(8), (ulong)Index + 1 + ((ulong)Events.Now << 20));
        GossipMachine g = new(new KeypairSigner(Key), self, _sim.GenesisHash, Simulation.ShredVersion, _sim.Verifier, seed, Simulation.WallclockAtZeroMs);
        if (Index != 0) g.AddEntrypoint(VirtualNetwork.AddressOf(0, GossipPort));
        return g;
    }

    private Ipv4Endpoint Endpoint(ushort port)
    {
        PeerAddress a = VirtualNetwork.AddressOf(Index, port);
        return new Ipv4Endpoint(a.Ipv4, a.Port);
    }

    public void OnGossipPacket(int fromNode, byte[] packet, int length, NodeTime now)
    {
        Sink sink = new(this);
        Gossip.OnPacket(VirtualNetwork.AddressOf(fromNode, GossipPort), packet.AsSpan(0, length), now, ref sink);
    }

    /// <summary>
    /// Turbine children and repair peers come from what gossip knows (refreshed every gossip round).
    /// Both are functions of gossip's (identity, TVU, repair) peer list, so when that list is what it
    /// was at the last refresh (the usual case once the cluster is known) the routes and repair peers
    /// already are what a refresh would make, and the refresh is skipped.
    /// </summary>
    public void RefreshPeersFromGossip()
    {
        GossipMachine g = Gossip;
        int count = g.PeerCount;
        if (_peersKnown && count == _lastPeers.Count)
        {
            int same = 0;
            while (same < count && _lastPeers[same] == PeerEntry(g.GetPeer(same))) same++;
            if (same == count) return;
        }
        _peersKnown = true;
        _lastPeers.Clear();
        for (int i = 0; i < count; i++) _lastPeers.Add(PeerEntry(g.GetPeer(i)));
        Routes.UpdateAddresses(pk =>
        {
            if (pk == Identity) return VirtualNetwork.AddressOf(Index, TvuPort);
            return g.TryGetPeer(pk, out ContactInfo info) ? new PeerAddress(info.Tvu.Ipv4, info.Tvu.Port) : default;
        });
        List<RepairPeer> peers = [];
        foreach ((Pubkey identity, Ipv4Endpoint _, Ipv4Endpoint repair) in _lastPeers)
        {
            if (!repair.IsUnspecified) peers.Add(new RepairPeer(identity, new PeerAddress(repair.Ipv4, repair.Port)));
        }
        Repair.SetPeers([.. peers]);
    }

    /// <summary>Gossip's peers at the last refresh, in its order: (identity, TVU, repair).</summary>
    private readonly List<(Pubkey Identity, Ipv4Endpoint Tvu, Ipv4Endpoint Repair)> _lastPeers = [];
    private bool _peersKnown;

    private static (Pubkey, Ipv4Endpoint, Ipv4Endpoint) PeerEntry(in ContactInfo info) => (info.Identity, info.Tvu, info.Repair);

    public RepairMachine Repair { get; }

    public int Index { get; }

    /// <summary>This node's clock: the packets it receives and its timer (run on its group's thread, <see cref="NodeWorkers"/>).</summary>
    public EventQueue Events { get; }
    public Keypair Key { get; }
    public Pubkey Identity { get; }
    public LeaderSlotController Leader { get; private set; }
    public TurbineRoutes Routes { get; }
    /// <summary>Replayed (and own) blocks: the leader's fork choice and the root of the banks.</summary>
    public ForkTree Forks { get; }

    /// <summary>Whole blocks received (replayable or not yet): repair's orphan walk and the receiver's window.</summary>
    public ForkTree Received { get; }
    public ShredReceiver Tvu { get; private set; }
    public bool Byzantine { get; set; }

    /// <summary>This leader puts a transfer from an unfunded payer into every block it makes.</summary>
    public bool MakesInvalidBlocks { get; set; }
    public bool Down { get; set; }

    /// <summary>When (virtual ns) this node first held every data shred of a slot.</summary>
    public Dictionary<ulong, long> FullAt { get; } = [];

    /// <summary>Slot → the block this node rooted there.</summary>
    public SortedDictionary<ulong, BlockRef> Rooted { get; } = [];

    /// <summary>Equivocation evidence this node caught: (slot, the encoded evidence).</summary>
    public List<(ulong Slot, byte[] Evidence)> Evidence { get; } = [];

    public long DeshredFailures { get; private set; }

    public TvuCounters RetiredCounters;

    public PeerAddress TvuAddress => VirtualNetwork.AddressOf(Index, TvuPort);

    /// <summary>A crash loses the receiver's in-memory state; the fork tree and last broadcast slot stand for what the Blockstore kept.</summary>
    public void Restart()
    {
        // A restarted process reads its last broadcast slot back and warms up before leading on anything but the previous slot.
        Leader = new LeaderSlotController(Identity, _sim.ScheduleOf(Index), Leader.LastBroadcastSlot, Leader.ParentGraceNs, new NodeTime(Events.Now), warmupNs: 8 * _sim.SlotNs);
        Add(ref RetiredCounters, Tvu.Counters);
        Tvu = NewReceiver();
        Gossip = NewGossip();
        _peersKnown = false; // a new gossip machine: refresh from it whatever it holds
        RefreshPeersFromGossip();
    }

    private ShredReceiver NewReceiver()
    {
        ShredReceiver r = new(Simulation.ShredVersion, _sim.ScheduleOf(Index), Routes, _sim.Verifier);
        r.SetRoot(Received.Root.Slot);
        return r;
    }

    public void OnShred(byte[] packet, int length)
    {
        Sink sink = new(this);
        _currentPacket = length == packet.Length ? packet : null;
        NoteShredSeen(packet.AsSpan(0, length));
        Tvu.OnShred(packet.AsSpan(0, length), ref sink);
        _currentPacket = null;
        ReplayFullSlots();
    }

    /// <summary>A packet on the repair port: a 256-byte request to serve, or a response (shred ‖ nonce).</summary>
    public void OnRepairPacket(int fromNode, byte[] packet, int length, NodeTime now)
    {
        Sink sink = new(this);
        if (length == Fast.Core.Repair.RepairRequestView.Size)
        {
            Repair.OnRequest(VirtualNetwork.AddressOf(fromNode, RepairPort), packet.AsSpan(0, length), now, _store, ref sink);
            return;
        }
        long acceptedBefore = Repair.Counters.ResponsesAccepted;
        Repair.OnResponse(packet.AsSpan(0, length), Tvu, ref sink);
        NoteRepairedShredSeen(packet.AsSpan(0, length), acceptedBefore);
        ReplayFullSlots();
    }

    private void ReplayFullSlots()
    {
        // Full slots are replayed after the receiver returns (replay may move the root, which the receiver must not see mid-shred).
        while (_full.Count > 0)
        {
            (ulong slot, ulong parentSlot, Hash blockId, Hash parentId, uint shreds) = _full.Dequeue();
            SlotFull(slot, parentSlot, blockId, parentId, shreds);
        }
    }

    public void OnTick(NodeTime now)
    {
        Sink sink = new(this);
        Leader.OnTick(now, Forks, ref sink);
        Gossip.OnTick(now, ref sink);
        Repair.OnTick(now, Tvu, Received, ref sink);
    }

    public void OnSlotStart(ulong slot, NodeTime now, NodeTime end)
    {
        Tvu.OnSlot(slot);
        Sink sink = new(this);
        Leader.OnSlotStart(slot, now, end, Forks, ref sink);
    }

    /// <summary>A whole block (own or received) joins the network side's fork tree; its root moves the receiver's and repair's window.</summary>
    public void AddReceived(BlockRef block, BlockRef parent)
    {
        if (Received.Add(block, parent) != ForkAddStatus.Connected) return;
        Received.AdvanceRoot();
        Tvu.SetRoot(Received.Root.Slot);
        Repair.SetRoot(Received.Root.Slot);
        if (Received.Root.Slot > RetainedSlots) _store.PruneBelow(Received.Root.Slot - RetainedSlots);
    }

    /// <summary>This node's own block ended: its frozen bank joins the replayed forks, the block the received ones.</summary>
    public void OwnBlockFinished(BlockRef block, BlockRef parent, Fast.Exec.Banking.Bank bank)
    {
        AddReceived(block, parent);
        Frozen(block, parent, bank);
        ReplaySink sink = new(this);
        Replay.OnOwnBlockFrozen(block.Slot, ref sink);
        LeaderLooksAtForks();
    }

    private void HoldData(ulong slot, uint index, ReadOnlySpan<byte> shred)
    {
        // The delivered packet is shared read-only by every receiver: keep a reference, not a copy.
        byte[] bytes = _currentPacket is { } p && p.Length == shred.Length && Unsafe.AreSame(ref MemoryMarshal.GetReference(shred), ref p[0]) ? p : shred.ToArray();
        _store.Put(slot, index, bytes);
    }

    /// <summary>A leader keeps the data shreds it broadcast, as it would in its Blockstore, so peers can repair them from it.</summary>
    public void StoreOwnShred(ulong slot, uint index, byte[] shred) => _store.Put(slot, index, shred);

    private void SlotFull(ulong slot, ulong parentSlot, in Hash blockId, in Hash parentBlockId, uint dataShreds)
    {
        FullAt.TryAdd(slot, Events.Now);
        byte[]?[]? shreds = _store.Slot(slot);
        if (shreds is null) return;
        // Deshred in index order: checks the chain from the parent's id to the block id again (what replay will do).
        _deshredder.Begin(slot, Simulation.ShredVersion, parentBlockId);
        for (uint i = 0; i < dataShreds; i++)
        {
            byte[]? s = i < shreds.Length ? shreds[i] : null;
            DeshredStatus status = s is null ? DeshredStatus.Gap : _deshredder.TryAdd(s);
            if (status is not (DeshredStatus.Added or DeshredStatus.Completed)) { DeshredFailures++; return; }
        }
        if (!_deshredder.IsComplete || _deshredder.BlockId != blockId) { DeshredFailures++; return; }
        if (!Simulation.TryCountEntries(_deshredder.Entries, out int entries)) { DeshredFailures++; return; }
        AddReceived(new BlockRef(slot, blockId), new BlockRef(parentSlot, parentBlockId));
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        ReplayBlock(new WholeBlock(slot, parentSlot, blockId, parentBlockId, _deshredder.Entries.ToArray(), entries));
        _sim.Phases.Add(1 + _sim.Workers.GroupOf(Index), SimPhase.Replay, start);
    }

    private static void Add(ref TvuCounters total, in TvuCounters c)
    {
        total.Received += c.Received;
        total.Accepted += c.Accepted;
        total.DroppedBadSignature += c.DroppedBadSignature;
        total.DroppedConflictingVersion += c.DroppedConflictingVersion;
        total.DroppedDuplicate += c.DroppedDuplicate;
        total.DroppedMalformed += c.DroppedMalformed;
        total.DroppedOutOfRange += c.DroppedOutOfRange;
        total.SetsCompletedByReceipt += c.SetsCompletedByReceipt;
        total.SetsRecovered += c.SetsRecovered;
        total.ShredsRecovered += c.ShredsRecovered;
        total.SlotsFull += c.SlotsFull;
        total.Equivocations += c.Equivocations;
        total.Retransmitted += c.Retransmitted;
    }

    /// <summary>The node's action sink: the machines' actions become virtual sends and store writes.</summary>
    private readonly struct Sink(SimNode node) : ITvuActions, ILeaderActions
    {
        public void Send(PeerAddress to, ReadOnlySpan<byte> packet) => node._sim.Network.Send(node.Index, node.Events, to, packet.ToArray(), packet.Length);

        public void Retransmit(ReadOnlySpan<PeerAddress> children, ReadOnlySpan<byte> shred)
        {
            byte[] shared = shred.ToArray();
            foreach (PeerAddress child in children) node._sim.Network.Send(node.Index, node.Events, child, shared, shared.Length);
        }

        public void DataShredHeld(ulong slot, uint index, ReadOnlySpan<byte> shred, bool recovered) => node.HoldData(slot, index, shred);

        public void SlotFull(ulong slot, ulong parentSlot, in Hash blockId, in Hash parentBlockId, uint dataShreds) => node._full.Enqueue((slot, parentSlot, blockId, parentBlockId, dataShreds));

        public void Equivocation(ulong slot, in Pubkey leader, ReadOnlySpan<byte> evidence)
        {
            node.Evidence.Add((slot, evidence.ToArray()));
            node.Received.MarkDuplicate(slot);
            node.Forks.MarkDuplicate(slot);
        }

        public void StartLeaderSlot(ulong slot, BlockRef parent) => node._sim.Producer.Start(node, slot, parent);

        public void SkipLeaderSlot(ulong slot, LeaderSkipReason reason) => node._sim.Producer.Skipped(node, slot, reason);
    }
}
