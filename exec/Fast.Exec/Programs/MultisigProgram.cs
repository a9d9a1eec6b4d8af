using System.Buffers.Binary;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Exec.Runtime;

namespace Fast.Exec.Programs;

/// <summary>
/// The multisig program (program id <see cref="Id"/> = sha256("fast/program/multisig")): M-of-N
/// shared accounts. A multisig (<see cref="MultisigView"/>) names N members and a threshold M and
/// owns a vault at a program-derived address nobody can sign for (<see cref="MultisigVault"/>),
/// which holds lamports and tokens. A member proposes any instruction list into a proposal account
/// (<see cref="ProposalHeader"/>); members approve (once each); once approvals reach M anyone may
/// execute it, once, before it expires: its instructions run through <see cref="BuiltinPrograms"/>
/// like top-level ones, with the vault as a signer (<see cref="MultisigProgram"/>'s Execute in
/// MultisigProgram.Execute.cs). The proposer may cancel it. Errors are typed
/// <see cref="TransactionError"/>s (docs/programs.md); runs on scratch accounts, so a failure changes nothing.
/// </summary>
public static partial class MultisigProgram
{
    public static Pubkey Id { get; } = BuiltinPrograms.DeriveId("multisig");

    /// <summary>Runs one instruction; its account indexes are transaction account indexes.</summary>
    public static TransactionError Execute(in InvokeContext context, in InstructionView instruction)
    {
        if (!MultisigInstructionData.TryDecode(instruction.Data, out MultisigInstructionData data).IsOk) return TransactionError.InvalidInstruction;
        ReadOnlySpan<byte> indexes = instruction.AccountIndexes;
        int needed = data.Kind switch
        {
            MultisigInstructionKind.Create => 1,
            MultisigInstructionKind.Cancel => 2,
            _ => 3,
        };
        if (indexes.Length < needed) return TransactionError.NotEnoughAccountKeys;
        return data.Kind switch
        {
            MultisigInstructionKind.Create => Create(context, indexes[0], data),
            MultisigInstructionKind.Propose => Propose(context, indexes[0], indexes[1], indexes[2], data.Instructions),
            MultisigInstructionKind.Approve => Approve(context, indexes[0], indexes[1], indexes[2]),
            MultisigInstructionKind.Execute => ExecuteProposal(context, indexes[0], indexes[1], indexes[2]),
            _ => Cancel(context, indexes[0], indexes[1]),
        };
    }

    private static TransactionError Create(in InvokeContext context, int multisigIndex, in MultisigInstructionData data)
    {
        ref ScratchAccount account = ref context.Accounts[multisigIndex];
        if (account.Owner != Id) return TransactionError.InvalidAccountOwner;
        if (!account.IsWritable) return TransactionError.ReadonlyAccountModified;
        if (account.Data.Length != MultisigView.Length) return TransactionError.InvalidAccountData;
        if (account.Data[0] != 0) return TransactionError.AccountAlreadyInitialized;
        int n = data.SignerCount;
        if (n == 0 || data.Threshold == 0 || data.Threshold > n || data.ProposalLifetimeSlots == 0) return TransactionError.InvalidMultisigConfig;
        ReadOnlySpan<byte> signers = data.Signers;
        for (int i = 1; i < n; i++)
        {
            ReadOnlySpan<byte> signer = signers.Slice(i * Pubkey.Size, Pubkey.Size);
            for (int j = 0; j < i; j++)
            {
                if (signer.SequenceEqual(signers.Slice(j * Pubkey.Size, Pubkey.Size))) return TransactionError.InvalidMultisigConfig; // one member, one vote
            }
        }
        Pubkey vault = MultisigVault.Derive(context.Key(multisigIndex), out byte bump);
        MultisigView.Write(BuiltinPrograms.WritableData(ref account), data.Threshold, signers, data.ProposalLifetimeSlots, vault, bump);
        return TransactionError.None;
    }

    private static TransactionError Propose(in InvokeContext context, int multisigIndex, int proposalIndex, int proposerIndex, ReadOnlySpan<byte> instructions)
    {
        TransactionError error = ReadMultisig(context.Accounts[multisigIndex], out MultisigView multisig);
        if (error != TransactionError.None) return error;
        ref ScratchAccount proposal = ref context.Accounts[proposalIndex];
        if (proposal.Owner != Id) return TransactionError.InvalidAccountOwner;
        if (!proposal.IsWritable) return TransactionError.ReadonlyAccountModified;
        if (proposal.Data.Length != ProposalHeader.AccountLength(instructions.Length)) return TransactionError.InvalidAccountData;
        if (proposal.Data[0] != 0) return TransactionError.AccountAlreadyInitialized;
        Pubkey proposer = context.Key(proposerIndex);
        if (multisig.MemberIndex(proposer) < 0) return TransactionError.InvalidAuthority;
        if (!context.Accounts[proposerIndex].IsSigner) return TransactionError.MissingRequiredSignature;
        if (AllocatesData(instructions)) return TransactionError.InvalidArgument;
        ulong expires = multisig.ProposalLifetimeSlots > ulong.MaxValue - context.Slot ? ulong.MaxValue : context.Slot + multisig.ProposalLifetimeSlots;
        ProposalHeader header = new()
        {
            Status = ProposalStatus.Active,
            Multisig = context.Key(multisigIndex),
            Proposer = proposer,
            CreatedSlot = context.Slot,
            ExpiresAtSlot = expires,
            InstructionsLength = (uint)instructions.Length,
        };
        Span<byte> data = BuiltinPrograms.WritableData(ref proposal);
        header.Write(data);
        instructions.CopyTo(data[ProposalHeader.Length..]);
        return TransactionError.None;
    }

    private static TransactionError Approve(in InvokeContext context, int multisigIndex, int proposalIndex, int memberIndex)
    {
        TransactionError error = ReadLiveProposal(context, multisigIndex, proposalIndex, out MultisigView multisig, out ProposalHeader header);
        if (error != TransactionError.None) return error;
        int member = multisig.MemberIndex(context.Key(memberIndex));
        if (member < 0) return TransactionError.InvalidAuthority;
        if (!context.Accounts[memberIndex].IsSigner) return TransactionError.MissingRequiredSignature;
        ushort bit = (ushort)(1 << member);
        if ((header.Approvals & bit) != 0) return TransactionError.ProposalAlreadyApproved; // one member, one approval: the repeat changes nothing
        header.Approvals |= bit;
        header.ApprovalCount++;
        header.Write(BuiltinPrograms.WritableData(ref context.Accounts[proposalIndex]));
        return TransactionError.None;
    }

    private static TransactionError Cancel(in InvokeContext context, int proposalIndex, int proposerIndex)
    {
        ref ScratchAccount proposal = ref context.Accounts[proposalIndex];
        TransactionError error = ReadProposal(proposal, out ProposalHeader header);
        if (error != TransactionError.None) return error;
        if (!proposal.IsWritable) return TransactionError.ReadonlyAccountModified;
        if (context.Key(proposerIndex) != header.Proposer) return TransactionError.InvalidAuthority;
        if (!context.Accounts[proposerIndex].IsSigner) return TransactionError.MissingRequiredSignature;
        if (header.Status == ProposalStatus.Executed) return TransactionError.ProposalAlreadyExecuted;
        if (header.Status == ProposalStatus.Cancelled) return TransactionError.ProposalCancelled;
        header.Status = ProposalStatus.Cancelled;
        header.Write(BuiltinPrograms.WritableData(ref proposal));
        return TransactionError.None;
    }

    /// <summary>The multisig and an active, unexpired proposal of it, writable.</summary>
    private static TransactionError ReadLiveProposal(in InvokeContext context, int multisigIndex, int proposalIndex, out MultisigView multisig, out ProposalHeader header)
    {
        header = default;
        TransactionError error = ReadMultisig(context.Accounts[multisigIndex], out multisig);
        if (error != TransactionError.None) return error;
        ref ScratchAccount proposal = ref context.Accounts[proposalIndex];
        error = ReadProposal(proposal, out header);
        if (error != TransactionError.None) return error;
        if (!proposal.IsWritable) return TransactionError.ReadonlyAccountModified;
        if (header.Multisig != context.Key(multisigIndex)) return TransactionError.InvalidArgument;
        if (header.Status == ProposalStatus.Executed) return TransactionError.ProposalAlreadyExecuted;
        if (header.Status == ProposalStatus.Cancelled) return TransactionError.ProposalCancelled;
        if (context.Slot >= header.ExpiresAtSlot) return TransactionError.ProposalExpired;
        return TransactionError.None;
    }

    private static TransactionError ReadMultisig(in ScratchAccount account, out MultisigView multisig)
    {
        multisig = default;
        if (account.Owner != Id) return TransactionError.InvalidAccountOwner;
        return MultisigView.TryRead(account.Data, out multisig) ? TransactionError.None : TransactionError.InvalidAccountData;
    }

    private static TransactionError ReadProposal(in ScratchAccount account, out ProposalHeader header)
    {
        header = default;
        if (account.Owner != Id) return TransactionError.InvalidAccountOwner;
        return ProposalHeader.TryRead(account.Data, out header) ? TransactionError.None : TransactionError.InvalidAccountData;
    }

    /// <summary>
    /// True when an instruction of the list is a system CreateAccount or Allocate (any space): a block's
    /// new account data is counted from its transactions' bytes (<see cref="Validity.AccountDataBudget"/>),
    /// which cannot see inside a stored proposal, so a proposal may not allocate.
    /// </summary>
    private static bool AllocatesData(ReadOnlySpan<byte> instructions)
    {
        int offset = 1;
        for (int i = 0; i < instructions[0]; i++)
        {
            InnerInstructionList.TryRead(instructions, ref offset, out InnerInstruction inner);
            if (inner.ProgramId.IndexOfAnyExcept((byte)0) >= 0 || inner.Data.Length < 4) continue;
            var kind = (SystemInstructionKind)BinaryPrimitives.ReadUInt32LittleEndian(inner.Data);
            if (kind is SystemInstructionKind.CreateAccount or SystemInstructionKind.Allocate) return true;
        }
        return false;
    }
}
