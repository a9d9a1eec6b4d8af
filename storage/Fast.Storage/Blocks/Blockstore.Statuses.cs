using System.Buffers;

namespace Fast.Storage.Blocks;

/// <summary>
/// The Blockstore's transaction-status records: each slot's statuses (error, fee, pre/post balances,
/// <see cref="TransactionStatusCodec"/>) appended beside its entries and read back for recovery and RPC.
/// </summary>
public sealed partial class Blockstore
{
    /// <summary>
    /// Appends <paramref name="count"/> transaction statuses of <paramref name="slot"/> (concatenated
    /// <see cref="TransactionStatusCodec"/> statuses, block order, following those already appended);
    /// <paramref name="last"/> says they are the slot's last. Statuses may arrive before the slot's
    /// entries. Committed with the next commit (a slot is rooted only after its statuses were appended,
    /// and rooting commits), or now under <see cref="BlockstoreCommitPolicy.EveryAppend"/>.
    /// </summary>
    public AppendStatus AppendStatuses(ulong slot, ulong parentSlot, int count, ReadOnlySpan<byte> statuses, bool last)
    {
        if (count < 0 || (count == 0) != statuses.IsEmpty || (count == 0 && !last)) return AppendStatus.Empty;
        if (statuses.Length > Options.MaxAppendBytes) return AppendStatus.TooLarge;
        if (parentSlot >= slot && slot != 0) return AppendStatus.InvalidParent;
        if (TransactionStatusCodec.Count(statuses) != count) return AppendStatus.Malformed;
        lock (_gate)
        {
            ThrowIfDisposed();
            if (_slots.TryGetValue(slot, out SlotState? state))
            {
                if (state.StatusesComplete) return AppendStatus.SlotAlreadyComplete;
                if (state.Parent != parentSlot) return AppendStatus.ParentMismatch;
            }
            else
            {
                state = new SlotState(parentSlot);
                _slots.Add(slot, state);
            }
            int length = BlockRecord.StatusesHeaderSize + statuses.Length;
            byte[] record = ArrayPool<byte>.Shared.Rent(length);
            BlockRecord.WriteStatusesHeader(record, slot, parentSlot, state.StatusCount, count, last);
            statuses.CopyTo(record.AsSpan(BlockRecord.StatusesHeaderSize));
            long address = _log.Enqueue(new ReadOnlySpan<byte>(record, 0, length));
            ArrayPool<byte>.Shared.Return(record);
            AddStatuses(state, address, length, count, last);
        }
        if (Options.CommitPolicy == BlockstoreCommitPolicy.EveryAppend) Commit();
        return AppendStatus.Ok;
    }

    /// <summary>
    /// The statuses of <paramref name="slot"/>'s transactions in block order (concatenated
    /// <see cref="TransactionStatusCodec"/> statuses), or null when the slot is unknown or its last
    /// status record is missing (a ledger written before statuses were stored, or the node died before
    /// they were appended). Allocates the result (cold path: recovery and RPC).
    /// </summary>
    public byte[]? ReadSlotStatuses(ulong slot)
    {
        (long Address, int Length)[] batches;
        long total;
        lock (_gate)
        {
            ThrowIfDisposed();
            if (!_slots.TryGetValue(slot, out SlotState? state) || !state.StatusesComplete) return null;
            batches = [.. state.StatusBatches ?? []];
            total = state.StatusBytes;
        }
        return ReadPayloads(slot, batches, total, BlockRecord.StatusesHeaderSize);
    }

    private static void AddStatuses(SlotState state, long address, int length, int count, bool last)
    {
        (state.StatusBatches ??= []).Add((address, length));
        state.StatusCount += count;
        state.StatusBytes += length - BlockRecord.StatusesHeaderSize;
        state.StatusesComplete = last;
    }

    /// <summary>
    /// Records <paramref name="slot"/>'s block time (Unix seconds, the leader's clock when the bank froze),
    /// appended after the slot's statuses (the slot must be known: false otherwise). Committed with the
    /// next commit, like the statuses; rebuilt from the log on open.
    /// </summary>
    public bool AppendBlockTime(ulong slot, long unixSeconds)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            if (!_slots.TryGetValue(slot, out SlotState? state)) return false;
            Span<byte> record = stackalloc byte[BlockRecord.BlockTimeSize];
            BlockRecord.WriteBlockTime(record, slot, unixSeconds);
            _log.Enqueue(record);
            state.BlockTime = unixSeconds;
        }
        if (Options.CommitPolicy == BlockstoreCommitPolicy.EveryAppend) Commit();
        return true;
    }

    /// <summary>The block time recorded for <paramref name="slot"/> (Unix seconds), or null. O(1).</summary>
    public long? BlockTime(ulong slot)
    {
        lock (_gate)
        {
            return _slots.TryGetValue(slot, out SlotState? state) ? state.BlockTime : null;
        }
    }

    /// <summary>
    /// Records <paramref name="slot"/>'s block id (a cluster node: the root of its last FEC set, what its
    /// children's shreds chain to), appended after the slot's entries (the slot must be known: false
    /// otherwise). Committed with the next commit; rebuilt from the log on open.
    /// </summary>
    public bool AppendBlockId(ulong slot, ReadOnlySpan<byte> blockId)
    {
        if (blockId.Length != 32) throw new ArgumentException("a block id is 32 bytes", nameof(blockId));
        lock (_gate)
        {
            ThrowIfDisposed();
            if (!_slots.TryGetValue(slot, out SlotState? state)) return false;
            Span<byte> record = stackalloc byte[BlockRecord.BlockIdSize];
            BlockRecord.WriteBlockId(record, slot, blockId);
            _log.Enqueue(record);
            state.BlockId = blockId.ToArray();
        }
        if (Options.CommitPolicy == BlockstoreCommitPolicy.EveryAppend) Commit();
        return true;
    }

    /// <summary>The block id recorded for <paramref name="slot"/> (32 bytes), or null. O(1).</summary>
    public byte[]? BlockId(ulong slot)
    {
        lock (_gate)
        {
            return _slots.TryGetValue(slot, out SlotState? state) ? state.BlockId : null;
        }
    }
}
