using Fast.Core.Codec;
using Fast.Core.Primitives;

namespace Fast.Core.Transactions;

/// <summary>
/// Encodes transactions field by field into a <see cref="SpanWriter"/> (zero allocation; the
/// mirror of <see cref="TransactionView"/>): signatures, message header, account keys, recent
/// blockhash, instructions, in that order. <see cref="TransactionBuilder"/> is the allocating,
/// key-ordering convenience for clients; this is for load generators and for re-encoding a view.
/// It writes what it is given: <see cref="TransactionView.TryParse"/> is what checks the rules.
/// </summary>
public static class TransactionWriter
{
    /// <summary>Writes the signature count and <paramref name="signatures"/> (count × 64 bytes).</summary>
    public static void WriteSignatures(ref SpanWriter writer, scoped ReadOnlySpan<byte> signatures)
    {
        if (signatures.Length % Signature.Size != 0) ThrowHelper.ThrowArgument(nameof(signatures), "must be a whole number of 64-byte signatures");
        writer.WriteShortVec(signatures.Length / Signature.Size);
        writer.WriteBytes(signatures);
    }

    /// <summary>Writes the signature count and reserves room for the signatures, to sign into once the message is written.</summary>
    public static Span<byte> ReserveSignatures(ref SpanWriter writer, int count)
    {
        writer.WriteShortVec(count);
        return writer.Advance(count * Signature.Size);
    }

    public static void WriteMessageHeader(ref SpanWriter writer, byte requiredSignatures, byte readonlySigned, byte readonlyUnsigned)
    {
        writer.WriteU8(requiredSignatures);
        writer.WriteU8(readonlySigned);
        writer.WriteU8(readonlyUnsigned);
    }

    /// <summary>Writes the key count and <paramref name="keys"/> (count × 32 bytes).</summary>
    public static void WriteAccountKeys(ref SpanWriter writer, scoped ReadOnlySpan<byte> keys)
    {
        if (keys.Length % Pubkey.Size != 0) ThrowHelper.ThrowArgument(nameof(keys), "must be a whole number of 32-byte keys");
        writer.WriteShortVec(keys.Length / Pubkey.Size);
        writer.WriteBytes(keys);
    }

    public static void WriteRecentBlockhash(ref SpanWriter writer, in Hash blockhash) => writer.WriteHash(blockhash);

    public static void WriteInstructionCount(ref SpanWriter writer, int count) => writer.WriteShortVec(count);

    public static void WriteInstruction(ref SpanWriter writer, byte programIdIndex, scoped ReadOnlySpan<byte> accountIndexes, scoped ReadOnlySpan<byte> data)
    {
        writer.WriteU8(programIdIndex);
        writer.WriteShortVec(accountIndexes.Length);
        writer.WriteBytes(accountIndexes);
        writer.WriteShortVec(data.Length);
        writer.WriteBytes(data);
    }

    /// <summary>
    /// Re-encodes a parsed transaction from its fields (not by copying its bytes). Because the wire
    /// format has one encoding per value, the result equals <see cref="TransactionView.Bytes"/>; the
    /// fuzzer and the property tests hold the decoder to that.
    /// </summary>
    public static void Write(ref SpanWriter writer, in TransactionView transaction)
    {
        writer.WriteShortVec(transaction.SignatureCount);
        for (int i = 0; i < transaction.SignatureCount; i++) writer.WriteBytes(transaction.GetSignatureBytes(i));
        WriteMessageHeader(ref writer, (byte)transaction.RequiredSignatures, (byte)transaction.ReadonlySignedCount, (byte)transaction.ReadonlyUnsignedCount);
        writer.WriteShortVec(transaction.AccountKeyCount);
        for (int i = 0; i < transaction.AccountKeyCount; i++) writer.WriteBytes(transaction.GetAccountKeyBytes(i));
        WriteRecentBlockhash(ref writer, transaction.RecentBlockhash);
        WriteInstructionCount(ref writer, transaction.InstructionCount);
        foreach (InstructionView instruction in transaction.Instructions)
        {
            WriteInstruction(ref writer, instruction.ProgramIdIndex, instruction.AccountIndexes, instruction.Data);
        }
    }
}
