using System.Buffers.Binary;
using Fast.Core.Codec;
using Fast.Core.Transactions;

namespace Fast.Storage.Blocks;

/// <summary>
/// One transaction's stored status, the unit of a slot's status records in the <see cref="Blockstore"/>
/// (version 1, little-endian; docs/wire-format.md, "Transaction status record"):
/// <code>
/// u8 error | u8 instruction_index | u64 fee | u8 n | n × u64 pre_balance | n × u64 post_balance
/// </code>
/// <c>error</c> is the runtime's TransactionError code (0 = ok); <c>n</c> is 0 for a transaction that
/// was not committed (it then has fee 0 and instruction 0) and otherwise its account key count (≤ 64).
/// Canonical: instruction_index is 0 when error is 0, and a status with n = 0 has fee 0 and
/// instruction 0. Storage checks the structure; which error codes exist is the runtime's to check.
/// </summary>
public static class TransactionStatusCodec
{
    public const int FixedSize = 1 + 1 + 8 + 1;

    /// <summary>The largest one status can be: 64 accounts' balances.</summary>
    public const int MaxSize = FixedSize + 2 * 8 * TransactionLimits.MaxAccountKeys;

    public static int Size(int accounts) => FixedSize + 16 * accounts;

    /// <summary>Writes one status; returns its size. <paramref name="pre"/> and <paramref name="post"/> have n balances each (both empty when not committed).</summary>
    public static int Write(Span<byte> destination, byte error, byte instructionIndex, ulong fee, ReadOnlySpan<ulong> pre, ReadOnlySpan<ulong> post)
    {
        int n = pre.Length;
        if (post.Length != n || n > TransactionLimits.MaxAccountKeys) ThrowHelper.ThrowArgument(nameof(post), "pre and post balances: one each per account, at most 64");
        destination[0] = error;
        destination[1] = instructionIndex;
        BinaryPrimitives.WriteUInt64LittleEndian(destination[2..], fee);
        destination[10] = (byte)n;
        int at = FixedSize;
        foreach (ulong b in pre)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination[at..], b);
            at += 8;
        }
        foreach (ulong b in post)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination[at..], b);
            at += 8;
        }
        return at;
    }

    /// <summary>Reads the status at the start of <paramref name="source"/> (more may follow); never throws.</summary>
    public static DecodeResult TryRead(ReadOnlySpan<byte> source, out StoredTransactionStatus status)
    {
        status = default;
        if (source.Length < FixedSize) return new DecodeResult(DecodeStatus.Truncated, source.Length);
        byte error = source[0];
        byte instruction = source[1];
        ulong fee = BinaryPrimitives.ReadUInt64LittleEndian(source[2..]);
        int n = source[10];
        if (n > TransactionLimits.MaxAccountKeys) return new DecodeResult(DecodeStatus.LengthTooLarge, 10);
        if (error == 0 && instruction != 0) return new DecodeResult(DecodeStatus.InvalidValue, 1);
        if (n == 0 && fee != 0) return new DecodeResult(DecodeStatus.InvalidValue, 2);
        if (n == 0 && instruction != 0) return new DecodeResult(DecodeStatus.InvalidValue, 1);
        int size = Size(n);
        if (source.Length < size) return new DecodeResult(DecodeStatus.Truncated, source.Length);
        status = new StoredTransactionStatus(error, instruction, fee, source.Slice(FixedSize, 16 * n));
        return DecodeResult.Success;
    }

    /// <summary>Walks a slot's concatenated statuses to the one at <paramref name="index"/> (block order).</summary>
    public static DecodeResult TryReadAt(ReadOnlySpan<byte> statuses, int index, out StoredTransactionStatus status)
    {
        status = default;
        int offset = 0;
        for (int i = 0; ; i++)
        {
            DecodeResult read = TryRead(statuses[offset..], out status);
            if (!read.IsOk) return new DecodeResult(read.Status, offset + read.Offset);
            if (i == index) return DecodeResult.Success;
            offset += status.Size;
            if (offset == statuses.Length) return new DecodeResult(DecodeStatus.IndexOutOfRange, offset);
        }
    }

    /// <summary>How many statuses <paramref name="statuses"/> holds, checking each; −1 when one does not decode or bytes are left over.</summary>
    public static int Count(ReadOnlySpan<byte> statuses)
    {
        int offset = 0, count = 0;
        while (offset < statuses.Length)
        {
            if (!TryRead(statuses[offset..], out StoredTransactionStatus status).IsOk) return -1;
            offset += status.Size;
            count++;
        }
        return count;
    }
}

/// <summary>A decoded <see cref="TransactionStatusCodec"/> status: a view over the stored bytes.</summary>
public readonly ref struct StoredTransactionStatus(byte error, byte instructionIndex, ulong fee, ReadOnlySpan<byte> balances)
{
    private readonly ReadOnlySpan<byte> _balances = balances;

    public byte Error { get; } = error;
    public byte InstructionIndex { get; } = instructionIndex;
    public ulong Fee { get; } = fee;

    /// <summary>Accounts with balances: the transaction's key count, or 0 when it was not committed.</summary>
    public int AccountCount => _balances.Length / 16;

    public int Size => TransactionStatusCodec.FixedSize + _balances.Length;

    public ulong PreBalance(int account) => BinaryPrimitives.ReadUInt64LittleEndian(_balances[(8 * account)..]);

    public ulong PostBalance(int account) => BinaryPrimitives.ReadUInt64LittleEndian(_balances[(8 * (AccountCount + account))..]);

    public ulong[] PreBalances()
    {
        ulong[] result = new ulong[AccountCount];
        for (int i = 0; i < result.Length; i++) result[i] = PreBalance(i);
        return result;
    }

    public ulong[] PostBalances()
    {
        ulong[] result = new ulong[AccountCount];
        for (int i = 0; i < result.Length; i++) result[i] = PostBalance(i);
        return result;
    }
}
