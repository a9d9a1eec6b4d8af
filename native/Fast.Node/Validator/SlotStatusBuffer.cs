using Fast.Exec;
using Fast.Storage.Blocks;

namespace Fast.Node.Validator;

/// <summary>
/// One slot's transaction statuses (error, fee, pre/post balances), encoded as the transactions
/// execute, in block order, into a reused buffer (<see cref="TransactionStatusCodec"/>), then
/// appended to the Blockstore beside the slot's entries when its bank freezes (split into records
/// that each fit an append). Grows to the largest slot seen and then allocates nothing.
/// <para>Threads: its owner's only (the banking thread; recovery before banking starts).</para>
/// </summary>
public sealed class SlotStatusBuffer
{
    private byte[] _bytes = new byte[1 << 20];
    private int _length;

    /// <summary>Statuses held (one per transaction of the slot so far).</summary>
    public int Count { get; private set; }

    /// <summary>
    /// Adds the next transaction's status. <paramref name="balances"/> holds its accounts' lamports
    /// before, then after (2 per account key; what the scheduler captured); only a committed
    /// transaction's are stored.
    /// </summary>
    public void Add(in TransactionResult result, ReadOnlySpan<ulong> balances)
    {
        if (_bytes.Length - _length < TransactionStatusCodec.MaxSize) Array.Resize(ref _bytes, _bytes.Length * 2);
        int n = result.IsCommitted ? balances.Length / 2 : 0;
        _length += TransactionStatusCodec.Write(_bytes.AsSpan(_length), (byte)result.Error,
            result.IsCommitted ? result.InstructionIndex : (byte)0, result.IsCommitted ? result.Fee : 0, balances[..n], balances.Slice(n, n));
        Count++;
    }

    /// <summary>
    /// Appends every status held to <paramref name="blockstore"/> as <paramref name="slot"/>'s (in
    /// records of at most one append each, the last one flagged), then empties the buffer. Returns
    /// the first status other than ok.
    /// </summary>
    public AppendStatus AppendTo(Blockstore blockstore, ulong slot, ulong parentSlot)
    {
        ReadOnlySpan<byte> all = _bytes.AsSpan(0, _length);
        int limit = blockstore.Options.MaxAppendBytes;
        AppendStatus outcome = AppendStatus.Ok;
        if (Count == 0)
        {
            outcome = blockstore.AppendStatuses(slot, parentSlot, 0, [], last: true);
        }
        else
        {
            int start = 0, end = 0, inChunk = 0;
            while (end < all.Length)
            {
                TransactionStatusCodec.TryRead(all[end..], out StoredTransactionStatus status);
                if (end + status.Size - start > limit)
                {
                    outcome = blockstore.AppendStatuses(slot, parentSlot, inChunk, all[start..end], last: false);
                    if (outcome != AppendStatus.Ok) break;
                    start = end;
                    inChunk = 0;
                }
                end += status.Size;
                inChunk++;
            }
            if (outcome == AppendStatus.Ok) outcome = blockstore.AppendStatuses(slot, parentSlot, inChunk, all[start..end], last: true);
        }
        Clear();
        return outcome;
    }

    public void Clear()
    {
        _length = 0;
        Count = 0;
    }
}
