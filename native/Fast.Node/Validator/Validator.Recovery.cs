using Fast.Core.Ledger;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Exec;
using Fast.Exec.Banking;
using Fast.Exec.Replay;
using Fast.Exec.Validity;
using Fast.Storage.Blocks;

namespace Fast.Node.Validator;

/// <summary>
/// Start-up recovery: the accounts store comes back at its last checkpoint's root; every complete
/// slot the Blockstore holds after it is checked (PoH chain from its parent's last hash, hashes per
/// tick, ticks per slot) and re-executed, in order, rebuilding banks, signature statuses and the
/// chain view. An incomplete slot (the node died inside it) is left dead; production resumes in the
/// slot after the highest one the ledger has ever seen.
/// </summary>
public sealed partial class Validator
{
    private Hash _startHash;
    private ulong _startSlot;
    private ulong _startParent;
    private ulong _startBlockHeight;
    private ulong _startTransactions;

    private void Recover()
    {
        Bank root = _forks.Root;
        Chain.Rooted(RecordFor(root, parent: root.Slot, previous: default, blockHeight: root.BlockHeight, cumulative: 0, results: null, transactionCount: 0));
        Chain.Frozen(Chain.Root!);
        Chain.MarkDurable(root.Slot);
        ulong height = root.BlockHeight; // blocks, not slots: a slot the node died in is skipped
        ulong cumulative = 0;
        Bank last = root;
        ulong highestSeen = root.Slot;
        int replayed = 0, incomplete = 0, offChain = 0;
        SlotReplayer replayer = new(_scheduler);
        int restored = RestoreRecentRootedSlots(root.Slot);

        List<ulong> above = [.. _blockstore.Slots().Where(s => s > root.Slot).Order()];
        if (above.Count > 0) highestSeen = above[^1];
        HashSet<ulong> chain = ChainToReplay(root.Slot, above, out incomplete);
        foreach (ulong slot in above)
        {
            if (!chain.Contains(slot))
            {
                offChain++;
                continue; // incomplete (the node stopped inside it), or on a fork the chosen chain does not include
            }
            _blockstore.TryGetSlotMeta(slot, out SlotMeta meta);
            if (meta.ParentSlot != last.Slot) break; // a block of the chain failed below
            byte[]? entries = _blockstore.ReadSlotEntries(slot);
            if (entries is null) continue;
            PohRuleResult poh = PohRule.Check(last.LastBlockhash, slot, last.Slot, entries, Genesis.Config.HashesPerTick, Genesis.Config.TicksPerSlot, Environment.ProcessorCount);
            if (!poh.IsValid)
            {
                _log.WriteLine($"recovery: slot {slot} fails verification ({poh.Violation}: {poh.Detail}); replay stops at slot {last.Slot}");
                break;
            }
            Bank bank = _forks.NewBank(slot, last.Slot, LeaderOf(slot));
            ReplayOutcome outcome = replayer.Replay(bank, entries);
            if (!outcome.IsValid)
            {
                // docs/block-validity.md: a block that does not decode or breaks a rule (e.g. carries a transaction that did not pay) is invalid.
                _log.WriteLine($"recovery: slot {slot} is invalid: {outcome.Describe()}; replay stops at slot {last.Slot}");
                _forks.Remove(slot);
                break;
            }
            bank.Freeze(outcome.LastEntryHash);
            TransactionResult[] results = replayer.Results.ToArray();
            if (!meta.HasStatuses) StoreReplayedStatuses(slot, meta.ParentSlot, replayer);
            int committed = IndexReplayed(slot, entries, results);
            height = bank.BlockHeight;
            cumulative += (ulong)committed;
            SlotRecord record = RecordFor(bank, last.Slot, last.LastBlockhash, height, cumulative, results, committed);
            if (_blockstore.BlockTime(slot) is null) _blockstore.AppendBlockTime(slot, record.BlockTimeUnixSeconds); // the node died before storing it
            Chain.SetParent(slot, last.Slot);
            Chain.Frozen(record);
            Chain.MarkDurable(slot);
            if (slot >= _options.RootDistance && slot - _options.RootDistance > _forks.Root.Slot)
            {
                ulong candidate = slot - _options.RootDistance;
                if (_forks[candidate] is { IsFrozen: true })
                {
                    _forks.SetRoot(candidate);
                    if (Chain.Get(candidate) is SlotRecord rooted) Chain.Rooted(rooted);
                }
            }
            last = bank;
            replayed++;
        }

        if (Chain.FollowsForkChoice) Chain.SetBest(last.Slot); // a cluster node's processed and confirmed start at its recovered tip
        _startHash = last.LastBlockhash;
        _startParent = last.Slot;
        _startSlot = highestSeen + 1;
        _startBlockHeight = height;
        _startTransactions = cumulative;
        Chain.SetProcessedTransactions(cumulative);
        _log.WriteLine(_forks.RecoveredFromCheckpoint || replayed > 0
            ? $"recovery: accounts at root {root.Slot} ({restored} recent transactions restored to the status cache), replayed {replayed} slot(s) to {last.Slot} ({incomplete} incomplete, {offChain - incomplete} on forks it left); resuming at slot {_startSlot}"
            : $"recovery: new ledger from genesis {Genesis.Hash}; starting at slot {_startSlot}");
    }

    /// <summary>
    /// The chain recovery replays: among the complete slots above the root whose every ancestor down
    /// to the root is complete too, the one with the highest slot (the fork choice's rule), and its
    /// ancestors. A single node has one chain; a cluster node may hold blocks of forks it left.
    /// </summary>
    private HashSet<ulong> ChainToReplay(ulong root, List<ulong> slots, out int incomplete)
    {
        incomplete = 0;
        Dictionary<ulong, ulong> parentOf = [];
        foreach (ulong slot in slots)
        {
            if (_blockstore.TryGetSlotMeta(slot, out SlotMeta meta) && meta.IsComplete) parentOf[slot] = meta.ParentSlot;
            else incomplete++;
        }
        HashSet<ulong> connected = [];
        ulong? tip = null;
        foreach (ulong slot in slots) // ascending: a parent is decided before its children
        {
            if (!parentOf.TryGetValue(slot, out ulong parent) || (parent != root && !connected.Contains(parent))) continue;
            connected.Add(slot);
            tip = slot;
        }
        HashSet<ulong> chain = [];
        for (ulong? s = tip; s is ulong slot && slot != root; s = parentOf[slot]) chain.Add(slot);
        return chain;
    }

    /// <summary>
    /// The slots at or below the recovered root whose transactions may still be re-sent (their
    /// blockhashes are within the queue's retention): their committed transactions go back into the
    /// status cache (so a re-sent transaction stays a no-op — no double execution after a crash) and
    /// into the signature index with the error and fee stored beside the slot, so RPC reports them as
    /// before the restart. A transaction that was recorded but not committed is not restored. A slot
    /// without stored statuses (a ledger from before they were stored) restores every signature to
    /// the status cache (refusing a re-send is the safe side) and none to the index: its outcomes are
    /// unknown, and an unknown outcome is not reported.
    /// </summary>
    private int RestoreRecentRootedSlots(ulong root)
    {
        ulong retained = 2 * (ulong)TransactionLimits.BlockhashMaxAgeSlots;
        ulong from = root > retained ? root - retained : 1;
        int restored = 0, withoutStatuses = 0;
        foreach (ulong slot in _blockstore.Slots().Where(s => s >= from && s <= root).Order())
        {
            if (!_blockstore.TryGetSlotMeta(slot, out SlotMeta meta) || !meta.IsComplete) continue;
            byte[]? entries = _blockstore.ReadSlotEntries(slot);
            if (entries is null) continue;
            TransactionResult?[]? stored = ReadStoredStatuses(slot, entries);
            if (stored is null)
            {
                withoutStatuses++;
                restored += _forks.RestoreProcessedTransactions(slot, entries);
                continue;
            }
            restored += _forks.RestoreProcessedTransactions(slot, entries, [.. stored.Select(r => r?.Error)]);
            int position = 0;
            foreach (EntryView entry in new EntryStream(entries))
            {
                foreach (TransactionView tx in entry.Transactions)
                {
                    if (stored[position] is TransactionResult result)
                    {
                        Signatures.Add(tx.FirstSignature, new SignatureLocation(slot, position, result.Error, result.InstructionIndex, result.Fee));
                    }
                    position++;
                }
            }
        }
        if (withoutStatuses > 0)
        {
            _log.WriteLine($"recovery: {withoutStatuses} slot(s) at or below root {root} have no stored transaction statuses; their transactions are refused if re-sent but not reported by RPC");
        }
        return restored;
    }

    /// <summary>Puts a replayed slot's committed transactions into the signature index; returns how many.</summary>
    private int IndexReplayed(ulong slot, byte[] entries, TransactionResult[] results)
    {
        int position = 0, committed = 0;
        foreach (EntryView entry in new EntryStream(entries))
        {
            foreach (TransactionView tx in entry.Transactions)
            {
                TransactionResult result = results[position];
                if (result.IsCommitted)
                {
                    Signatures.Add(tx.FirstSignature, new SignatureLocation(slot, position, result.Error, result.InstructionIndex, result.Fee));
                    committed++;
                }
                position++;
            }
        }
        return committed;
    }

    /// <summary>A recovered slot's record; its block time is the stored one (the restart's clock only for a slot that has none).</summary>
    private SlotRecord RecordFor(Bank bank, ulong parent, Hash previous, ulong blockHeight, ulong cumulative, TransactionResult[]? results, int transactionCount) => new()
    {
        Slot = bank.Slot,
        Parent = parent,
        Blockhash = bank.LastBlockhash,
        PreviousBlockhash = previous,
        BankHash = bank.Hash,
        BlockHeight = blockHeight,
        BlockTimeUnixSeconds = _blockstore.BlockTime(bank.Slot) ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        CumulativeTransactions = cumulative,
        TransactionCount = transactionCount,
        Results = results,
        Bank = bank,
    };
}
