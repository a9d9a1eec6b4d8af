using System.Diagnostics;
using Fast.Core.Poh;
using Fast.Node.Cluster;
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
/// that arrive while the node does not lead wait for its next slot if that is near, and are dropped
/// (counted) otherwise.
/// </summary>
public sealed partial class BankingStage
{
    /// <summary>Set on a cluster node; null on a single node (which leads every slot).</summary>
    public ClusterContext? Cluster { get; init; }

    private ulong _clockSlot = ulong.MaxValue;
    private OwnBlock? _awaitingId; // our last block, frozen, waiting for its id from the broadcaster
    private long _awaitingSince;

    private void RunCluster()
    {
        ClusterContext cluster = Cluster!;
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
                busy |= DropWhileNotLeading(cluster);
            }
            if (!busy) Thread.Sleep(1);
        }
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
        }
        return any;
    }

    /// <summary>A frozen block joins the fork tree; a root it settles is rooted in the banks and the ledger.</summary>
    private void AddToForkTree(ClusterContext cluster, BlockRef block, BlockRef parent)
    {
        if (cluster.Forks.Add(block, parent) != ForkAddStatus.Connected) return;
        foreach (BlockRef rooted in cluster.Forks.AdvanceRoot())
        {
            if (rooted.Slot > _forks.Root.Slot && _forks[rooted.Slot] is { IsFrozen: true }) RootTo(rooted.Slot);
        }
    }

    /// <summary>Transactions verified while this node does not lead: dropped (counted) unless its next slot is a few slots away.</summary>
    private bool DropWhileNotLeading(ClusterContext cluster)
    {
        if (_input.IsEmpty) return false;
        ulong next = _clockSlot == ulong.MaxValue ? 0 : _clockSlot + 1;
        for (ulong s = next; s < next + 2; s++)
        {
            if (cluster.LeaderOf(s) == _identity) return false; // ours soon: they wait in the queue
        }
        int dropped = 0;
        while (dropped < 4096 && _input.TryDequeue(out Pipeline.VerifiedPacket packet))
        {
            _packets.Return(packet.Packet.Slot);
            dropped++;
        }
        Counters.DroppedNotLeader += dropped;
        return dropped > 0;
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
