using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Exec.Replay;
using Fast.Exec.Scheduling;
using Fast.Storage.Accounts;
using Fast.Validator.Forks;
using Fast.Validator.Replay;

namespace Fast.Simulation;

/// <summary>
/// A simulated node's bank chain: its own <see cref="BankForks"/> over its own FASTER
/// <see cref="AccountsDb"/> (a temporary folder, small memory), fed by the real
/// <see cref="ReplayMachine"/> with every whole block the node receives, rooted as Fast.Node roots
/// (the replayed fork tree's root, 31 deep). What the machine decides is recorded here for the report:
/// each frozen block's bank hash, dead slots and why, transactions executed.
/// </summary>
internal sealed partial class SimNode
{
    public AccountsDb Accounts { get; private set; } = null!;
    public BankForks Banks { get; private set; } = null!;
    public ReplayMachine Replay { get; private set; } = null!;

    /// <summary>The executor of this node's replayed blocks (one worker: the replaying thread).</summary>
    public SealevelScheduler Scheduler { get; private set; } = null!;

    /// <summary>The bank hash of every block this node froze (its own and replayed ones), by block.</summary>
    public SortedDictionary<BlockRef, Hash> FrozenHashes { get; } = [];

    /// <summary>Slots this node marked dead, and which rule they broke.</summary>
    public SortedDictionary<ulong, ReplayFailure> DeadSlots { get; } = [];

    public long SlotsReplayed { get; private set; }
    public long BlocksUnconnectable { get; private set; }
    public long BlocksWaited { get; private set; }

    /// <summary>Transactions committed in this node's banks (replayed blocks and its own).</summary>
    public long TransactionsExecuted { get; set; }

    private void OpenBanks(string directory)
    {
        Accounts = AccountsDb.Open(new AccountsDbOptions
        {
            Directory = directory,
            IndexBytes = 1L << 16,
            PageBytes = 1L << 16,
            MemoryBytes = 1L << 18,
            SegmentBytes = 1L << 22,
            CompactAboveBytes = 0,
        });
        // No checkpoints: a simulated crash keeps the banks (they stand for what a restart replays from the Blockstore).
        Banks = BankForks.Open(Accounts, _sim.Genesis, new BankForksOptions { CheckpointIntervalSlots = ulong.MaxValue });
        // Its own executor: nodes replay on several threads at once (NodeWorkers), and a scheduler runs one Execute at a time.
        Scheduler = new SealevelScheduler(Simulation.SchedulerOptions);
        Replay = new ReplayMachine(Banks, Scheduler, _sim.BlockSignatures, new ReplayRules(BlockProducer.HashesPerTick, BlockProducer.TicksPerSlot, PohThreads: 1));
    }

    /// <summary>A whole block from the network (deshredded, chained to its id) goes through the replay machine.</summary>
    private void ReplayBlock(WholeBlock block)
    {
        ReplaySink sink = new(this);
        Replay.OnBlock(block, ref sink);
    }

    /// <summary>The leader controller sees the replayed fork tree now (it may start its slot on a new tip).</summary>
    private void LeaderLooksAtForks()
    {
        Sink leaderSink = new(this);
        Leader.OnTick(new Fast.Validator.Machines.NodeTime(Events.Now), Forks, ref leaderSink);
    }

    /// <summary>A block this node froze (replayed, or its own): recorded, joins the replayed fork tree, and the root may advance.</summary>
    public void Frozen(BlockRef block, BlockRef parent, Bank bank)
    {
        FrozenHashes[block] = bank.Hash;
        if (Forks.Add(block, parent) != ForkAddStatus.Connected) return;
        ulong rootBefore = Banks.Root.Slot;
        foreach (BlockRef rooted in Forks.AdvanceRoot())
        {
            Rooted[rooted.Slot] = rooted;
            if (rooted.Slot > Banks.Root.Slot && Banks[rooted.Slot] is { IsFrozen: true }) Banks.SetRoot(rooted.Slot);
        }
        if (Banks.Root.Slot != rootBefore)
        {
            ReplaySink sink = new(this);
            Replay.OnRooted(Banks.Root.Slot, ref sink);
        }
    }

    public void CloseBanks()
    {
        Banks?.Dispose();
        Accounts?.Dispose();
        Scheduler?.Dispose();
    }

    /// <summary>The replay machine's decisions: recorded for the report; a replayed block joins the fork tree.</summary>
    private readonly struct ReplaySink(SimNode node) : IReplayActions
    {
        public Pubkey ScheduledLeader(ulong slot) => node._sim.ScheduleOf(node.Index).LeaderAt(slot);

        public void AlreadyHeld(WholeBlock block) { }

        public void Unconnectable(WholeBlock block) => node.BlocksUnconnectable++;

        public void WaitingForParent(WholeBlock block) => node.BlocksWaited++;

        public void Replaying(WholeBlock block) { }

        public void Dead(WholeBlock block, ReplayFailure failure, string detail) => node.DeadSlots[block.Slot] = failure;

        public void Replayed(WholeBlock block, Bank bank, Bank parent, SlotReplayer replayer, in ReplayOutcome outcome)
        {
            node.SlotsReplayed++;
            node.TransactionsExecuted += outcome.Committed;
            node.Frozen(new BlockRef(block.Slot, block.BlockId), new BlockRef(block.ParentSlot, block.ParentBlockId), bank);
            node.LeaderLooksAtForks();
        }
    }
}
