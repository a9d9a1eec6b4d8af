using System.Diagnostics;
using Fast.Core.Ledger;
using Fast.Core.Transactions;
using Fast.Exec;
using Fast.Exec.Banking;
using Fast.Exec.Replay;
using Fast.Exec.Validity;
using Fast.Node.Cluster;
using Fast.Storage.Blocks;
using Fast.Core.Primitives;
using Fast.Exec.Scheduling;
using Fast.Validator.Forks;
using Fast.Validator.Replay;

namespace Fast.Node.Validator;

/// <summary>
/// A cluster node's replay of other leaders' blocks, on the banking thread (it owns the banks): a thin
/// driver of Fast.Validator's <see cref="ReplayMachine"/>, which decides each whole block from the
/// network against its parent bank — the PoH rule (<see cref="PohRule"/>), every transaction's
/// signatures (batch-verified over the workers), the execution rules (<see cref="SlotReplayer"/>) —
/// and freezes it to its bank hash, or marks it dead, or lets it wait (bounded) for its parent. What
/// this file does with the decisions: a replayed block is written to the Blockstore (entries, statuses,
/// block time from the genesis clock, block id), indexed for RPC, recorded in the chain state and joins
/// the fork tree; a dead one is marked dead in the chain state and logged. The catch-up progress line
/// (wall-clock timing) stays here.
/// </summary>
public sealed partial class BankingStage
{
    private const int MaxBlocksWaiting = ReplayMachine.DefaultMaxBlocksWaiting;
    private ReplayMachine? _replay; // made on the first received block (a single node never needs it)
    private BlockSignatures? _blockSignatures;
    private long _replayStarted;
    private long _replayStartedUnixMs;
    /// <summary>When each block given to the replay machine was whole (slot → Unix ms), until it is replayed or given up: timing metrics.</summary>
    private readonly Dictionary<ulong, long> _wholeAt = [];

    /// <summary>Blocks waiting for a parent not replayed yet (the node is behind, repairing).</summary>
    private int BlocksWaiting => _replay?.BlocksWaiting ?? 0;

    /// <summary>The highest slot among the waiting blocks (0: none wait).</summary>
    private ulong HighestWaitingSlot => _replay?.HighestWaitingSlot ?? 0;

    private bool ReplayReceivedBlocks(ClusterContext cluster)
    {
        int taken = 0;
        while (taken < 8 && cluster.Network.Blocks.TryDequeue(out ReceivedBlock? block))
        {
            taken++;
            Replay(cluster, block);
        }
        ReportCatchUp(cluster);
        return taken > 0;
    }

    private long _catchUpReportedAt;
    private ulong _catchUpReportedSlot;
    private long _replayProgressAt;
    private ulong _replayProgressSlot;
    private string? _unrecoverable;

    /// <summary>Set (once) when the node is too far behind to catch up by repair (<see cref="CatchUpVerdict"/>): the validator stops with it.</summary>
    public string? Unrecoverable => Volatile.Read(ref _unrecoverable);

    /// <summary>While blocks wait for parents (the node is behind, repairing), a progress line every 2 s: slots behind, replay rate, ETA.</summary>
    private void ReportCatchUp(ClusterContext cluster)
    {
        if (BlocksWaiting == 0)
        {
            _catchUpReportedAt = 0;
            return;
        }
        long now = Stopwatch.GetTimestamp();
        ulong replayed = cluster.Forks.Best.Slot;
        if (_catchUpReportedAt == 0)
        {
            _catchUpReportedAt = now;
            _catchUpReportedSlot = replayed;
            _replayProgressAt = now;
            _replayProgressSlot = replayed;
            return;
        }
        if (replayed != _replayProgressSlot)
        {
            _replayProgressSlot = replayed;
            _replayProgressAt = now;
        }
        else if (_unrecoverable is null && CatchUpVerdict.Hopeless(replayed, HighestWaitingSlot, _config.RootDistance, Stopwatch.GetElapsedTime(_replayProgressAt, now)) is string reason)
        {
            _log?.WriteLine($"catch-up: {reason}");
            Volatile.Write(ref _unrecoverable, reason);
        }
        double seconds = Stopwatch.GetElapsedTime(_catchUpReportedAt, now).TotalSeconds;
        if (seconds < 2) return;
        ulong behind = HighestWaitingSlot > replayed ? HighestWaitingSlot - replayed : 0;
        double rate = (replayed - Math.Min(replayed, _catchUpReportedSlot)) / seconds;
        string eta = rate > 0 ? $"{behind / rate:0} s" : "unknown";
        _log?.WriteLine($"catch-up: {behind} slots behind (replayed {replayed}, received up to {HighestWaitingSlot}), {rate:0.0} slots/s, ETA {eta}");
        _catchUpReportedAt = now;
        _catchUpReportedSlot = replayed;
    }

    /// <summary>The replay machine, made on the first received block (a single node never needs it).</summary>
    private ReplayMachine ReplayMachineFor(ClusterContext cluster)
    {
        if (_replay is not null) return _replay;
        _blockSignatures ??= new BlockSignatures(BlockSignatures.DefaultBatchSize, _scheduler.Workers) { Known = cluster.Preverifier?.Known };
        _replay = new ReplayMachine(_forks, _scheduler, new WorkerSignatureCheck(_blockSignatures, _scheduler),
            new ReplayRules(cluster.HashesPerTick, cluster.TicksPerSlot, PohThreads: 2), MaxBlocksWaiting);
        return _replay;
    }

    private void Replay(ClusterContext cluster, ReceivedBlock block)
    {
        if (_wholeAt.Count >= MaxBlocksWaiting * 2) _wholeAt.Clear(); // only metrics: never let it grow
        _wholeAt[block.Slot] = block.WholeAtUnixMs;
        ReplaySink sink = new(this, cluster);
        ReplayMachineFor(cluster).OnBlock(new WholeBlock(block.Slot, block.ParentSlot, block.BlockId, block.ParentBlockId, block.Entries, block.EntryCount), ref sink);
    }

    /// <summary>A replayed block is kept: Blockstore, signature index, chain state, fork tree (the root may advance).</summary>
    private void Keep(ClusterContext cluster, WholeBlock block, Bank bank, Bank parent, SlotReplayer replayer, in ReplayOutcome outcome)
    {
        Store(cluster, block, replayer);
        int committed = Index(block, replayer);
        _cumulativeTransactions += (ulong)committed;
        _chain.SetParent(block.Slot, block.ParentSlot);
        _chain.Frozen(new SlotRecord
        {
            Slot = block.Slot,
            Parent = block.ParentSlot,
            Blockhash = bank.LastBlockhash,
            PreviousBlockhash = parent.LastBlockhash,
            BankHash = bank.Hash,
            BlockHeight = bank.BlockHeight,
            BlockTimeUnixSeconds = cluster.BlockTime(block.Slot),
            CumulativeTransactions = _cumulativeTransactions,
            TransactionCount = committed,
            Results = replayer.Results.ToArray(),
            Bank = bank,
            DurationMs = Stopwatch.GetElapsedTime(_replayStarted).TotalMilliseconds,
        });
        _chain.MarkDurable(block.Slot);
        _chain.AddProcessedTransactions(committed);
        Counters.BlocksReplayed++;
        Counters.ReplayedTransactions += outcome.Transactions;
        RecordReplayTiming(cluster, block.Slot);
        AddToForkTree(cluster, new BlockRef(block.Slot, block.BlockId), new BlockRef(block.ParentSlot, block.ParentBlockId));
    }

    /// <summary>The replayed block's timing against its slot's scheduled end on the genesis clock (the four replay histograms of /metrics).</summary>
    private void RecordReplayTiming(ClusterContext cluster, ulong slot)
    {
        long done = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long slotEnd = cluster.SlotStartUnixMs(slot + 1);
        Counters.ReplayDuration.Record(done - _replayStartedUnixMs);
        Counters.ReplayDoneAfterSlotEnd.Record(done - slotEnd);
        if (!_wholeAt.Remove(slot, out long whole)) return;
        Counters.ReplayWholeAfterSlotEnd.Record(whole - slotEnd);
        Counters.ReplayWait.Record(_replayStartedUnixMs - whole);
    }

    private void Reject(WholeBlock block, string reason)
    {
        Counters.BlocksInvalid++;
        _chain.MarkDead(block.Slot);
        _log?.WriteLine($"replay: slot {block.Slot} (parent {block.ParentSlot}) is invalid: {reason}; it is dead");
    }

    /// <summary>The replay machine's decisions, on the banking thread.</summary>
    private readonly struct ReplaySink(BankingStage stage, ClusterContext cluster) : IReplayActions
    {
        public Pubkey ScheduledLeader(ulong slot) => cluster.LeaderOf(slot);

        public void AlreadyHeld(WholeBlock block)
        {
            stage.Counters.BlocksAlreadyHeld++;
            stage._wholeAt.Remove(block.Slot); // never replayed: its time is no one's
        }

        public void Unconnectable(WholeBlock block)
        {
            stage.Counters.BlocksUnconnectable++;
            stage._wholeAt.Remove(block.Slot);
        }

        public void WaitingForParent(WholeBlock block) => stage.Counters.BlocksWaitingForParent++;

        public void Replaying(WholeBlock block)
        {
            stage._replayStarted = Stopwatch.GetTimestamp();
            stage._replayStartedUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            cluster.Preverifier?.ReplayStarted(block.Slot);
        }

        public void Dead(WholeBlock block, ReplayFailure failure, string detail)
        {
            stage._wholeAt.Remove(block.Slot);
            stage.Reject(block, detail);
        }

        public void Replayed(WholeBlock block, Bank bank, Bank parent, SlotReplayer replayer, in ReplayOutcome outcome) =>
            stage.Keep(cluster, block, bank, parent, replayer, outcome);
    }

    /// <summary>Every signature of a block, batch-verified over the scheduler's workers (<see cref="BlockSignatures"/>).</summary>
    private sealed class WorkerSignatureCheck(BlockSignatures signatures, SealevelScheduler workers) : IBlockSignatureCheck
    {
        public int FirstInvalid(byte[] entries) => signatures.FirstInvalid(entries, workers);
    }

    /// <summary>The block into the Blockstore: entries (in appends that fit), statuses, block time, block id.</summary>
    private void Store(ClusterContext cluster, WholeBlock block, SlotReplayer replayer)
    {
        int limit = _blockstore.Options.MaxAppendBytes;
        ReadOnlySpan<byte> all = block.Entries;
        int start = 0, position = 0, entries = 0;
        AppendStatus status = AppendStatus.Ok;
        foreach (EntryView entry in new EntryStream(block.Entries))
        {
            if (position + entry.Length - start > limit && entries > 0)
            {
                status = _blockstore.AppendEntries(block.Slot, block.ParentSlot, entries, all[start..position], slotComplete: false);
                start = position;
                entries = 0;
            }
            position += entry.Length;
            entries++;
        }
        if (status == AppendStatus.Ok) status = _blockstore.AppendEntries(block.Slot, block.ParentSlot, entries, all[start..position], slotComplete: true);
        if (status != AppendStatus.Ok)
        {
            Counters.StatusAppendFailures++;
            _log?.WriteLine($"replay: slot {block.Slot} was not stored ({status})");
            return;
        }
        SlotStatusBuffer statuses = new();
        ReadOnlySpan<ulong> balances = replayer.Balances;
        int at = 0;
        foreach (TransactionResult result in replayer.Results)
        {
            int accounts = replayer.AccountCount(statuses.Count);
            statuses.Add(result, balances.Slice(at, 2 * accounts));
            at += 2 * accounts;
        }
        if (statuses.AppendTo(_blockstore, block.Slot, block.ParentSlot) != AppendStatus.Ok) Counters.StatusAppendFailures++;
        _blockstore.AppendBlockTime(block.Slot, cluster.BlockTime(block.Slot));
        _blockstore.AppendBlockId(block.Slot, block.BlockId.Span);
        _blockstore.Commit(); // the id with the block: a restart needs it to connect the blocks built on this one
    }

    /// <summary>The committed transactions into the signature index (RPC's statuses); returns how many.</summary>
    private int Index(WholeBlock block, SlotReplayer replayer)
    {
        ReadOnlySpan<TransactionResult> results = replayer.Results;
        int position = 0, committed = 0;
        foreach (EntryView entry in new EntryStream(block.Entries))
        {
            foreach (TransactionView tx in entry.Transactions)
            {
                TransactionResult result = results[position];
                if (result.IsCommitted)
                {
                    _index.Add(tx.FirstSignature, new SignatureLocation(block.Slot, position, result.Error, result.InstructionIndex, result.Fee));
                    committed++;
                }
                position++;
            }
        }
        return committed;
    }
}
