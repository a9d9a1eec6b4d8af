using Fast.Core.Ledger;
using Fast.Exec;
using Fast.Exec.Replay;
using Fast.Storage.Blocks;

namespace Fast.Node.Validator;

/// <summary>
/// Transaction statuses stored beside each slot in the Blockstore (<see cref="TransactionStatusCodec"/>):
/// read back at recovery (restored slots) and written for slots that recovery replays and that lack
/// them. Startup thread only.
/// </summary>
public sealed partial class Validator
{
    /// <summary>
    /// The stored outcome of each transaction of <paramref name="slot"/> in block order (null for one that
    /// was not committed), or null when the slot has no complete, well-formed statuses for exactly its
    /// transactions (logged).
    /// </summary>
    private TransactionResult?[]? ReadStoredStatuses(ulong slot, byte[] entries)
    {
        byte[]? statuses = _blockstore.ReadSlotStatuses(slot);
        if (statuses is null) return null;
        int transactions = 0;
        foreach (EntryView entry in new EntryStream(entries)) transactions += entry.TransactionCount;
        var results = new TransactionResult?[transactions];
        int offset = 0;
        for (int i = 0; i < transactions; i++)
        {
            if (offset == statuses.Length || !TransactionStatusCodec.TryRead(statuses.AsSpan(offset), out StoredTransactionStatus status).IsOk
                || !Enum.IsDefined((TransactionError)status.Error))
            {
                _log.WriteLine($"recovery: slot {slot}'s stored statuses do not decode at status {i}; its transactions are not reported");
                return null;
            }
            var error = (TransactionError)status.Error;
            results[i] = error.IsCommitted() ? new TransactionResult(error, status.InstructionIndex, status.Fee) : null;
            offset += status.Size;
        }
        if (offset != statuses.Length)
        {
            _log.WriteLine($"recovery: slot {slot} has more stored statuses than its {transactions} transactions; its transactions are not reported");
            return null;
        }
        return results;
    }

    /// <summary>Stores a replayed slot's statuses (the node died before it stored them).</summary>
    private void StoreReplayedStatuses(ulong slot, ulong parent, SlotReplayer replayer)
    {
        SlotStatusBuffer buffer = new();
        ReadOnlySpan<ulong> balances = replayer.Balances;
        ReadOnlySpan<TransactionResult> results = replayer.Results;
        int at = 0;
        foreach (TransactionResult result in results)
        {
            int accounts = replayer.AccountCount(buffer.Count);
            buffer.Add(result, balances.Slice(at, 2 * accounts));
            at += 2 * accounts;
        }
        AppendStatus appended = buffer.AppendTo(_blockstore, slot, parent);
        if (appended != AppendStatus.Ok) _log.WriteLine($"recovery: the statuses of replayed slot {slot} were not stored ({appended})");
    }
}
