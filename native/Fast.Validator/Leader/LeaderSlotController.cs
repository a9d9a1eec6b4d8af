using Fast.Core.Primitives;
using Fast.Validator.Forks;
using Fast.Validator.Machines;

namespace Fast.Validator.Leader;

/// <summary>Why a node did not lead a slot the schedule gave it.</summary>
public enum LeaderSkipReason : byte
{
    /// <summary>The node broadcast this slot (or a later one) before a restart: leading it again would equivocate.</summary>
    AlreadyBroadcast,
    /// <summary>The slot ended before the node could start it (it was busy or down).</summary>
    SlotOver,
    /// <summary>The node holds blocks above its chosen tip that it cannot connect yet (it is behind, repairing): a block on its stale tip would be wasted.</summary>
    CatchingUp,
}

/// <summary>What the leader slot controller asks of the node.</summary>
public interface ILeaderActions
{
    /// <summary>Start producing <paramref name="slot"/> on <paramref name="parent"/> (reset PoH onto it, open banking).</summary>
    void StartLeaderSlot(ulong slot, BlockRef parent);

    void SkipLeaderSlot(ulong slot, LeaderSkipReason reason);
}

/// <summary>
/// Decides when this node leads and on which parent (issue 11 item 4). At the start of each of its
/// scheduled slots it builds on the fork tree's chosen tip; when the previous slot belongs to another
/// leader whose block has not been replayed yet, it waits up to <see cref="ParentGraceNs"/> for it and
/// then builds on what it has (the missing slot is skipped, and its ticks go into this block). A node
/// that holds blocks above its tip it cannot connect yet is behind and repairing: it skips its slots
/// until it has caught up rather than building on a stale tip nobody will follow; and for
/// <c>warmupNs</c> after a restart it leads only on the previous slot's block (it cannot tell a
/// stale tip from a run of skipped leaders until it has heard the cluster). It
/// never leads a slot at or below the last one it broadcast durably (<see cref="LastBroadcastSlot"/>,
/// read from the Blockstore at start-up), so a restart cannot make it equivocate. Sans-IO: the node
/// calls <see cref="OnSlotStart"/> when its clock enters a slot and <see cref="OnTick"/> while waiting.
/// </summary>
public sealed class LeaderSlotController(Pubkey identity, LeaderScheduleCache schedule, ulong? lastBroadcastSlot, long parentGraceNs, NodeTime startedAt = default, long warmupNs = 0)
{
    private ulong? _waitingSlot;
    private NodeTime _waitDeadline;
    private NodeTime _slotEnd;

    public Pubkey Identity => identity;

    public long ParentGraceNs => parentGraceNs;

    /// <summary>The highest slot this node has started leading (and so may have broadcast).</summary>
    public ulong? LastBroadcastSlot { get; private set; } = lastBroadcastSlot;

    public long SlotsLed { get; private set; }
    public long SlotsSkipped { get; private set; }

    /// <summary>The node's clock entered <paramref name="slot"/>, which ends at <paramref name="slotEnd"/>.</summary>
    public void OnSlotStart<TSink>(ulong slot, NodeTime now, NodeTime slotEnd, ForkTree forks, ref TSink actions) where TSink : struct, ILeaderActions
    {
        if (_waitingSlot is ulong waiting && waiting < slot)
        {
            // Never started: its window is gone.
            _waitingSlot = null;
            SlotsSkipped++;
            actions.SkipLeaderSlot(waiting, LeaderSkipReason.SlotOver);
        }
        if (schedule.LeaderAt(slot) != identity) return;
        if (LastBroadcastSlot is ulong last && slot <= last)
        {
            SlotsSkipped++;
            actions.SkipLeaderSlot(slot, LeaderSkipReason.AlreadyBroadcast);
            return;
        }
        _waitingSlot = slot;
        _waitDeadline = now.Add(parentGraceNs);
        _slotEnd = slotEnd;
        TryStart(now, forks, ref actions);
    }

    /// <summary>Re-checks a slot waiting for its parent (call on each tick and whenever a block was replayed).</summary>
    public void OnTick<TSink>(NodeTime now, ForkTree forks, ref TSink actions) where TSink : struct, ILeaderActions
    {
        if (_waitingSlot is not null) TryStart(now, forks, ref actions);
    }

    private void TryStart<TSink>(NodeTime now, ForkTree forks, ref TSink actions) where TSink : struct, ILeaderActions
    {
        ulong slot = _waitingSlot!.Value;
        if (now >= _slotEnd)
        {
            _waitingSlot = null;
            SlotsSkipped++;
            actions.SkipLeaderSlot(slot, LeaderSkipReason.SlotOver);
            return;
        }
        BlockRef best = forks.Best;
        bool warmingUp = now.Nanoseconds - startedAt.Nanoseconds < warmupNs;
        if (forks.HighestOrphanSlot > best.Slot || (warmingUp && best.Slot + 1 != slot))
        {
            _waitingSlot = null;
            SlotsSkipped++;
            actions.SkipLeaderSlot(slot, LeaderSkipReason.CatchingUp);
            return;
        }
        bool parentIsPrevious = best.Slot + 1 == slot;
        bool previousIsMine = slot > 0 && schedule.LeaderAt(slot - 1) == identity;
        if (!parentIsPrevious && !previousIsMine && now < _waitDeadline) return;
        _waitingSlot = null;
        LastBroadcastSlot = slot;
        SlotsLed++;
        actions.StartLeaderSlot(slot, best);
    }
}
