using System.Buffers.Binary;
using Fast.Core.Codec;
using Fast.Core.Primitives;
using Fast.Core.Shreds;
using Fast.Core.Transactions;

namespace Fast.Exec.Programs;

/// <summary>The stake program's instructions (the first byte of the instruction data).</summary>
public enum StakeInstructionKind : byte
{
    Initialize = 0,
    Delegate = 1,
    Deactivate = 2,
    Withdraw = 3,
    WriteEvidence = 4,
    ReportEquivocation = 5,
}

/// <summary>
/// One decoded stake instruction. Encodings (exact lengths; anything else is rejected, docs/programs.md):
/// <code>
/// Initialize          u8 0 | authority(32)                         33 bytes
/// Delegate            u8 1                                          1 byte
/// Deactivate          u8 2                                          1 byte
/// Withdraw            u8 3 | u64 lamports                           9 bytes
/// WriteEvidence       u8 4 | u16 offset | u16 length | bytes        5 + length bytes; offset + length ≤ 2,502, length ≥ 1
/// ReportEquivocation  u8 5                                          1 byte
/// </code>
/// <see cref="TryDecode"/> never throws, checks the evidence length against its cap before anything
/// else, and reports the offset of the first bad byte. <see cref="Chunk"/> is a view into the
/// instruction data (no copy).
/// </summary>
public readonly ref struct StakeInstructionData
{
    public const int InitializeLength = 1 + Pubkey.Size;
    public const int WithdrawLength = 1 + 8;
    public const int WriteEvidenceHeader = 1 + 2 + 2;

    public StakeInstructionKind Kind { get; init; }

    public Pubkey Authority { get; init; }

    public ulong Lamports { get; init; }

    public int Offset { get; init; }

    public ReadOnlySpan<byte> Chunk { get; init; }

    public static DecodeResult TryDecode(ReadOnlySpan<byte> data, out StakeInstructionData instruction)
    {
        instruction = default;
        if (data.IsEmpty) return new DecodeResult(DecodeStatus.Truncated, 0);
        if (data[0] > (byte)StakeInstructionKind.ReportEquivocation) return new DecodeResult(DecodeStatus.InvalidValue, 0);
        var kind = (StakeInstructionKind)data[0];
        switch (kind)
        {
            case StakeInstructionKind.Initialize:
                if (!ExactLength(data, InitializeLength, out DecodeResult r)) return r;
                instruction = new StakeInstructionData { Kind = kind, Authority = new Pubkey(data.Slice(1, Pubkey.Size)) };
                return DecodeResult.Success;
            case StakeInstructionKind.Withdraw:
                if (!ExactLength(data, WithdrawLength, out r)) return r;
                instruction = new StakeInstructionData { Kind = kind, Lamports = BinaryPrimitives.ReadUInt64LittleEndian(data[1..]) };
                return DecodeResult.Success;
            case StakeInstructionKind.WriteEvidence:
                if (data.Length < WriteEvidenceHeader) return new DecodeResult(DecodeStatus.Truncated, data.Length);
                int offset = BinaryPrimitives.ReadUInt16LittleEndian(data[1..]);
                int length = BinaryPrimitives.ReadUInt16LittleEndian(data[3..]);
                if (length == 0 || offset + length > DuplicateShredEvidence.MaxSize) return new DecodeResult(DecodeStatus.LengthTooLarge, 3);
                if (!ExactLength(data, WriteEvidenceHeader + length, out r)) return r;
                instruction = new StakeInstructionData { Kind = kind, Offset = offset, Chunk = data.Slice(WriteEvidenceHeader, length) };
                return DecodeResult.Success;
            default:
                if (!ExactLength(data, 1, out r)) return r;
                instruction = new StakeInstructionData { Kind = kind };
                return DecodeResult.Success;
        }
    }

    /// <summary>Writes the encoding (the inverse of <see cref="TryDecode"/>) into <paramref name="destination"/>; returns its length.</summary>
    public int Write(Span<byte> destination)
    {
        destination[0] = (byte)Kind;
        switch (Kind)
        {
            case StakeInstructionKind.Initialize:
                Authority.CopyTo(destination.Slice(1, Pubkey.Size));
                return InitializeLength;
            case StakeInstructionKind.Withdraw:
                BinaryPrimitives.WriteUInt64LittleEndian(destination[1..], Lamports);
                return WithdrawLength;
            case StakeInstructionKind.WriteEvidence:
                BinaryPrimitives.WriteUInt16LittleEndian(destination[1..], (ushort)Offset);
                BinaryPrimitives.WriteUInt16LittleEndian(destination[3..], (ushort)Chunk.Length);
                Chunk.CopyTo(destination[WriteEvidenceHeader..]);
                return WriteEvidenceHeader + Chunk.Length;
            default:
                return 1;
        }
    }

    private static bool ExactLength(ReadOnlySpan<byte> data, int length, out DecodeResult result)
    {
        result = data.Length < length ? new DecodeResult(DecodeStatus.Truncated, data.Length)
            : data.Length > length ? new DecodeResult(DecodeStatus.TrailingBytes, length)
            : DecodeResult.Success;
        return result.IsOk;
    }
}

/// <summary>
/// Client-side builders of stake and vote instructions (cold path: allocates), with the accounts each
/// takes in order. A stake account is first created by the system program with
/// <see cref="StakeState.Length"/> bytes owned by <see cref="StakeProgram.Id"/> (<see cref="CreateStakeAccount"/>),
/// then initialized; an evidence buffer likewise with <see cref="EvidenceBuffer.Length"/> bytes.
/// </summary>
public static class StakeInstruction
{
    /// <summary>Bytes of evidence one WriteEvidence carries (so the transaction stays within a packet).</summary>
    public const int EvidenceChunkBytes = 900;

    public static Instruction CreateStakeAccount(Pubkey funder, Pubkey stake, ulong lamports) =>
        SystemInstruction.CreateAccount(funder, stake, lamports, StakeState.Length, StakeProgram.Id);

    /// <summary>accounts: [stake (writable)].</summary>
    public static Instruction Initialize(Pubkey stake, Pubkey authority)
    {
        byte[] data = new byte[StakeInstructionData.InitializeLength];
        data[0] = (byte)StakeInstructionKind.Initialize;
        authority.CopyTo(data.AsSpan(1));
        return new Instruction(StakeProgram.Id, [AccountMeta.Writable(stake)], data);
    }

    /// <summary>accounts: [stake (writable), vote account, stake history, authority (signer)].</summary>
    public static Instruction Delegate(Pubkey stake, Pubkey voteAccount, Pubkey authority) =>
        new(StakeProgram.Id, [AccountMeta.Writable(stake), AccountMeta.ReadOnly(voteAccount), AccountMeta.ReadOnly(StakeAddresses.StakeHistory), AccountMeta.ReadOnly(authority, signer: true)], [(byte)StakeInstructionKind.Delegate]);

    /// <summary>accounts: [stake (writable), authority (signer)].</summary>
    public static Instruction Deactivate(Pubkey stake, Pubkey authority) =>
        new(StakeProgram.Id, [AccountMeta.Writable(stake), AccountMeta.ReadOnly(authority, signer: true)], [(byte)StakeInstructionKind.Deactivate]);

    /// <summary>accounts: [stake (writable), destination (writable), stake history, authority (signer)].</summary>
    public static Instruction Withdraw(Pubkey stake, Pubkey destination, Pubkey authority, ulong lamports)
    {
        byte[] data = new byte[StakeInstructionData.WithdrawLength];
        data[0] = (byte)StakeInstructionKind.Withdraw;
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(1), lamports);
        return new Instruction(StakeProgram.Id, [AccountMeta.Writable(stake), AccountMeta.Writable(destination), AccountMeta.ReadOnly(StakeAddresses.StakeHistory), AccountMeta.ReadOnly(authority, signer: true)], data);
    }

    public static Instruction CreateEvidenceBuffer(Pubkey funder, Pubkey buffer, ulong lamports) =>
        SystemInstruction.CreateAccount(funder, buffer, lamports, EvidenceBuffer.Length, StakeProgram.Id);

    /// <summary>accounts: [buffer (writable), writer (signer)]: <paramref name="chunk"/> at <paramref name="offset"/> of the evidence.</summary>
    public static Instruction WriteEvidence(Pubkey buffer, Pubkey writer, int offset, ReadOnlySpan<byte> chunk)
    {
        byte[] data = new byte[StakeInstructionData.WriteEvidenceHeader + chunk.Length];
        data[0] = (byte)StakeInstructionKind.WriteEvidence;
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(1), checked((ushort)offset));
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(3), checked((ushort)chunk.Length));
        chunk.CopyTo(data.AsSpan(StakeInstructionData.WriteEvidenceHeader));
        return new Instruction(StakeProgram.Id, [AccountMeta.Writable(buffer), AccountMeta.ReadOnly(writer, signer: true)], data);
    }

    /// <summary>The WriteEvidence instructions that put all of <paramref name="evidence"/> into <paramref name="buffer"/>, one per transaction.</summary>
    public static List<Instruction> WriteEvidenceChunks(Pubkey buffer, Pubkey writer, ReadOnlySpan<byte> evidence)
    {
        List<Instruction> chunks = [];
        for (int offset = 0; offset < evidence.Length; offset += EvidenceChunkBytes)
        {
            chunks.Add(WriteEvidence(buffer, writer, offset, evidence.Slice(offset, Math.Min(EvidenceChunkBytes, evidence.Length - offset))));
        }
        return chunks;
    }

    /// <summary>accounts: [buffer (writable), offence registry (writable), reporter (signer, writable: receives the buffer's lamports), epoch stakes (the schedule's stakes)].</summary>
    public static Instruction ReportEquivocation(Pubkey buffer, Pubkey reporter) =>
        new(StakeProgram.Id, [AccountMeta.Writable(buffer), AccountMeta.Writable(StakeAddresses.Offences), AccountMeta.Writable(reporter, signer: true), AccountMeta.ReadOnly(StakeAddresses.EpochStakes)],
            [(byte)StakeInstructionKind.ReportEquivocation]);

    public static Instruction CreateVoteAccount(Pubkey funder, Pubkey vote, ulong lamports) =>
        SystemInstruction.CreateAccount(funder, vote, lamports, VoteState.Length, VoteProgram.Id);

    /// <summary>accounts: [vote (writable), node identity (signer)]: data u8 0 ‖ withdrawer(32) ‖ u8 commission.</summary>
    public static Instruction InitializeVote(Pubkey vote, Pubkey nodeIdentity, Pubkey withdrawer, byte commission)
    {
        byte[] data = new byte[VoteProgram.InitializeLength];
        data[0] = 0;
        withdrawer.CopyTo(data.AsSpan(1));
        data[33] = commission;
        return new Instruction(VoteProgram.Id, [AccountMeta.Writable(vote), AccountMeta.ReadOnly(nodeIdentity, signer: true)], data);
    }

    /// <summary>accounts: [vote (writable), destination (writable), withdrawer (signer)]: data u8 1 ‖ u64 lamports.</summary>
    public static Instruction WithdrawVote(Pubkey vote, Pubkey destination, Pubkey withdrawer, ulong lamports)
    {
        byte[] data = new byte[9];
        data[0] = 1;
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(1), lamports);
        return new Instruction(VoteProgram.Id, [AccountMeta.Writable(vote), AccountMeta.Writable(destination), AccountMeta.ReadOnly(withdrawer, signer: true)], data);
    }
}

/// <summary>
/// An account that collects slashing evidence in pieces (the evidence, up to 2,502 bytes, is larger
/// than a transaction): owned by the stake program, <see cref="Length"/> bytes,
/// <code>
/// 0 u8 kind = 3 ‖ 1 reserved ‖ u16 evidence_length ‖ 4 reserved ‖ 8 writer(32) ‖ 40 evidence (<see cref="DuplicateShredEvidence.MaxSize"/> bytes, the first evidence_length used)
/// </code>
/// The first WriteEvidence claims it for its signer; ReportEquivocation reads the evidence and closes it.
/// </summary>
public static class EvidenceBuffer
{
    public const byte Kind = 3;
    public const int HeaderSize = 40;
    public const int Length = HeaderSize + DuplicateShredEvidence.MaxSize;
}
