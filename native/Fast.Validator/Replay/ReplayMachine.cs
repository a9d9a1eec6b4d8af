using Fast.Exec.Banking;
using Fast.Exec.Replay;
using Fast.Exec.Scheduling;
using Fast.Exec.Validity;

namespace Fast.Validator.Replay;

/// <summary>The PoH parameters every block of the cluster is checked against (from genesis), and how many threads the PoH chain check may use.</summary>
public readonly record struct ReplayRules(ulong HashesPerTick, ulong TicksPerSlot, int PohThreads = 1);

/// <summary>
/// The replay of other leaders' blocks, as a sans-IO machine (ARCHITECTURE.md rule 1): a whole block
/// comes in (<see cref="OnBlock"/>) and the machine decides, against the node's <see cref="BankForks"/>,
/// whether it is already held, waits for its parent (bounded), is dead (a rule broken, with the
/// reason: PoH (<see cref="PohRule"/>), signatures (<see cref="IBlockSignatureCheck"/>), execution
/// (<see cref="SlotReplayer"/>)) or replayed (a bank on its parent executed and frozen to its bank
/// hash); a replayed block releases the blocks that waited for it, in arrival order, in the same call.
/// Every decision goes out through the node's <see cref="IReplayActions"/> sink; what is kept (Blockstore,
/// signature index, fork tree, a report) is the caller's. Fast.Node's banking stage and the simulator's
/// nodes drive this same class. A dead block's bank is dropped: nothing of it is ever half-applied.
/// <para>Threads: the bank owner's (banking thread, or the simulator's one thread).</para>
/// </summary>
public sealed class ReplayMachine
{
    /// <summary>Blocks that may wait for parents at once (a node further behind drops the rest; repair brings them again).</summary>
    public const int DefaultMaxBlocksWaiting = 512;

    private readonly BankForks _forks;
    private readonly SlotReplayer _replayer;
    private readonly IBlockSignatureCheck _signatures;
    private readonly ReplayRules _rules;
    private readonly int _maxBlocksWaiting;
    private readonly SortedDictionary<ulong, List<WholeBlock>> _waitingForParent = [];
    private readonly SortedSet<ulong> _dead = [];
    private readonly Queue<WholeBlock> _queue = new();

    public ReplayMachine(BankForks forks, SealevelScheduler scheduler, IBlockSignatureCheck signatures, ReplayRules rules, int maxBlocksWaiting = DefaultMaxBlocksWaiting)
    {
        ArgumentNullException.ThrowIfNull(forks);
        ArgumentNullException.ThrowIfNull(scheduler);
        ArgumentNullException.ThrowIfNull(signatures);
        if (rules.TicksPerSlot == 0 || rules.HashesPerTick == 0 || rules.PohThreads < 1) throw new ArgumentOutOfRangeException(nameof(rules), "ticks per slot, hashes per tick and PoH threads are at least 1");
        _forks = forks;
        _replayer = new SlotReplayer(scheduler);
        _signatures = signatures;
        _rules = rules;
        _maxBlocksWaiting = maxBlocksWaiting;
    }

    /// <summary>Blocks waiting for their parent now.</summary>
    public int BlocksWaiting { get; private set; }

    /// <summary>The highest slot among the blocks waiting (0 when none wait): how far ahead the cluster is.</summary>
    public ulong HighestWaitingSlot { get; private set; }

    /// <summary>True when <paramref name="slot"/> above the root was found dead (here, or by <see cref="MarkDead"/>).</summary>
    public bool IsDead(ulong slot) => _dead.Contains(slot);

    /// <summary>A slot the node gave up for its own reasons (an abandoned leader slot): blocks for it are held, blocks on it unconnectable.</summary>
    public void MarkDead(ulong slot) => _dead.Add(slot);

    /// <summary>
    /// The node rooted <paramref name="root"/>: dead marks at or below it are forgotten, and blocks waiting
    /// for a parent at or below it can never connect — they are dropped (<see cref="IReplayActions.Unconnectable"/>).
    /// </summary>
    public void OnRooted<TSink>(ulong root, ref TSink actions) where TSink : struct, IReplayActions
    {
        while (_dead.Count > 0 && _dead.Min <= root) _dead.Remove(_dead.Min);
        while (_waitingForParent.Count > 0)
        {
            ulong parent = FirstKey(_waitingForParent);
            if (parent > root) break;
            List<WholeBlock> stale = _waitingForParent[parent];
            _waitingForParent.Remove(parent);
            BlocksWaiting -= stale.Count;
            foreach (WholeBlock block in stale) actions.Unconnectable(block);
        }
        if (BlocksWaiting == 0) HighestWaitingSlot = 0;
    }

    /// <summary>A whole block arrived: decides it (and every block it releases) now.</summary>
    public void OnBlock<TSink>(WholeBlock block, ref TSink actions) where TSink : struct, IReplayActions
    {
        ArgumentNullException.ThrowIfNull(block);
        _queue.Enqueue(block);
        while (_queue.TryDequeue(out WholeBlock? next)) Decide(next, ref actions);
    }

    /// <summary>
    /// The node froze a block of its own (its leader slot): blocks of other leaders that arrived on it
    /// before it froze waited for it, and replay now (nothing else would release them).
    /// </summary>
    public void OnOwnBlockFrozen<TSink>(ulong slot, ref TSink actions) where TSink : struct, IReplayActions
    {
        Release(slot);
        while (_queue.TryDequeue(out WholeBlock? next)) Decide(next, ref actions);
    }

    private void Decide<TSink>(WholeBlock block, ref TSink actions) where TSink : struct, IReplayActions
    {
        if (block.Slot <= _forks.Root.Slot || _forks[block.Slot] is not null || _dead.Contains(block.Slot))
        {
            actions.AlreadyHeld(block);
            return;
        }
        Bank? parent = _forks[block.ParentSlot];
        if (parent is null || !parent.IsFrozen)
        {
            Wait(block, ref actions);
            return;
        }

        actions.Replaying(block);
        PohRuleResult poh = PohRule.Check(parent.LastBlockhash, block.Slot, block.ParentSlot, block.Entries, _rules.HashesPerTick, _rules.TicksPerSlot, _rules.PohThreads);
        if (!poh.IsValid)
        {
            Kill(block, ReplayFailure.Poh, $"PoH: {poh.Violation} ({poh.Detail})", ref actions);
            return;
        }
        int badSignature = _signatures.FirstInvalid(block.Entries);
        if (badSignature >= 0)
        {
            Kill(block, ReplayFailure.Signature, $"transaction {badSignature} has a bad signature", ref actions);
            return;
        }
        Bank bank = _forks.NewBank(block.Slot, block.ParentSlot, actions.ScheduledLeader(block.Slot));
        ReplayOutcome outcome = _replayer.Replay(bank, block.Entries);
        if (!outcome.IsValid)
        {
            _forks.Remove(block.Slot);
            Kill(block, ReplayFailure.Execution, outcome.Describe(), ref actions);
            return;
        }
        bank.Freeze(outcome.LastEntryHash);
        actions.Replayed(block, bank, parent, _replayer, outcome);
        Release(block.Slot);
    }

    private void Wait<TSink>(WholeBlock block, ref TSink actions) where TSink : struct, IReplayActions
    {
        if (block.ParentSlot <= _forks.Root.Slot || _dead.Contains(block.ParentSlot) || BlocksWaiting >= _maxBlocksWaiting)
        {
            actions.Unconnectable(block);
            return;
        }
        if (!_waitingForParent.TryGetValue(block.ParentSlot, out List<WholeBlock>? waiting)) _waitingForParent[block.ParentSlot] = waiting = [];
        waiting.Add(block);
        BlocksWaiting++;
        HighestWaitingSlot = Math.Max(HighestWaitingSlot, block.Slot);
        actions.WaitingForParent(block);
    }

    private void Kill<TSink>(WholeBlock block, ReplayFailure failure, string detail, ref TSink actions) where TSink : struct, IReplayActions
    {
        _dead.Add(block.Slot);
        actions.Dead(block, failure, detail);
        if (!_waitingForParent.Remove(block.Slot, out List<WholeBlock>? orphans)) return;
        BlocksWaiting -= orphans.Count;
        if (BlocksWaiting == 0) HighestWaitingSlot = 0;
        foreach (WholeBlock orphan in orphans) actions.Unconnectable(orphan); // built on a dead block: never replayable
    }

    /// <summary>The blocks that waited for <paramref name="slot"/> go into this call's queue, in arrival order.</summary>
    private void Release(ulong slot)
    {
        if (!_waitingForParent.Remove(slot, out List<WholeBlock>? children)) return;
        BlocksWaiting -= children.Count;
        if (BlocksWaiting == 0) HighestWaitingSlot = 0;
        foreach (WholeBlock child in children) _queue.Enqueue(child);
    }

    private static ulong FirstKey(SortedDictionary<ulong, List<WholeBlock>> map)
    {
        using SortedDictionary<ulong, List<WholeBlock>>.Enumerator e = map.GetEnumerator();
        e.MoveNext();
        return e.Current.Key;
    }
}
