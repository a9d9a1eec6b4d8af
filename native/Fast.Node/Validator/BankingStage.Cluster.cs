using System.Diagnostics;
using Fast.Core.Poh;
using Fast.Core.Primitives;
using Fast.Exec;
using Fast.Node.Cluster;
using Fast.Node.Pipeline;
using Fast.Validator.Forks;
using Fast.Validator.Leader;
using Fast.Validator.Machines;

namespace Fast.Node.Validator;

/// <summary>
/// The banking thread of a cluster node (<see cref="Cluster"/> set): it leads only the slots the
/// schedule gives it, on the parent the <see cref="LeaderSlotController"/> chooses (the fork tree's
/// best replayed block), and between them replays other leaders' blocks (BankingStage.Replay.cs).
/// A leader slot: the parent goes to the broadcaster, the slot to a durable file (never led twice),
/// a bank opens on the parent, and PoH starts the block from the parent's last tick with the
/// skipped slots' ticks (<c>PohService.TryStartBlock</c>); when PoH ends it, the bank freezes
/// and waits for its block id (the broadcaster's last FEC set) to join the fork tree. Slot starts
/// come from the genesis clock (<see cref="ClusterContext.SlotStartUnixMs"/>). Verified transactions
/// that arrive while the node does not lead wait for its next slot if that is near, and are forwarded
/// to the current and next leaders otherwise (Gulf Stream).
/// </summary>
public sealed partial class BankingStage
{
    /// <summary>Set on a cluster node; null on a single node (which leads every slot).</summary>
    public ClusterContext? Cluster { get; init; }

    /// <summary>A leader builds on a parent at most this many slots back (its block carries their ticks).</summary>
    public const ulong MaxSlotsSinceParent = 4096;

    private ulong _clockSlot = ulong.MaxValue;
    private OwnBlock? _awaitingId; // our last block, frozen, waiting for its id from the broadcaster
    private long _awaitingSince;
    private Doorbell? _stopDoorbell; // the cluster loop's, rung by Stop

    private void RunCluster()
    {
        ClusterContext cluster = Cluster!;
        // Every queue this loop takes from rings one doorbell, so an idle node sleeps until the next slot boundary instead of polling.
        Doorbell doorbell = new();
        _input.Waker = doorbell;
        _poh.SlotEnds.Waker = doorbell;
        cluster.Network.Blocks.Waker = doorbell;
        cluster.Broadcaster.OwnBlocks.Waker = doorbell;
        _stopDoorbell = doorbell;
        Func<bool> hasWork = () => _stopping || !_input.IsEmpty || !_poh.SlotEnds.IsEmpty || !cluster.Network.Blocks.IsEmpty || !cluster.Broadcaster.OwnBlocks.IsEmpty;
        while (!_stopping)
        {
            bool busy = ProcessSlotEnds();
            busy |= TakeOwnBlockIds(cluster);
            busy |= ReplayReceivedBlocks(cluster);
            DriveLeaderClock(cluster);
            if (_working is not null)
            {
                int count = Gather(out EntryBuffer? buffer);
                if (count > 0)
                {
                    RecordAndExecute(buffer!, count);
                    continue;
                }
            }
            else
            {
                busy |= ForwardWhileNotLeading(cluster);
            }
            if (!busy) doorbell.Wait(MillisecondsToNextSlot(cluster), hasWork);
        }
    }

    /// <summary>How long the idle loop may sleep: to the wall clock's next slot boundary (the leader clock's next decision), 1..10 ms.</summary>
    private static int MillisecondsToNextSlot(ClusterContext cluster)
    {
        long since = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - cluster.GenesisUnixMs;
        long toBoundary = since < 0 ? -since : cluster.SlotMs - since % cluster.SlotMs;
        return (int)Math.Clamp(toBoundary, 1, 10);
    }

    /// <summary>The wall clock's slot: a new one is offered to the leader slot controller; a waiting slot is re-checked.</summary>
    private void DriveLeaderClock(ClusterContext cluster)
    {
        long nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long since = nowMs - cluster.GenesisUnixMs;
        ulong slot = since <= 0 ? 0 : (ulong)(since / cluster.SlotMs);
        var now = NodeTime.FromMilliseconds(nowMs);
        LeaderSink sink = new(this, cluster);
        if (_awaitingId is not null)
        {
            // Our block is frozen but its id is not back yet: deciding the next slot now would build on an older parent.
            if (Stopwatch.GetElapsedTime(_awaitingSince).TotalMilliseconds < 500) return;
            Counters.OwnBlockIdsMissing++;
            _awaitingId = null;
        }
        if (_working is not null) return; // leading: the slot ends when PoH ends it
        if (slot != _clockSlot && slot > 0)
        {
            _clockSlot = slot;
            cluster.Leader.OnSlotStart(slot, now, NodeTime.FromMilliseconds(cluster.SlotStartUnixMs(slot + 1)), cluster.Forks, ref sink);
        }
        else
        {
            cluster.Leader.OnTick(now, cluster.Forks, ref sink);
        }
    }

    /// <summary>Opens our block for <paramref name="slot"/> on <paramref name="parent"/> and starts PoH on it.</summary>
    private void StartLeaderSlot(ClusterContext cluster, ulong slot, BlockRef parent)
    {
        if (_forks[parent.Slot] is not { IsFrozen: true } parentBank)
        {
            Counters.LeaderSlotsSkipped++;
            return;
        }
        if (HighestWaitingSlot > parent.Slot && BlocksWaiting > 0)
        {
            // Blocks above our tip wait for parents we lack: we are behind (repairing), and a block on our stale tip would be wasted.
            Counters.LeaderSlotsSkipped++;
            _log?.WriteLine($"banking: skipping leader slot {slot} (catching up: slot {HighestWaitingSlot} waits for its parents)");
            return;
        }
        if (slot - parent.Slot > MaxSlotsSinceParent)
        {
            // The block would carry every skipped slot's ticks (PohRule): past this many, PoH could not hash them within the slot.
            Counters.LeaderSlotsSkipped++;
            if (Counters.LeaderSlotsSkipped % 100 == 1) _log?.WriteLine($"banking: cannot lead slot {slot}: its parent {parent.Slot} is more than {MaxSlotsSinceParent} slots back (the cluster stopped that long?)");
            return;
        }
        cluster.WriteLastLeaderSlot(slot); // durable before anything of the slot can be sent
        cluster.Broadcaster.Starts.Enqueue(new BlockStart(slot, parent.Slot, parent.Id));
        _chain.SetParent(slot, parent.Slot);
        _working = _forks.NewBank(slot, parent.Slot, _identity);
        _chain.SetProcessed(slot);
        _slotStarted = Stopwatch.GetTimestamp();
        long endUnixMs = cluster.SlotStartUnixMs(slot + 1);
        long endTimestamp = Stopwatch.GetTimestamp() + (endUnixMs - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()) * Stopwatch.Frequency / 1000;
        if (!_poh.TryStartBlock(parentBank.LastBlockhash, (parent.Slot + 1) * cluster.TicksPerSlot, slot, endTimestamp, idleAfter: true))
        {
            throw new InvalidOperationException("PoH's request queue is full");
        }
        Counters.LeaderSlotsStarted++;
    }

    /// <summary>A cluster node's block ended (PoH's final tick): freeze it and wait for its id; the next slot is the controller's to decide.</summary>
    private void FreezeClusterBlock(in PohSlotEnd end)
    {
        SlotRecord record = FreezeWorking(end, Cluster!.BlockTime(end.Slot));
        _working = null;
        _awaitingId = new OwnBlock(record.Slot, record.Parent, default, default);
        _awaitingSince = Stopwatch.GetTimestamp();
    }

    /// <summary>Our finished blocks' ids from the broadcaster: each joins the fork tree (the root may advance).</summary>
    private bool TakeOwnBlockIds(ClusterContext cluster)
    {
        bool any = false;
        while (cluster.Broadcaster.OwnBlocks.TryDequeue(out OwnBlock own))
        {
            any = true;
            if (_awaitingId is OwnBlock awaiting && awaiting.Slot == own.Slot) _awaitingId = null;
            if (_forks[own.Slot] is not { IsFrozen: true }) continue; // abandoned meanwhile
            AddToForkTree(cluster, new BlockRef(own.Slot, own.BlockId), new BlockRef(own.ParentSlot, own.ParentBlockId));
            if (_replay is not null)
            {
                ReplaySink sink = new(this, cluster);
                _replay.OnOwnBlockFrozen(own.Slot, ref sink); // blocks built on ours that arrived before it froze
            }
        }
        return any;
    }

    /// <summary>A frozen block joins the fork tree; a root it settles is rooted in the banks and the ledger.</summary>
    private void AddToForkTree(ClusterContext cluster, BlockRef block, BlockRef parent)
    {
        if (cluster.Forks.Add(block, parent) != ForkAddStatus.Connected) return;
        _chain.SetBest(cluster.Forks.Best.Slot);
        if (_working is null && cluster.Forks.Best.Slot > _chain.ProcessedSlot) _chain.SetProcessed(cluster.Forks.Best.Slot);
        ulong rootBefore = _forks.Root.Slot;
        foreach (BlockRef rooted in cluster.Forks.AdvanceRoot())
        {
            if (rooted.Slot > _forks.Root.Slot && _forks[rooted.Slot] is { IsFrozen: true }) RootTo(rooted.Slot);
        }
        if (_replay is not null && _forks.Root.Slot != rootBefore)
        {
            ReplaySink sink = new(this, cluster);
            _replay.OnRooted(_forks.Root.Slot, ref sink); // blocks waiting on a parent at or below the root can never connect
        }
    }

    private System.Net.Sockets.Socket? _forwardSocket;
    private IReadOnlyList<ClusterPeer>? _peerList;
    private readonly Dictionary<Pubkey, System.Net.IPEndPoint> _tpus = [];

    /// <summary>
    /// Gulf Stream: transactions verified while this node does not lead go to the current leader and
    /// the next one (their TPU addresses from gossip), unless this node is the next leader or leads
    /// within two slots (then they wait in its queue: <see cref="IsNextLeader"/>). Sigverify's dedup
    /// drops bytes a node saw in the last 2–3 s, so forwarding cannot loop.
    /// </summary>
    private bool ForwardWhileNotLeading(ClusterContext cluster)
    {
        if (_input.IsEmpty) return false;
        ulong current = _clockSlot == ulong.MaxValue ? 0 : _clockSlot;
        if (IsNextLeader(cluster, current)) return false; // ours soon: they wait in the queue
        (System.Net.IPEndPoint? first, System.Net.IPEndPoint? second) = ForwardTargets(cluster);
        _forwardSocket ??= new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp) { Blocking = false };
        int taken = 0;
        while (taken < 4096 && _input.TryDequeue(out Pipeline.VerifiedPacket packet))
        {
            taken++;
            ReadOnlySpan<byte> bytes = _packets.Data(packet.Packet);
            bool sent = Forward(first, bytes) | Forward(second, bytes);
            if (sent) Counters.Forwarded++;
            else Counters.DroppedNotLeader++;
            _packets.Return(packet.Packet.Slot);
        }
        return taken > 0;
    }

    /// <summary>
    /// True when this node leads within the next two slots or is the next leader after the current
    /// one: it keeps what it verifies for its own window. Forwarding it away instead loses it at the
    /// hand-off — the current leader's slot may end under it, and its forward back here would be a
    /// duplicate of bytes this node already saw (measured: 21 of 52 funding transactions lost on a
    /// 4-validator devnet).
    /// </summary>
    private bool IsNextLeader(ClusterContext cluster, ulong current)
    {
        Pubkey currentLeader = cluster.LeaderOf(current);
        for (ulong s = current + 1; s <= current + 64; s++)
        {
            Pubkey leader = cluster.LeaderOf(s);
            if (leader == _identity) return true;
            if (leader != currentLeader && s > current + 2) return false; // the next leader is another node
        }
        return false;
    }

    /// <summary>An entry's transactions whose slot ended under them while the next slot is another leader's: forwarded (Gulf Stream) rather than lost.</summary>
    private void ForwardEntry(int count)
    {
        if (Cluster is not ClusterContext cluster)
        {
            Counters.DroppedNotLeader += count;
            return;
        }
        (System.Net.IPEndPoint? first, System.Net.IPEndPoint? second) = ForwardTargets(cluster);
        _forwardSocket ??= new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp) { Blocking = false };
        for (int i = 0; i < count; i++)
        {
            VerifiedTransaction tx = _transactions[i];
            ReadOnlySpan<byte> bytes = tx.Bytes;
            if (Forward(first, bytes) | Forward(second, bytes)) Counters.Forwarded++;
            else Counters.DroppedNotLeader++;
        }
    }

    /// <summary>The current leader and the next different one (their TPU addresses), this node excluded.</summary>
    private (System.Net.IPEndPoint? First, System.Net.IPEndPoint? Second) ForwardTargets(ClusterContext cluster)
    {
        ulong current = WallClockSlot(cluster);
        Pubkey currentLeader = cluster.LeaderOf(current);
        System.Net.IPEndPoint? second = null;
        for (ulong s = current + 1; s < current + 8 && second is null; s++)
        {
            Pubkey next = cluster.LeaderOf(s);
            if (next != currentLeader) second = TpuOf(cluster, next);
        }
        return (TpuOf(cluster, currentLeader), second);
    }

    private static ulong WallClockSlot(ClusterContext cluster)
    {
        long since = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - cluster.GenesisUnixMs;
        return since <= 0 ? 0 : (ulong)(since / cluster.SlotMs);
    }

    private bool Forward(System.Net.IPEndPoint? to, ReadOnlySpan<byte> bytes)
    {
        if (to is null) return false;
        try
        {
            _forwardSocket!.SendTo(bytes, System.Net.Sockets.SocketFlags.None, to);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>A leader's TPU address from gossip (the peer list is re-read when the network thread replaced it).</summary>
    private System.Net.IPEndPoint? TpuOf(ClusterContext cluster, Pubkey leader)
    {
        if (leader == _identity) return null;
        IReadOnlyList<ClusterPeer> peers = cluster.Network.Peers;
        if (!ReferenceEquals(peers, _peerList))
        {
            _peerList = peers;
            _tpus.Clear();
            foreach (ClusterPeer peer in peers)
            {
                if (peer.Tpu is not null) _tpus[peer.Identity] = peer.Tpu;
            }
        }
        return _tpus.GetValueOrDefault(leader);
    }

    /// <summary>The leader slot controller's actions, on the banking thread.</summary>
    private readonly struct LeaderSink(BankingStage stage, ClusterContext cluster) : ILeaderActions
    {
        public void StartLeaderSlot(ulong slot, BlockRef parent) => stage.StartLeaderSlot(cluster, slot, parent);

        public void SkipLeaderSlot(ulong slot, LeaderSkipReason reason)
        {
            stage.Counters.LeaderSlotsSkipped++;
            stage._log?.WriteLine($"banking: skipping leader slot {slot} ({reason})");
        }
    }
}
