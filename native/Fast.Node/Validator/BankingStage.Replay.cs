using System.Diagnostics;
using Fast.Core.Ledger;
using Fast.Core.Transactions;
using Fast.Exec;
using Fast.Exec.Banking;
using Fast.Exec.Replay;
using Fast.Exec.Validity;
using Fast.Node.Cluster;
using Fast.Storage.Blocks;
using Fast.Validator.Forks;

namespace Fast.Node.Validator;

/// <summary>
/// A cluster node's replay of other leaders' blocks, on the banking thread (it owns the banks):
/// each whole block from the network is checked against its parent bank — the PoH rule
/// (<see cref="PohRule"/>: the skipped slots' ticks, hashes per tick, the chain from the parent's
/// last tick), every transaction's signatures, and the execution rules (<see cref="SlotReplayer"/>)
/// — then frozen to its bank hash, written to the Blockstore (entries, statuses, block time from the
/// genesis clock, block id), indexed for RPC, and joins the fork tree. A block that breaks a rule is
/// dead: its bank is dropped, nothing of it is kept. A block whose parent is not replayed yet waits
/// (bounded) for it.
/// </summary>
public sealed partial class BankingStage
{
    private const int MaxBlocksWaiting = 512;
    private readonly Dictionary<ulong, List<ReceivedBlock>> _waitingForParent = [];
    private int _blocksWaiting;
    private ulong _highestWaitingSlot;
    private SlotReplayer? _replayer;
    private readonly Queue<ReceivedBlock> _replayQueue = new();
    private BlockSignatures? _blockSignatures; // made on the first replayed block (a single node never needs it)

    private bool ReplayReceivedBlocks(ClusterContext cluster)
    {
        int taken = 0;
        while (taken < 8 && cluster.Network.Blocks.TryDequeue(out ReceivedBlock? block))
        {
            taken++;
            _replayQueue.Enqueue(block);
            while (_replayQueue.TryDequeue(out ReceivedBlock? next)) Replay(cluster, next);
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
        if (_blocksWaiting == 0)
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
        else if (_unrecoverable is null && CatchUpVerdict.Hopeless(replayed, _highestWaitingSlot, _config.RootDistance, Stopwatch.GetElapsedTime(_replayProgressAt, now)) is string reason)
        {
            _log?.WriteLine($"catch-up: {reason}");
            Volatile.Write(ref _unrecoverable, reason);
        }
        double seconds = Stopwatch.GetElapsedTime(_catchUpReportedAt, now).TotalSeconds;
        if (seconds < 2) return;
        ulong behind = _highestWaitingSlot > replayed ? _highestWaitingSlot - replayed : 0;
        double rate = (replayed - Math.Min(replayed, _catchUpReportedSlot)) / seconds;
        string eta = rate > 0 ? $"{behind / rate:0} s" : "unknown";
        _log?.WriteLine($"catch-up: {behind} slots behind (replayed {replayed}, received up to {_highestWaitingSlot}), {rate:0.0} slots/s, ETA {eta}");
        _catchUpReportedAt = now;
        _catchUpReportedSlot = replayed;
    }

    private void Replay(ClusterContext cluster, ReceivedBlock block)
    {
        if (block.Slot <= _forks.Root.Slot || _forks[block.Slot] is not null || _chain.IsDead(block.Slot))
        {
            Counters.BlocksAlreadyHeld++;
            return;
        }
        Bank? parent = _forks[block.ParentSlot];
        if (parent is null || !parent.IsFrozen)
        {
            if (block.ParentSlot <= _forks.Root.Slot || _chain.IsDead(block.ParentSlot) || _blocksWaiting >= MaxBlocksWaiting)
            {
                Counters.BlocksUnconnectable++;
                return;
            }
            if (!_waitingForParent.TryGetValue(block.ParentSlot, out List<ReceivedBlock>? waiting)) _waitingForParent[block.ParentSlot] = waiting = [];
            waiting.Add(block);
            _blocksWaiting++;
            _highestWaitingSlot = Math.Max(_highestWaitingSlot, block.Slot);
            Counters.BlocksWaitingForParent++;
            return;
        }

        long started = Stopwatch.GetTimestamp();
        string? invalid = CheckBeforeExecution(cluster, block, parent);
        if (invalid is not null)
        {
            Reject(block, invalid);
            return;
        }
        Bank bank = _forks.NewBank(block.Slot, block.ParentSlot, cluster.LeaderOf(block.Slot));
        _replayer ??= new SlotReplayer(_scheduler);
        ReplayOutcome outcome = _replayer.Replay(bank, block.Entries);
        if (!outcome.IsValid)
        {
            _forks.Remove(block.Slot);
            Reject(block, outcome.Describe());
            return;
        }
        bank.Freeze(outcome.LastEntryHash);
        Store(cluster, block);
        int committed = Index(block);
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
            Results = _replayer.Results.ToArray(),
            Bank = bank,
            DurationMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds,
        });
        _chain.MarkDurable(block.Slot);
        _chain.AddProcessedTransactions(committed);
        Counters.BlocksReplayed++;
        Counters.ReplayedTransactions += outcome.Transactions;
        AddToForkTree(cluster, new BlockRef(block.Slot, block.BlockId), new BlockRef(block.ParentSlot, block.ParentBlockId));
        if (_waitingForParent.Remove(block.Slot, out List<ReceivedBlock>? children))
        {
            _blocksWaiting -= children.Count;
            if (_blocksWaiting == 0) _highestWaitingSlot = 0;
            foreach (ReceivedBlock child in children) _replayQueue.Enqueue(child);
        }
    }

    /// <summary>The rules that need no execution: PoH (ticks, hashes, chain from the parent's last tick) and every signature (batch-verified over the workers: <see cref="BlockSignatures"/>).</summary>
    private string? CheckBeforeExecution(ClusterContext cluster, ReceivedBlock block, Bank parent)
    {
        PohRuleResult poh = PohRule.Check(parent.LastBlockhash, block.Slot, block.ParentSlot, block.Entries, cluster.HashesPerTick, cluster.TicksPerSlot, threads: 2);
        if (!poh.IsValid) return $"PoH: {poh.Violation} ({poh.Detail})";
        _blockSignatures ??= new BlockSignatures(BlockSignatures.DefaultBatchSize, _scheduler.Workers);
        int bad = _blockSignatures.FirstInvalid(block.Entries, _scheduler);
        return bad >= 0 ? $"transaction {bad} has a bad signature" : null;
    }

    private void Reject(ReceivedBlock block, string reason)
    {
        Counters.BlocksInvalid++;
        _chain.MarkDead(block.Slot);
        _log?.WriteLine($"replay: slot {block.Slot} (parent {block.ParentSlot}) is invalid: {reason}; it is dead");
    }

    /// <summary>The block into the Blockstore: entries (in appends that fit), statuses, block time, block id.</summary>
    private void Store(ClusterContext cluster, ReceivedBlock block)
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
        ReadOnlySpan<ulong> balances = _replayer!.Balances;
        int at = 0;
        foreach (TransactionResult result in _replayer.Results)
        {
            int accounts = _replayer.AccountCount(statuses.Count);
            statuses.Add(result, balances.Slice(at, 2 * accounts));
            at += 2 * accounts;
        }
        if (statuses.AppendTo(_blockstore, block.Slot, block.ParentSlot) != AppendStatus.Ok) Counters.StatusAppendFailures++;
        _blockstore.AppendBlockTime(block.Slot, cluster.BlockTime(block.Slot));
        _blockstore.AppendBlockId(block.Slot, block.BlockId.Span);
        _blockstore.Commit(); // the id with the block: a restart needs it to connect the blocks built on this one
    }

    /// <summary>The committed transactions into the signature index (RPC's statuses); returns how many.</summary>
    private int Index(ReceivedBlock block)
    {
        ReadOnlySpan<TransactionResult> results = _replayer!.Results;
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
