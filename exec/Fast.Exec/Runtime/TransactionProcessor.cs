using System.Runtime.CompilerServices;
using Fast.Core.Transactions;
using Fast.Exec.Banking;
using Fast.Exec.Programs;
using Fast.Storage.Accounts;

namespace Fast.Exec.Runtime;

/// <summary>
/// Executes one transaction against a bank whose overlay already holds its accounts (resolved by
/// the scheduler, which also holds their locks and checked the blockhash's age): charges the fee, runs each
/// instruction on scratch copies, and writes the accounts back only if all succeed — a failed
/// transaction pays its fee and changes nothing else. Called concurrently by execution workers on
/// disjoint accounts; it takes no lock, allocates nothing (unless an instruction creates account
/// data) and calls programs directly (no virtual dispatch).
/// <para>Deliberately not here: signature verification (the sigverify stage's job), the blockhash
/// age and the status cache (the scheduler's coordinator checks them before it takes locks), rent
/// (Fast has none).</para>
/// </summary>
internal static class TransactionProcessor
{
    public static TransactionResult Execute(Bank bank, in TransactionView tx, ReadOnlySpan<int> handles, ExecutionScratch scratch)
    {
        AccountOverlay overlay = bank.OverlayForExecution;
        ref AccountEntry payer = ref overlay[handles[0]];
        ulong fee = (ulong)tx.SignatureCount * bank.LamportsPerSignature;
        if (payer.Lamports == 0) return TransactionResult.NotCommitted(TransactionError.AccountNotFound);
        if (!payer.Owner.IsZero || payer.Data.Length != 0) return TransactionResult.NotCommitted(TransactionError.InvalidAccountForFee);
        if (payer.Lamports < fee) return TransactionResult.NotCommitted(TransactionError.InsufficientFundsForFee);

        int count = tx.AccountKeyCount;
        Span<ScratchAccount> accounts = scratch.Accounts.AsSpan(0, count);
        for (int i = 0; i < accounts.Length; i++)
        {
            ref AccountEntry entry = ref overlay[handles[i]];
            ref ScratchAccount account = ref accounts[i];
            account.Lamports = entry.Lamports;
            account.Owner = entry.Owner;
            account.Data = entry.Data;
            account.Executable = entry.Executable;
            account.IsSigner = tx.IsSigner(i);
            account.IsWritable = tx.IsWritable(i);
        }
        accounts[0].Lamports -= fee;
        ulong payerAfterFee = accounts[0].Lamports;

        TransactionError error = TransactionError.None;
        int instructionIndex = 0;
        foreach (InstructionView instruction in tx.Instructions)
        {
            error = IsSystemProgram(tx.GetAccountKeyBytes(instruction.ProgramIdIndex))
                ? SystemProgram.Execute(accounts, instruction)
                : TransactionError.UnsupportedProgram;
            if (error != TransactionError.None) break;
            instructionIndex++;
        }

        if (error == TransactionError.None)
        {
            for (int i = 0; i < accounts.Length; i++)
            {
                if (accounts[i].IsWritable) Store(ref overlay[handles[i]], accounts[i]);
            }
            return new TransactionResult(TransactionError.None, 0, fee);
        }
        payer.Lamports = payerAfterFee;
        Normalize(ref payer);
        payer.Written = true;
        return new TransactionResult(error, (byte)instructionIndex, fee);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsSystemProgram(ReadOnlySpan<byte> key) => key.IndexOfAnyExcept((byte)0) < 0;

    private static void Store(ref AccountEntry entry, in ScratchAccount account)
    {
        entry.Lamports = account.Lamports;
        entry.Owner = account.Owner;
        entry.Data = account.Data;
        entry.Executable = account.Executable;
        Normalize(ref entry);
        entry.Written = true;
    }

    /// <summary>An account left with no lamports ceases to exist: it becomes the empty account.</summary>
    private static void Normalize(ref AccountEntry entry)
    {
        if (entry.Lamports != 0) return;
        entry.Owner = default;
        entry.Data = [];
        entry.Executable = false;
    }
}
