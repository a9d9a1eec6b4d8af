using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Fast.Core.Gossip;
using Fast.Core.Ledger;
using Fast.Core.Primitives;
using Fast.Core.Shreds;
using Fast.Validator.Forks;
using Fast.Validator.Gossip;
using Fast.Validator.Net;
using Fast.Validator.Repair;
using Fast.Validator.Tvu;

namespace Fast.Node.Cluster;

/// <summary>What the cluster network did and dropped (network thread writes; /metrics reads).</summary>
public sealed class ClusterCounters
{
    public long GossipPackets;
    public long ShredPackets;
    public long RepairPackets;
    public long PacketsSent;
    public long SendErrors;
    public long ReceiveErrors;
    public long OwnShredsSent;
    public long OwnShredsWithoutRoute;
    public long BlocksDelivered;
    public long BlocksDroppedQueueFull;
    public long DeshredFailures;
    public long Equivocations;
}

/// <summary>A peer as gossip last saw it (for getClusterNodes and for forwarding transactions to leaders).</summary>
public readonly record struct ClusterPeer(Pubkey Identity, IPEndPoint? Gossip, IPEndPoint? Tpu, IPEndPoint? Tvu, IPEndPoint? Rpc, string Version);

/// <summary>The cluster network's machine glue: the action sink, deshredding whole slots, the fork tree repair walks, peers from gossip.</summary>
public sealed partial class ClusterNetwork
{
    public ClusterCounters Counters { get; } = new();

    /// <summary>Counters of the machines, copied by the network thread every tick (read anywhere).</summary>
    public (TvuCounters Tvu, RepairCounters Repair, GossipCounters Gossip, int Peers, ulong Root) Stats => Volatile.Read(ref _stats)!.Value;

    private StrongBox<(TvuCounters, RepairCounters, GossipCounters, int, ulong)>? _stats = new(default);

    /// <summary>The peers gossip knows (verified, not expired), refreshed every 200 ms (read anywhere).</summary>
    public IReadOnlyList<ClusterPeer> Peers => Volatile.Read(ref _peers);

    private IReadOnlyList<ClusterPeer> _peers = [];

    /// <summary>Equivocation evidence caught, newest last (at most 64 kept; network thread writes, read under lock).</summary>
    public IReadOnlyList<(ulong Slot, byte[] Evidence)> Evidence
    {
        get
        {
            lock (_evidence) return [.. _evidence];
        }
    }

    private void PublishStats() => Volatile.Write(ref _stats, new((Receiver.Counters, Repair.Counters, Gossip.Counters, Gossip.PeerCount, Forks.Root.Slot)));

    /// <summary>Turbine children and repair peers from what gossip knows.</summary>
    private void RefreshPeers()
    {
        GossipMachine g = Gossip;
        PeerAddress self = new(Ipv4Of(_config.AdvertisedAddress), (ushort)TvuEndPoint.Port);
        Routes.UpdateAddresses(pk =>
        {
            if (pk == Identity) return self;
            return g.TryGetPeer(pk, out ContactInfo info) ? new PeerAddress(info.Tvu.Ipv4, info.Tvu.Port) : default;
        });
        List<RepairPeer> repairPeers = [];
        List<ClusterPeer> peers = [];
        for (int i = 0; i < g.PeerCount; i++)
        {
            ContactInfo info = g.GetPeer(i);
            if (!info.Repair.IsUnspecified) repairPeers.Add(new RepairPeer(info.Identity, new PeerAddress(info.Repair.Ipv4, info.Repair.Port)));
            peers.Add(new ClusterPeer(info.Identity, EndPoint(info.Gossip), EndPoint(info.Tpu), EndPoint(info.Tvu), EndPoint(info.Rpc), info.Version.ToString()));
        }
        Repair.SetPeers([.. repairPeers]);
        Volatile.Write(ref _peers, peers);
    }

    private static IPEndPoint? EndPoint(Ipv4Endpoint e) =>
        e.IsUnspecified ? null : new IPEndPoint(new IPAddress([(byte)(e.Ipv4 >> 24), (byte)(e.Ipv4 >> 16), (byte)(e.Ipv4 >> 8), (byte)e.Ipv4]), e.Port);

    /// <summary>A whole block joins the repair fork tree; the tree's root moves the receiver's and repair's window.</summary>
    private void AddBlock(BlockRef block, BlockRef parent)
    {
        if (Forks.Add(block, parent) != ForkAddStatus.Connected) return;
        Forks.AdvanceRoot();
        Receiver.SetRoot(Forks.Root.Slot);
        Repair.SetRoot(Forks.Root.Slot);
        _store.Prune(Forks.Root.Slot);
    }

    /// <summary>Deshreds the slots the receiver reported whole (after it returned) and hands them to banking.</summary>
    private void DeliverFullSlots()
    {
        while (_full.Count > 0)
        {
            (ulong slot, ulong parentSlot, Hash blockId, Hash parentId, uint shreds) = _full.Dequeue();
            // In index order: the chain from the parent's id to the block id is checked again, as replay relies on it.
            _deshredder.Begin(slot, _shredVersion, parentId);
            bool ok = true;
            for (uint i = 0; i < shreds && ok; i++)
            {
                byte[]? shred = _store.Get(slot, i);
                ok = shred is not null && _deshredder.TryAdd(shred) is DeshredStatus.Added or DeshredStatus.Completed;
            }
            if (!ok || !_deshredder.IsComplete || _deshredder.BlockId != blockId)
            {
                Counters.DeshredFailures++;
                continue;
            }
            byte[] entries = _deshredder.Entries.ToArray();
            int count = 0;
            foreach (EntryView _ in new EntryStream(entries)) count++;
            AddBlock(new BlockRef(slot, blockId), new BlockRef(parentSlot, parentId));
            if (Blocks.TryEnqueue(new ReceivedBlock(slot, parentSlot, blockId, parentId, entries, count, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()))) Counters.BlocksDelivered++;
            else Counters.BlocksDroppedQueueFull++;
        }
    }

    /// <summary>The machines' actions: sends on the socket the event came in on (its port is the one peers answer), shreds into the store, whole slots queued.</summary>
    private readonly struct Sink(ClusterNetwork network, Socket socket) : ITvuActions
    {
        public void Send(PeerAddress to, ReadOnlySpan<byte> packet) => network.SendTo(socket, to, packet);

        public void Retransmit(ReadOnlySpan<PeerAddress> children, ReadOnlySpan<byte> shred)
        {
            foreach (PeerAddress child in children) network.SendTo(network._tvuSocket, child, shred);
        }

        public void DataShredHeld(ulong slot, uint index, ReadOnlySpan<byte> shred, bool recovered)
        {
            network._store.Put(slot, index, shred);
            network.Prefixes?.DataShredHeld(slot);
        }

        public void SlotFull(ulong slot, ulong parentSlot, in Hash blockId, in Hash parentBlockId, uint dataShreds) =>
            network._full.Enqueue((slot, parentSlot, blockId, parentBlockId, dataShreds));

        public void Equivocation(ulong slot, in Pubkey leader, ReadOnlySpan<byte> evidence)
        {
            network.Counters.Equivocations++;
            network.Forks.MarkDuplicate(slot);
            lock (network._evidence)
            {
                network._evidence.Add((slot, evidence.ToArray()));
                if (network._evidence.Count > 64) network._evidence.RemoveAt(0);
            }
            network._log.WriteLine($"cluster: leader {leader} equivocated in slot {slot}: evidence kept ({evidence.Length} bytes)");
        }
    }
}
