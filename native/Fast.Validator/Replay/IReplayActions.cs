using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Exec.Replay;

namespace Fast.Validator.Replay;

/// <summary>Which group of block rules a dead block broke (docs/block-validity.md).</summary>
public enum ReplayFailure : byte
{
    /// <summary>The PoH rule: ticks, hashes per tick, the chain from the parent's last tick.</summary>
    Poh,

    /// <summary>A transaction's signature does not verify.</summary>
    Signature,

    /// <summary>An execution rule (<see cref="SlotReplayer"/>): the entries do not decode, new account data, a transaction that does not pay.</summary>
    Execution,
}

/// <summary>
/// What the <see cref="ReplayMachine"/> asks of the node that drives it, one call per decision. The
/// node acts on them (Blockstore, signature index, chain state, fork tree, counters); the simulator
/// records them for its report. Calls come from inside <see cref="ReplayMachine.OnBlock"/>, on the
/// thread that owns the banks.
/// </summary>
public interface IReplayActions
{
    /// <summary>The leader the schedule gives <paramref name="slot"/>: its bank's fees go to it (part of the bank hash).</summary>
    Pubkey ScheduledLeader(ulong slot);

    /// <summary>The block is at or below the root, already has a bank, or is dead: nothing to do.</summary>
    void AlreadyHeld(WholeBlock block);

    /// <summary>Its parent is at or below the root, dead, or too many blocks already wait: dropped.</summary>
    void Unconnectable(WholeBlock block);

    /// <summary>Its parent is not replayed yet: it waits (bounded) and is replayed when the parent is.</summary>
    void WaitingForParent(WholeBlock block);

    /// <summary>The block's checks and execution start now (a node times its replay from here).</summary>
    void Replaying(WholeBlock block);

    /// <summary>
    /// The block broke a rule: it is dead (its bank, if one was opened, is already dropped; the machine
    /// remembers the slot as dead). <paramref name="detail"/> says which rule, in one line.
    /// </summary>
    void Dead(WholeBlock block, ReplayFailure failure, string detail);

    /// <summary>
    /// The block replayed: <paramref name="bank"/> is frozen to its bank hash. <paramref name="replayer"/>
    /// holds the transactions' results and balances until the next replay (read them now).
    /// </summary>
    void Replayed(WholeBlock block, Bank bank, Bank parent, SlotReplayer replayer, in ReplayOutcome outcome);
}

/// <summary>
/// The block rule "every signature of every transaction verifies", as the replay machine asks it: the
/// position (in block order) of the first transaction with a bad signature, or −1. The node checks with
/// batch equations over its workers (Fast.Exec's BlockSignatures); the simulator may reuse an answer
/// it already computed for the same bytes.
/// </summary>
public interface IBlockSignatureCheck
{
    int FirstInvalid(byte[] entries);
}
