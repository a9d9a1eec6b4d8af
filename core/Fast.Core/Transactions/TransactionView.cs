using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Fast.Core.Codec;
using Fast.Core.Primitives;

namespace Fast.Core.Transactions;

/// <summary>
/// A transaction read in place from the buffer it arrived in: every field is a span or a value
/// over those bytes, and every count, index and length was checked once, when the view was made.
/// Wire layout (docs/wire-format.md):
/// <code>
/// shortvec n  | n × signature(64)                       ← signatures, one per required signer
/// message:  u8 required_signatures | u8 readonly_signed | u8 readonly_unsigned
///           shortvec k | k × pubkey(32)                 ← account keys: signers first, then the rest
///           hash(32)                                    ← recent blockhash
///           shortvec m | m × { u8 program_id_index, shortvec a | a × u8 account_index, shortvec d | d × u8 data }
/// </code>
/// Signers sign the message bytes. Rules beyond bounds: n == required_signatures ≥ 1; the fee payer
/// (key 0) is a writable signer; keys are distinct; an instruction's program is not the fee payer.
/// </summary>
public readonly ref struct TransactionView
{
    private readonly ReadOnlySpan<byte> _bytes;
    private readonly TransactionLayout _layout;

    private TransactionView(ReadOnlySpan<byte> bytes, TransactionLayout layout)
    {
        _bytes = bytes;
        _layout = layout;
    }

    /// <summary>Rebuilds a view from a layout produced by an earlier successful parse of the same bytes (no checks).</summary>
    public static TransactionView FromValidated(ReadOnlySpan<byte> bytes, scoped in TransactionLayout layout) => new(bytes[..layout.Length], layout);

    /// <summary>The whole transaction, exactly.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    public int Length => _bytes.Length;

    public TransactionLayout Layout => _layout;

    /// <summary>The bytes every signer signs.</summary>
    public ReadOnlySpan<byte> Message => _bytes[_layout.MessageOffset..];

    public int SignatureCount => _layout.SignatureCount;

    public ReadOnlySpan<byte> GetSignatureBytes(int index) => _bytes.Slice(_layout.SignaturesOffset + index * Signature.Size, Signature.Size);

    /// <summary>The transaction's id: its first (fee payer's) signature.</summary>
    public Signature FirstSignature => new(GetSignatureBytes(0));

    public int RequiredSignatures => _layout.RequiredSignatures;
    public int ReadonlySignedCount => _layout.ReadonlySigned;
    public int ReadonlyUnsignedCount => _layout.ReadonlyUnsigned;

    public int AccountKeyCount => _layout.AccountKeyCount;

    public ReadOnlySpan<byte> GetAccountKeyBytes(int index) => _bytes.Slice(_layout.AccountKeysOffset + index * Pubkey.Size, Pubkey.Size);

    public Pubkey GetAccountKey(int index) => new(GetAccountKeyBytes(index));

    /// <summary>The fee payer: account key 0, a writable signer.</summary>
    public Pubkey FeePayer => GetAccountKey(0);

    public Hash RecentBlockhash => new(_bytes.Slice(_layout.BlockhashOffset, Hash.Size));

    public int InstructionCount => _layout.InstructionCount;

    public InstructionEnumerator Instructions => new(_bytes[_layout.InstructionsOffset..], _layout.InstructionCount);

    public bool IsSigner(int index) => index < _layout.RequiredSignatures;

    /// <summary>Writable: signed and not in the read-only-signed tail, or unsigned and not in the read-only-unsigned tail.</summary>
    public bool IsWritable(int index)
    {
        int required = _layout.RequiredSignatures;
        return index < required
            ? index < required - _layout.ReadonlySigned
            : index < _layout.AccountKeyCount - _layout.ReadonlyUnsigned;
    }

    /// <summary>Parses a buffer that must hold exactly one transaction.</summary>
    public static DecodeResult TryParse(ReadOnlySpan<byte> buffer, out TransactionView view)
    {
        if (buffer.Length > TransactionLimits.MaxTransactionSize)
        {
            view = default;
            return new DecodeResult(DecodeStatus.TooLarge, TransactionLimits.MaxTransactionSize);
        }
        DecodeResult result = TryParsePrefix(buffer, out view);
        if (result.IsOk && view.Length != buffer.Length)
        {
            int end = view.Length;
            view = default;
            return new DecodeResult(DecodeStatus.TrailingBytes, end);
        }
        return result;
    }

    /// <summary>
    /// Parses one transaction at the start of <paramref name="buffer"/> (which may continue with
    /// more data, as in an entry); <see cref="Length"/> is how many bytes it took.
    /// </summary>
    public static DecodeResult TryParsePrefix(ReadOnlySpan<byte> buffer, out TransactionView view)
    {
        view = default;
        bool capped = buffer.Length > TransactionLimits.MaxTransactionSize;
        ReadOnlySpan<byte> window = capped ? buffer[..TransactionLimits.MaxTransactionSize] : buffer;
        SpanReader reader = new(window);
        if (!TryReadLayout(ref reader, window, out TransactionLayout layout))
        {
            DecodeResult failed = reader.Result;
            // Running out of the 1,232-byte window while the input goes on means the transaction is too big.
            return capped && failed.Status == DecodeStatus.Truncated
                ? new DecodeResult(DecodeStatus.TooLarge, TransactionLimits.MaxTransactionSize)
                : failed;
        }
        view = new TransactionView(window[..layout.Length], layout);
        return DecodeResult.Success;
    }

    private static bool TryReadLayout(ref SpanReader reader, ReadOnlySpan<byte> window, out TransactionLayout layout)
    {
        layout = default;
        if (!reader.TryReadShortVec(out int signatureCount, TransactionLimits.MaxSignatures)) return false;
        if (!reader.TrySkip(signatureCount * Signature.Size)) return false;

        int messageOffset = reader.Position;
        if (!reader.TryReadU8(out byte required) || !reader.TryReadU8(out byte readonlySigned) || !reader.TryReadU8(out byte readonlyUnsigned))
        {
            return false;
        }
        if (required == 0) return reader.Fail(DecodeStatus.InvalidValue, messageOffset);
        if (signatureCount != required) return reader.Fail(DecodeStatus.CountMismatch, messageOffset);
        if (readonlySigned >= required) return reader.Fail(DecodeStatus.InvalidValue, messageOffset + 1);

        int keyCountOffset = reader.Position;
        if (!reader.TryReadShortVec(out int keyCount, TransactionLimits.MaxAccountKeys)) return false;
        if (keyCount < required + readonlyUnsigned) return reader.Fail(DecodeStatus.CountMismatch, keyCountOffset);
        int keysOffset = reader.Position;
        if (!reader.TryReadBytes(keyCount * Pubkey.Size, out ReadOnlySpan<byte> keys)) return false;
        int duplicate = FindDuplicateKey(keys, keyCount);
        if (duplicate >= 0) return reader.Fail(DecodeStatus.InvalidValue, keysOffset + duplicate * Pubkey.Size);

        if (!reader.TrySkip(Hash.Size)) return false;
        if (!reader.TryReadShortVec(out int instructionCount, TransactionLimits.MaxInstructions)) return false;
        int instructionsOffset = reader.Position;
        for (int i = 0; i < instructionCount; i++)
        {
            if (!TryReadInstruction(ref reader, keyCount)) return false;
        }

        layout = new TransactionLayout((ushort)reader.Position, (byte)signatureCount, (ushort)messageOffset, required, readonlySigned,
            readonlyUnsigned, (ushort)keysOffset, (byte)keyCount, (ushort)instructionsOffset, (byte)instructionCount);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryReadInstruction(ref SpanReader reader, int keyCount)
    {
        int programAt = reader.Position;
        if (!reader.TryReadU8(out byte programIdIndex)) return false;
        if (programIdIndex >= keyCount) return reader.Fail(DecodeStatus.IndexOutOfRange, programAt);
        if (programIdIndex == 0) return reader.Fail(DecodeStatus.InvalidValue, programAt);

        if (!reader.TryReadShortVec(out int accountCount, TransactionLimits.MaxInstructionAccounts)) return false;
        int accountsAt = reader.Position;
        if (!reader.TryReadBytes(accountCount, out ReadOnlySpan<byte> accounts)) return false;
        for (int j = 0; j < accounts.Length; j++)
        {
            if (accounts[j] >= keyCount) return reader.Fail(DecodeStatus.IndexOutOfRange, accountsAt + j);
        }

        if (!reader.TryReadShortVec(out int dataLength, TransactionLimits.MaxInstructionData)) return false;
        return reader.TrySkip(dataLength);
    }

    /// <summary>
    /// Index of the first key equal to an earlier one, or −1. Quadratic, but k ≤ 64 (≤ 36 fit a
    /// packet): each pair costs one 8-byte compare unless the keys' first 8 bytes agree, so a
    /// hostile packet of 36 keys is ~630 word compares, well under a microsecond.
    /// </summary>
    private static int FindDuplicateKey(ReadOnlySpan<byte> keys, int keyCount)
    {
        for (int i = 1; i < keyCount; i++)
        {
            ReadOnlySpan<byte> key = keys.Slice(i * Pubkey.Size, Pubkey.Size);
            ulong head = BinaryPrimitives.ReadUInt64LittleEndian(key);
            for (int j = 0; j < i; j++)
            {
                ReadOnlySpan<byte> other = keys.Slice(j * Pubkey.Size, Pubkey.Size);
                if (BinaryPrimitives.ReadUInt64LittleEndian(other) == head && key.SequenceEqual(other)) return i;
            }
        }
        return -1;
    }
}
