using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Exec.Runtime;

namespace Fast.Exec.Programs;

/// <summary>
/// Executing a proposal: the checks (active, unexpired, approvals ≥ M, the named vault is this
/// multisig's), marking it executed first (so a nested attempt to run it again fails), then each
/// stored instruction through <see cref="BuiltinPrograms.Invoke"/> one level deeper. An inner
/// instruction may only name accounts the transaction lists; it gets, per account, no more than the
/// transaction grants (writable only if the transaction's key is writable, signer only if it signed
/// the transaction) — except the vault, which signs. Any inner failure fails the whole transaction,
/// so the proposal stays active and can be executed again.
/// </summary>
public static partial class MultisigProgram
{
    private static TransactionError ExecuteProposal(in InvokeContext context, int multisigIndex, int proposalIndex, int vaultIndex)
    {
        if (context.Depth >= BuiltinPrograms.MaxInvokeDepth) return TransactionError.CallDepthExceeded;
        TransactionError error = ReadLiveProposal(context, multisigIndex, proposalIndex, out MultisigView multisig, out ProposalHeader header);
        if (error != TransactionError.None) return error;
        if (header.ApprovalCount < multisig.Threshold) return TransactionError.ProposalThresholdNotMet;
        if (context.Key(vaultIndex) != multisig.Vault) return TransactionError.InvalidArgument;

        header.Status = ProposalStatus.Executed;
        Span<byte> stored = BuiltinPrograms.WritableData(ref context.Accounts[proposalIndex]);
        header.Write(stored);
        // The list was validated when proposed, and only this program writes proposal accounts; it is read defensively all the same.
        ReadOnlySpan<byte> instructions = stored[ProposalHeader.Length..];
        if (!InnerInstructionList.Validate(instructions, out int count).IsOk) return TransactionError.InvalidAccountData;

        InvokeContext nested = context.Nested();
        int offset = 1;
        for (int i = 0; i < count; i++)
        {
            InnerInstructionList.TryRead(instructions, ref offset, out InnerInstruction inner);
            error = InvokeInner(nested, inner, vaultIndex);
            if (error != TransactionError.None) return error;
        }
        return TransactionError.None;
    }

    /// <summary>Runs one stored instruction with the privileges its account list asks for, within what the transaction grants.</summary>
    private static TransactionError InvokeInner(in InvokeContext context, in InnerInstruction inner, int vaultIndex)
    {
        int count = inner.AccountCount;
        Span<byte> indexes = stackalloc byte[InnerInstructionList.MaxAccountsPerInstruction];
        Span<bool> savedSigner = stackalloc bool[InnerInstructionList.MaxAccountsPerInstruction];
        Span<bool> savedWritable = stackalloc bool[InnerInstructionList.MaxAccountsPerInstruction];
        Span<ScratchAccount> accounts = context.Accounts;
        for (int j = 0; j < count; j++)
        {
            int index = context.IndexOf(inner.AccountKey(j));
            if (index < 0) return TransactionError.NotEnoughAccountKeys; // the transaction must list (and lock) every account
            ref ScratchAccount account = ref accounts[index];
            if (inner.IsSigner(j) && !account.IsSigner && index != vaultIndex) return TransactionError.MissingRequiredSignature;
            if (inner.IsWritable(j) && !account.IsWritable) return TransactionError.ReadonlyAccountModified;
            indexes[j] = (byte)index;
            savedSigner[j] = account.IsSigner;
            savedWritable[j] = account.IsWritable;
        }
        for (int j = 0; j < count; j++)
        {
            accounts[indexes[j]].IsSigner = false;
            accounts[indexes[j]].IsWritable = false;
        }
        for (int j = 0; j < count; j++)
        {
            ref ScratchAccount account = ref accounts[indexes[j]];
            account.IsSigner |= inner.IsSigner(j);
            account.IsWritable |= inner.IsWritable(j);
        }

        InstructionView view = new(0, indexes[..count], inner.Data);
        TransactionError error = BuiltinPrograms.Invoke(context, new Pubkey(inner.ProgramId), view);

        for (int j = 0; j < count; j++)
        {
            accounts[indexes[j]].IsSigner = savedSigner[j];
            accounts[indexes[j]].IsWritable = savedWritable[j];
        }
        return error;
    }
}
