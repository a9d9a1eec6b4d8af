using System.Diagnostics;
using Fast.Core.Poh;
using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Storage.Accounts;
using Fast.Storage.Blocks;

namespace Fast.Node.Validator;

/// <summary>
/// The banking stage's slot lifecycle: when PoH ends a slot, freeze its bank (fees to the leader,
/// bank hash), publish the slot to <see cref="ChainState"/>, open the next bank, and root the slot
/// <see cref="BankingConfig.RootDistance"/> behind once it is durable. Banking thread only.
/// </summary>
public sealed partial class BankingStage
{
    /// <summary>Blocks until PoH has ended <paramref name="slot"/> and its bank is frozen (or we stop).</summary>
    private void WaitForSlotEnd(ulong slot)
    {
        while (!_stopping && _working is { } working && working.Slot <= slot)
        {
            if (!ProcessSlotEnds()) Thread.Sleep(0);
        }
    }

    /// <summary>Freezes every bank PoH has ended and opens the next; true when it did any.</summary>
    private bool ProcessSlotEnds()
    {
        bool any = false;
        while (_poh.SlotEnds.TryDequeue(out PohSlotEnd end))
        {
            if (end.Slot != _working?.Slot) continue; // a slot before the working bank (after a reset)
            if (end.Abandoned) AbandonAndAdvance();
            else if (Cluster is not null) FreezeClusterBlock(end);
            else FreezeAndAdvance(end);
            any = true;
        }
        return any;
    }

    private void FreezeAndAdvance(in PohSlotEnd end)
    {
        SlotRecord record = FreezeWorking(end, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        ulong next = record.Slot + 1;
        _chain.SetParent(next, record.Slot);
        _working = _forks.NewBank(next, record.Slot, _identity);
        _chain.SetProcessed(next);
        AdvanceRoot(record.Slot);
    }

    /// <summary>Freezes the working bank at PoH's slot end: statuses and block time into the Blockstore, the record into <see cref="ChainState"/>.</summary>
    private SlotRecord FreezeWorking(in PohSlotEnd end, long blockTime)
    {
        Bank bank = _working!;
        Hash previous = bank.Parent?.LastBlockhash ?? default;
        Hash bankHash = bank.Freeze(end.LastTickHash);
        ulong parent = bank.Parent?.Slot ?? _chain.ParentOf(bank.Slot);
        // The statuses go beside the slot's entries before anyone can read the slot as frozen; rooting
        // (a commit) follows later, so a rooted slot always has its statuses on disk.
        AppendStatus statuses = _slotStatuses.AppendTo(_blockstore, bank.Slot, parent);
        if (statuses != AppendStatus.Ok)
        {
            Counters.StatusAppendFailures++;
            _log?.WriteLine($"banking: the statuses of slot {bank.Slot} were not stored ({statuses}); after a restart its transactions are reported only if the slot is replayed");
        }
        if (statuses == AppendStatus.Ok) _blockstore.AppendBlockTime(bank.Slot, blockTime); // so getBlockTime answers the same after a restart
        _blockHeight = Cluster is null ? _blockHeight + 1 : bank.BlockHeight;
        _cumulativeTransactions += (ulong)_slotCommitted;
        long now = Stopwatch.GetTimestamp();
        SlotRecord record = new()
        {
            Slot = bank.Slot,
            Parent = parent,
            Blockhash = end.LastTickHash,
            PreviousBlockhash = previous,
            BankHash = bankHash,
            BlockHeight = _blockHeight,
            BlockTimeUnixSeconds = blockTime,
            CumulativeTransactions = _cumulativeTransactions,
            TransactionCount = _slotCommitted,
            Results = _slotResults.AsSpan(0, _slotResultCount).ToArray(),
            Bank = bank,
            DurationMs = Stopwatch.GetElapsedTime(_slotStarted, now).TotalMilliseconds,
        };
        _slotStarted = now;
        _chain.Frozen(record);
        Counters.SlotsFrozen++;
        _slotResultCount = 0;
        _slotCommitted = 0;
        return record;
    }

    /// <summary>
    /// PoH abandoned the working slot (part of it never reached the ledger): it is dead — never
    /// frozen, never confirmed, what it executed void (its transactions may be sent again) — and the
    /// next bank builds on its parent, as PoH's chain now does.
    /// </summary>
    private void AbandonAndAdvance()
    {
        Bank bank = _working!;
        ulong parent = bank.Parent?.Slot ?? _chain.ParentOf(bank.Slot);
        _chain.MarkDead(bank.Slot);
        _replay?.MarkDead(bank.Slot);
        _chain.AddProcessedTransactions(-_slotCommitted);
        Counters.SlotsAbandoned++;
        Counters.TransactionsVoided += _slotCommitted;
        _slotResultCount = 0;
        _slotCommitted = 0;
        _slotStarted = Stopwatch.GetTimestamp();
        _forks.Remove(bank.Slot);
        if (Cluster is not null)
        {
            _working = null; // a cluster node's next block starts where the leader slot controller says
            return;
        }

        ulong next = bank.Slot + 1;
        _chain.SetParent(next, parent);
        _working = _forks.NewBank(next, parent, _identity);
        _chain.SetProcessed(next);
    }

    /// <summary>Roots the frozen, durable slot <see cref="BankingConfig.RootDistance"/> behind the one that just froze.</summary>
    private void AdvanceRoot(ulong frozen)
    {
        if (frozen < _config.RootDistance) return;
        ulong candidate = frozen - _config.RootDistance;
        if (candidate <= _forks.Root.Slot || candidate > (_chain.Confirmed?.Slot ?? 0)) return; // only what is confirmed (durable with its ancestors)
        RootTo(candidate);
    }

    private void RootTo(ulong slot)
    {
        if (_forks[slot] is not { IsFrozen: true }) return;
        RootOutcome outcome;
        long started = Stopwatch.GetTimestamp();
        outcome = _forks.SetRoot(slot); // under BankForks' root lock: RPC readers never see a released bank
        if (_chain.Get(slot) is SlotRecord record) _chain.Rooted(record);
        double milliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Counters.LastRootMicroseconds = (long)(milliseconds * 1000);
        if (Counters.LastRootMicroseconds > Counters.MaxRootMicroseconds) Counters.MaxRootMicroseconds = Counters.LastRootMicroseconds;
        if (milliseconds > SlowRootMilliseconds) _log?.WriteLine($"banking: rooting slot {slot} took {milliseconds:0} ms ({outcome.FlushedAccounts} accounts flushed{(outcome.Checkpointed ? $", checkpoint started in {outcome.CheckpointStartElapsed.TotalMilliseconds:0} ms" : "")}{(outcome.Compaction is CompactionReport c ? $", compacted {c.ScannedBytes >> 20} MiB of log in {c.Duration.TotalMilliseconds:0} ms" : "")}); banking waited");
        Counters.Record(outcome);
        _blockstore.MarkRooted(slot);
        _index.Release(slot);
        PurgeLedger(slot);
        Counters.Roots++;
    }

    private ulong _ledgerFloor;

    /// <summary>Drops ledger below <see cref="LedgerRetention.Floor"/> once it has moved a step (with a limit set).</summary>
    private void PurgeLedger(ulong root)
    {
        ulong limit = _config.LimitLedgerSlots;
        if (limit == 0) return;
        ulong floor = LedgerRetention.Floor(root, _forks.DurableRootSlot, limit);
        if (floor < _ledgerFloor + LedgerRetention.Step(limit)) return;
        _blockstore.PurgeBefore(floor);
        _ledgerFloor = floor;
        Counters.LedgerFloor = (long)floor;
        Counters.LedgerPurges++;
    }

    /// <summary>
    /// Clean shutdown (after <see cref="Stop"/>): roots the newest slot that is frozen and durable, so
    /// the accounts are checkpointed at the tip and a restart replays nothing.
    /// </summary>
    public void RootLatestDurable()
    {
        if (_thread.IsAlive) throw new InvalidOperationException("stop the banking thread first");
        SlotRecord? confirmed = _chain.Confirmed;
        if (confirmed is null || confirmed.Slot <= _forks.Root.Slot) return;
        RootTo(confirmed.Slot);
    }
}
