using System.Buffers.Binary;
using Fast.Core.Codec;
using Fast.Core.Primitives;
using Fast.Core.Transactions;

namespace Fast.Exec.Programs;

/// <summary>One instruction of a multisig proposal, as a view over the encoded list (no copy).</summary>
public readonly ref struct InnerInstruction
{
    public InnerInstruction(ReadOnlySpan<byte> programId, ReadOnlySpan<byte> accountMetas, ReadOnlySpan<byte> data)
    {
        ProgramId = programId;
        AccountMetas = accountMetas;
        Data = data;
    }

    public ReadOnlySpan<byte> ProgramId { get; }

    /// <summary><see cref="AccountCount"/> entries of <see cref="InnerInstructionList.AccountMetaSize"/> bytes: pubkey(32) | flags.</summary>
    public ReadOnlySpan<byte> AccountMetas { get; }

    public ReadOnlySpan<byte> Data { get; }

    public int AccountCount => AccountMetas.Length / InnerInstructionList.AccountMetaSize;

    public ReadOnlySpan<byte> AccountKey(int index) => AccountMetas.Slice(index * InnerInstructionList.AccountMetaSize, Pubkey.Size);

    public bool IsSigner(int index) => (AccountMetas[index * InnerInstructionList.AccountMetaSize + Pubkey.Size] & InnerInstructionList.SignerFlag) != 0;

    public bool IsWritable(int index) => (AccountMetas[index * InnerInstructionList.AccountMetaSize + Pubkey.Size] & InnerInstructionList.WritableFlag) != 0;
}

/// <summary>
/// The encoding of a multisig proposal's instruction list (carried by Propose, stored in the proposal
/// account, run by Execute), with explicit caps checked before anything is sized from a count:
/// <code>
/// u8 instruction_count (1..8)
/// per instruction: program_id(32) | u8 account_count (0..16) | account_count × (pubkey(32) | u8 flags: bit 0 signer, bit 1 writable, other bits 0) | u16 data_length (0..1024) | data
/// </code>
/// Decoding never throws; it reports the status and offset of the first bad byte. Cold-path
/// builders (<see cref="Encode"/>) are for clients.
/// </summary>
public static class InnerInstructionList
{
    public const int MaxInstructions = 8;
    public const int MaxAccountsPerInstruction = 16;
    public const int MaxDataLength = 1024;
    public const int AccountMetaSize = Pubkey.Size + 1;
    public const byte SignerFlag = 1;
    public const byte WritableFlag = 2;

    /// <summary>Checks a whole list (every instruction, no trailing bytes) and gives its instruction count.</summary>
    public static DecodeResult Validate(ReadOnlySpan<byte> list, out int count)
    {
        count = 0;
        if (list.IsEmpty) return new DecodeResult(DecodeStatus.Truncated, 0);
        int declared = list[0];
        if (declared == 0) return new DecodeResult(DecodeStatus.InvalidValue, 0);
        if (declared > MaxInstructions) return new DecodeResult(DecodeStatus.LengthTooLarge, 0);
        int offset = 1;
        for (int i = 0; i < declared; i++)
        {
            DecodeResult result = TryRead(list, ref offset, out _);
            if (!result.IsOk) return result;
        }
        if (offset != list.Length) return new DecodeResult(DecodeStatus.TrailingBytes, offset);
        count = declared;
        return DecodeResult.Success;
    }

    /// <summary>Reads the instruction at <paramref name="offset"/> (past the count byte) and advances it.</summary>
    public static DecodeResult TryRead(ReadOnlySpan<byte> list, ref int offset, out InnerInstruction instruction)
    {
        instruction = default;
        int p = offset;
        if (list.Length - p < Pubkey.Size + 1) return new DecodeResult(DecodeStatus.Truncated, list.Length);
        ReadOnlySpan<byte> program = list.Slice(p, Pubkey.Size);
        p += Pubkey.Size;
        int accounts = list[p];
        if (accounts > MaxAccountsPerInstruction) return new DecodeResult(DecodeStatus.LengthTooLarge, p);
        p++;
        int metasLength = accounts * AccountMetaSize;
        if (list.Length - p < metasLength) return new DecodeResult(DecodeStatus.Truncated, list.Length);
        ReadOnlySpan<byte> metas = list.Slice(p, metasLength);
        for (int i = 0; i < accounts; i++)
        {
            int flagsAt = p + i * AccountMetaSize + Pubkey.Size;
            if ((list[flagsAt] & ~(SignerFlag | WritableFlag)) != 0) return new DecodeResult(DecodeStatus.InvalidValue, flagsAt);
        }
        p += metasLength;
        if (list.Length - p < 2) return new DecodeResult(DecodeStatus.Truncated, list.Length);
        int dataLength = BinaryPrimitives.ReadUInt16LittleEndian(list[p..]);
        if (dataLength > MaxDataLength) return new DecodeResult(DecodeStatus.LengthTooLarge, p);
        p += 2;
        if (list.Length - p < dataLength) return new DecodeResult(DecodeStatus.Truncated, list.Length);
        instruction = new InnerInstruction(program, metas, list.Slice(p, dataLength));
        offset = p + dataLength;
        return DecodeResult.Success;
    }

    /// <summary>Writes one instruction from its fields (the inverse of <see cref="TryRead"/>).</summary>
    public static void Write(ref SpanWriter writer, scoped InnerInstruction instruction)
    {
        writer.WriteBytes(instruction.ProgramId);
        writer.WriteU8((byte)instruction.AccountCount);
        for (int i = 0; i < instruction.AccountCount; i++)
        {
            writer.WriteBytes(instruction.AccountKey(i));
            writer.WriteU8((byte)((instruction.IsSigner(i) ? SignerFlag : 0) | (instruction.IsWritable(i) ? WritableFlag : 0)));
        }
        writer.WriteU16((ushort)instruction.Data.Length);
        writer.WriteBytes(instruction.Data);
    }

    /// <summary>Encodes client instructions as a list (cold path). Throws on a list past the caps (a caller bug).</summary>
    public static byte[] Encode(IReadOnlyList<Instruction> instructions)
    {
        if (instructions.Count is 0 or > MaxInstructions) ThrowHelper.ThrowArgument(nameof(instructions), $"a proposal holds 1 to {MaxInstructions} instructions");
        int length = 1;
        foreach (Instruction instruction in instructions)
        {
            if (instruction.Accounts.Length > MaxAccountsPerInstruction) ThrowHelper.ThrowArgument(nameof(instructions), $"at most {MaxAccountsPerInstruction} accounts per instruction");
            if (instruction.Data.Length > MaxDataLength) ThrowHelper.ThrowArgument(nameof(instructions), $"at most {MaxDataLength} data bytes per instruction");
            length += Pubkey.Size + 1 + instruction.Accounts.Length * AccountMetaSize + 2 + instruction.Data.Length;
        }
        byte[] list = new byte[length];
        SpanWriter w = new(list);
        w.WriteU8((byte)instructions.Count);
        foreach (Instruction instruction in instructions)
        {
            w.WritePubkey(instruction.ProgramId);
            w.WriteU8((byte)instruction.Accounts.Length);
            foreach (AccountMeta meta in instruction.Accounts)
            {
                w.WritePubkey(meta.Key);
                w.WriteU8((byte)((meta.IsSigner ? SignerFlag : 0) | (meta.IsWritable ? WritableFlag : 0)));
            }
            w.WriteU16((ushort)instruction.Data.Length);
            w.WriteBytes(instruction.Data);
        }
        return list;
    }
}
