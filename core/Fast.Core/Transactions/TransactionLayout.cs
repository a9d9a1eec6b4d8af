using System.Runtime.InteropServices;

namespace Fast.Core.Transactions;

/// <summary>
/// Where a validated transaction's parts sit in its buffer: 16 bytes that later stages keep next
/// to the packet, so sigverify, banking and replay rebuild a <see cref="TransactionView"/> with
/// <see cref="TransactionView.FromValidated"/> instead of parsing again.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 2)]
public readonly struct TransactionLayout
{
    public TransactionLayout(ushort length, byte signatureCount, ushort messageOffset, byte requiredSignatures, byte readonlySigned,
        byte readonlyUnsigned, ushort accountKeysOffset, byte accountKeyCount, ushort instructionsOffset, byte instructionCount)
    {
        Length = length;
        SignatureCount = signatureCount;
        MessageOffset = messageOffset;
        RequiredSignatures = requiredSignatures;
        ReadonlySigned = readonlySigned;
        ReadonlyUnsigned = readonlyUnsigned;
        AccountKeysOffset = accountKeysOffset;
        AccountKeyCount = accountKeyCount;
        InstructionsOffset = instructionsOffset;
        InstructionCount = instructionCount;
    }

    /// <summary>Total bytes of the transaction.</summary>
    public ushort Length { get; }
    public byte SignatureCount { get; }
    public ushort MessageOffset { get; }
    public byte RequiredSignatures { get; }
    public byte ReadonlySigned { get; }
    public byte ReadonlyUnsigned { get; }
    public ushort AccountKeysOffset { get; }
    public byte AccountKeyCount { get; }
    public ushort InstructionsOffset { get; }
    public byte InstructionCount { get; }

    /// <summary>Signatures start right after their one-byte count (at most 16 fit a one-byte shortvec).</summary>
    public int SignaturesOffset => 1;

    public int BlockhashOffset => AccountKeysOffset + AccountKeyCount * Primitives.Pubkey.Size;
}
