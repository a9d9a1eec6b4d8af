using System.Buffers.Binary;
using Fast.Core.Codec;
using Fast.Core.Primitives;
using Fast.Core.Transactions;

namespace Fast.Exec.Programs;

/// <summary>The multisig program's instructions (the first byte of the instruction data).</summary>
public enum MultisigInstructionKind : byte
{
    Create = 0,
    Propose = 1,
    Approve = 2,
    Execute = 3,
    Cancel = 4,
}

/// <summary>
/// One decoded multisig instruction, a view over the instruction data. Encodings (docs/programs.md):
/// <code>
/// Create   u8 0 | u8 threshold | u8 signer_count (≤ 16) | u64 proposal_lifetime_slots | signer_count × pubkey(32)
/// Propose  u8 1 | instruction list (<see cref="InnerInstructionList"/>)
/// Approve  u8 2        Execute  u8 3        Cancel  u8 4
/// </code>
/// The decoder checks the structure (caps, lengths, flag bits, no trailing bytes) and never throws;
/// the program checks the meaning (1 ≤ M ≤ N, distinct signers, lifetime ≥ 1) and answers
/// <see cref="TransactionError.InvalidMultisigConfig"/>.
/// </summary>
public readonly ref struct MultisigInstructionData
{
    public const int CreateHeaderLength = 1 + 1 + 1 + 8;

    public MultisigInstructionKind Kind { get; init; }

    public byte Threshold { get; init; }

    public ulong ProposalLifetimeSlots { get; init; }

    /// <summary>Create: signer_count × 32 bytes of member keys.</summary>
    public ReadOnlySpan<byte> Signers { get; init; }

    /// <summary>Propose: the whole encoded instruction list (validated).</summary>
    public ReadOnlySpan<byte> Instructions { get; init; }

    public int SignerCount => Signers.Length / Pubkey.Size;

    public static DecodeResult TryDecode(ReadOnlySpan<byte> data, out MultisigInstructionData instruction)
    {
        instruction = default;
        if (data.IsEmpty) return new DecodeResult(DecodeStatus.Truncated, 0);
        if (data[0] > (byte)MultisigInstructionKind.Cancel) return new DecodeResult(DecodeStatus.InvalidValue, 0);
        var kind = (MultisigInstructionKind)data[0];
        switch (kind)
        {
            case MultisigInstructionKind.Create:
                if (data.Length < CreateHeaderLength) return new DecodeResult(DecodeStatus.Truncated, data.Length);
                int n = data[2];
                if (n > MultisigView.MaxSigners) return new DecodeResult(DecodeStatus.LengthTooLarge, 2);
                int length = CreateHeaderLength + n * Pubkey.Size;
                if (data.Length < length) return new DecodeResult(DecodeStatus.Truncated, data.Length);
                if (data.Length > length) return new DecodeResult(DecodeStatus.TrailingBytes, length);
                instruction = new MultisigInstructionData
                {
                    Kind = kind,
                    Threshold = data[1],
                    ProposalLifetimeSlots = BinaryPrimitives.ReadUInt64LittleEndian(data[3..]),
                    Signers = data.Slice(CreateHeaderLength, n * Pubkey.Size),
                };
                return DecodeResult.Success;
            case MultisigInstructionKind.Propose:
                DecodeResult list = InnerInstructionList.Validate(data[1..], out _);
                if (!list.IsOk) return new DecodeResult(list.Status, list.Offset + 1);
                instruction = new MultisigInstructionData { Kind = kind, Instructions = data[1..] };
                return DecodeResult.Success;
            default:
                if (data.Length > 1) return new DecodeResult(DecodeStatus.TrailingBytes, 1);
                instruction = new MultisigInstructionData { Kind = kind };
                return DecodeResult.Success;
        }
    }

    /// <summary>Writes the instruction from its fields (a Propose's list instruction by instruction); returns the length, or −1 when it does not fit.</summary>
    public int Write(Span<byte> destination)
    {
        SpanWriter w = new(destination);
        w.WriteU8((byte)Kind);
        switch (Kind)
        {
            case MultisigInstructionKind.Create:
                w.WriteU8(Threshold);
                w.WriteU8((byte)SignerCount);
                w.WriteU64(ProposalLifetimeSlots);
                w.WriteBytes(Signers);
                break;
            case MultisigInstructionKind.Propose:
                if (!InnerInstructionList.Validate(Instructions, out int count).IsOk) return -1;
                w.WriteU8((byte)count);
                int offset = 1;
                for (int i = 0; i < count; i++)
                {
                    InnerInstructionList.TryRead(Instructions, ref offset, out InnerInstruction inner);
                    InnerInstructionList.Write(ref w, inner);
                }
                break;
        }
        return w.Overflowed ? -1 : w.Position;
    }
}

/// <summary>
/// Client-side builders of multisig instructions (cold path: allocates), with the accounts each
/// takes in order. The multisig and proposal accounts are first created by the system program,
/// owned by <see cref="MultisigProgram.Id"/>, with <see cref="MultisigView.Length"/> bytes and
/// <see cref="ProposalHeader.AccountLength"/> of the encoded list respectively.
/// </summary>
public static class MultisigInstruction
{
    /// <summary>System CreateAccount of a multisig account (<paramref name="lamports"/>: the rent-exempt minimum of <see cref="MultisigView.Length"/> bytes).</summary>
    public static Instruction CreateMultisigAccount(Pubkey funder, Pubkey multisig, ulong lamports) =>
        SystemInstruction.CreateAccount(funder, multisig, lamports, MultisigView.Length, MultisigProgram.Id);

    /// <summary>System CreateAccount of a proposal account sized for <paramref name="instructions"/> (see <see cref="ProposalLength"/>).</summary>
    public static Instruction CreateProposalAccount(Pubkey funder, Pubkey proposal, ulong lamports, IReadOnlyList<Instruction> instructions) =>
        SystemInstruction.CreateAccount(funder, proposal, lamports, (ulong)ProposalLength(instructions), MultisigProgram.Id);

    /// <summary>The account length of a proposal holding <paramref name="instructions"/>.</summary>
    public static int ProposalLength(IReadOnlyList<Instruction> instructions) => ProposalHeader.AccountLength(InnerInstructionList.Encode(instructions).Length);

    /// <summary>accounts: [multisig (writable)].</summary>
    public static Instruction Create(Pubkey multisig, byte threshold, IReadOnlyList<Pubkey> signers, ulong proposalLifetimeSlots)
    {
        if (signers.Count > MultisigView.MaxSigners) ThrowHelper.ThrowArgument(nameof(signers), $"at most {MultisigView.MaxSigners} signers");
        byte[] data = new byte[MultisigInstructionData.CreateHeaderLength + signers.Count * Pubkey.Size];
        data[0] = (byte)MultisigInstructionKind.Create;
        data[1] = threshold;
        data[2] = (byte)signers.Count;
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(3), proposalLifetimeSlots);
        for (int i = 0; i < signers.Count; i++) signers[i].CopyTo(data.AsSpan(MultisigInstructionData.CreateHeaderLength + i * Pubkey.Size, Pubkey.Size));
        return new Instruction(MultisigProgram.Id, [AccountMeta.Writable(multisig)], data);
    }

    /// <summary>accounts: [multisig, proposal (writable), proposer (signer, a member)].</summary>
    public static Instruction Propose(Pubkey multisig, Pubkey proposal, Pubkey proposer, IReadOnlyList<Instruction> instructions)
    {
        byte[] list = InnerInstructionList.Encode(instructions);
        byte[] data = new byte[1 + list.Length];
        data[0] = (byte)MultisigInstructionKind.Propose;
        list.CopyTo(data, 1);
        return new Instruction(MultisigProgram.Id, [AccountMeta.ReadOnly(multisig), AccountMeta.Writable(proposal), AccountMeta.ReadOnly(proposer, signer: true)], data);
    }

    /// <summary>accounts: [multisig, proposal (writable), member (signer)].</summary>
    public static Instruction Approve(Pubkey multisig, Pubkey proposal, Pubkey member) =>
        new(MultisigProgram.Id, [AccountMeta.ReadOnly(multisig), AccountMeta.Writable(proposal), AccountMeta.ReadOnly(member, signer: true)], [(byte)MultisigInstructionKind.Approve]);

    /// <summary>
    /// accounts: [multisig, proposal (writable), vault, then every account the proposal's instructions
    /// name, with the flags they ask for (the vault's signature is supplied by the program)].
    /// </summary>
    public static Instruction Execute(Pubkey multisig, Pubkey proposal, IReadOnlyList<Instruction> instructions)
    {
        Pubkey vault = MultisigVault.Derive(multisig);
        List<AccountMeta> accounts = [AccountMeta.ReadOnly(multisig), AccountMeta.Writable(proposal), AccountMeta.ReadOnly(vault)];
        foreach (Instruction instruction in instructions)
        {
            foreach (AccountMeta meta in instruction.Accounts)
            {
                accounts.Add(meta.Key == vault ? new AccountMeta(vault, false, meta.IsWritable) : meta);
            }
            accounts.Add(AccountMeta.ReadOnly(instruction.ProgramId));
        }
        return new Instruction(MultisigProgram.Id, [.. accounts], [(byte)MultisigInstructionKind.Execute]);
    }

    /// <summary>accounts: [proposal (writable), proposer (signer)].</summary>
    public static Instruction Cancel(Pubkey proposal, Pubkey proposer) =>
        new(MultisigProgram.Id, [AccountMeta.Writable(proposal), AccountMeta.ReadOnly(proposer, signer: true)], [(byte)MultisigInstructionKind.Cancel]);
}
