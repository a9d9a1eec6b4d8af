using Fast.Core.Primitives;

namespace Fast.Node.Pipeline;

/// <summary>
/// Blocks that span more than their own slot: a cluster leader's block on an older parent carries the
/// ticks of the slots it skips over (docs/block-validity.md, PohRule), so PoH restarts on the parent's
/// last tick, labels every entry up to the block's final tick as the block's, anchors that tick at the
/// slot's end on the cluster clock, and (a cluster node) idles until its next block. PoH thread only,
/// except <see cref="TryStartBlock"/> and <see cref="IsIdle"/>.
/// </summary>
public sealed partial class PohService
{
    /// <summary>
    /// Asks the PoH thread to produce the block of <paramref name="slot"/> on a parent whose last tick
    /// hash is <paramref name="parentHash"/> at tick height <paramref name="parentTickHeight"/> (the end
    /// of the parent's slot): the chain restarts there, every entry up to the block's final tick
    /// (height (slot + 1) × ticks per slot) is labelled <paramref name="slot"/> — the ticks of the slots
    /// between parent and block are the block's too — and that final tick is due at
    /// <paramref name="endTimestamp"/> (<see cref="TimeProvider"/> timestamps), earlier ticks one tick
    /// period apart before it (ticks already past due are hashed at once). With
    /// <paramref name="idleAfter"/> the thread hashes nothing after the final tick until the next block.
    /// False when too many requests are queued.
    /// </summary>
    public bool TryStartBlock(in Hash parentHash, ulong parentTickHeight, ulong slot, long endTimestamp, bool idleAfter) =>
        _resets.TryEnqueue(new PohReset(parentHash, parentTickHeight, slot, endTimestamp, idleAfter));

    /// <summary>True while the thread hashes nothing, waiting for <see cref="TryStartBlock"/>.</summary>
    public bool IsIdle => Volatile.Read(ref _idle);

    /// <summary>The longest idle sleep without a ring (a ring — record, reset, block start, stop — wakes it at once).</summary>
    private const int IdleWaitMs = 100;

    /// <summary>Idle (between a cluster node's blocks): refuses what records come and sleeps until rung; true when idle.</summary>
    private bool WaitWhileIdle(ref Publisher sink)
    {
        if (!_idle) return false;
        if (!_resets.IsEmpty) return true; // a block start queued ahead of its records is applied first (the loop's top)
        DrainRecords(ref sink);
        _doorbell.Wait(IdleWaitMs, _hasWork);
        return true;
    }

    /// <summary>Hashing the ticks of the slots a block skips over (they are due already: not late).</summary>
    private bool CatchingUp => _blockSlot != ulong.MaxValue && _generator.Slot < _blockSlot;

    /// <summary>Labels entries up to <paramref name="slot"/>'s final tick as that slot's and anchors that tick at <paramref name="endTimestamp"/>.</summary>
    private void BeginBlock(ulong slot, long endTimestamp, bool idleAfter)
    {
        _blockSlot = slot;
        _idleAfterBlock = idleAfter;
        _anchorTickHeight = (slot + 1) * (ulong)_config.TicksPerSlot;
        _anchorTimestamp = endTimestamp;
    }
}
