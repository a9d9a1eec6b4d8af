using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Exec.Banking;
using Fast.Exec.Programs;
using Fast.Exec.Validity;
using Fast.Storage.Accounts;

namespace Fast.Exec.Runtime;

/// <summary>
/// Executes one transaction against a bank whose overlay already holds its accounts (resolved by
/// the scheduler, which also holds their locks and checked the blockhash's age): refuses a signature
/// this fork already processed, charges the fee, runs each
/// instruction on scratch copies, and writes the accounts back only if all succeed — a failed
/// transaction pays its fee and changes nothing else. Called concurrently by execution workers on
/// disjoint accounts; it takes no lock, allocates nothing (unless an instruction creates account
/// data) and calls programs directly through <see cref="BuiltinPrograms"/> (no virtual dispatch).
/// A committed transaction is recorded in the status cache here, by the worker. When the caller
/// passes room for them, each account's lamports before and after are written there (the
/// transaction's status, stored with its slot): no allocation, one store per account.
/// The fee payer is checked by <see cref="FeeRule.CheckPayer"/> (the rule the leader's admission
/// predicts), and after successful instructions every writable account by <see cref="RentRule"/>.
/// <para>Deliberately not here: signature verification (the sigverify stage's job), the blockhash
/// age (the scheduler's coordinator checks it before taking locks), periodic rent collection (Fast
/// has none: the rent-exempt minimum is a deposit).</para>
/// </summary>
internal static class TransactionProcessor
{
    /// <summary>Executes <paramref name="tx"/>; <paramref name="balances"/> is empty, or 2 × its account count: pre-balances then post-balances in key order (valid when the result is committed).</summary>
    public static TransactionResult Execute(Bank bank, in TransactionView tx, ReadOnlySpan<int> handles, ReadOnlySpan<int> hashes, ExecutionScratch scratch, StatusCache.Group status, Span<ulong> balances)
    {
        Signature signature = tx.FirstSignature;
        if (StatusCache.IsProcessed(status, signature, bank)) return TransactionResult.NotCommitted(TransactionError.AlreadyProcessed);

        AccountOverlay overlay = bank.OverlayForExecution;
        AccountDataPool pool = bank.Context.DataPool;
        int count = tx.AccountKeyCount;
        Span<ScratchAccount> accounts = scratch.Accounts.AsSpan(0, count);
        for (int i = 0; i < accounts.Length; i++)
        {
            ref AccountEntry entry = ref overlay[handles[i]];
            if (!entry.Loaded) bank.Load(ref entry, tx.GetAccountKey(i), hashes[i]); // this worker holds the write lock (read-locked entries were loaded by the coordinator)
            ref ScratchAccount account = ref accounts[i];
            account.Lamports = entry.Lamports;
            account.Owner = entry.Owner;
            account.Data = entry.Data;
            account.PrivateData = null; // the slot's array: copy before writing
            account.Pool = pool;
            account.Executable = entry.Executable;
            account.IsSigner = tx.IsSigner(i);
            account.IsWritable = tx.IsWritable(i);
        }
        bool capture = !balances.IsEmpty;
        if (capture)
        {
            for (int i = 0; i < accounts.Length; i++) balances[i] = accounts[i].Lamports;
        }

        ref ScratchAccount payer = ref accounts[0];
        ulong fee = FeeRule.Fee(tx.SignatureCount, bank.LamportsPerSignature);
        TransactionError payable = FeeRule.CheckPayer(payer.Lamports, payer.Owner, payer.Data.Length, fee);
        if (payable != TransactionError.None) return TransactionResult.NotCommitted(payable); // no instruction ran: no private arrays
        payer.Lamports -= fee;
        ulong payerAfterFee = payer.Lamports;

        TransactionError error = TransactionError.None;
        int instructionIndex = 0;
        InvokeContext context = new(accounts, tx, bank.Slot, depth: 1, bank.Context.StakeRules);
        foreach (InstructionView instruction in tx.Instructions)
        {
            error = BuiltinPrograms.Invoke(context, tx.GetAccountKey(instruction.ProgramIdIndex), instruction);
            if (error != TransactionError.None) break;
            instructionIndex++;
        }

        if (error == TransactionError.None)
        {
            int rentless = FirstRentViolation(bank, overlay, handles, accounts);
            if (rentless >= 0)
            {
                error = TransactionError.InsufficientFundsForRent;
                instructionIndex = rentless; // for this error: the index of the account left below its minimum
            }
        }

        if (error == TransactionError.None)
        {
            for (int i = 0; i < accounts.Length; i++)
            {
                if (accounts[i].IsWritable) Store(ref overlay[handles[i]], accounts[i], pool);
            }
            ReturnPrivateData(accounts, pool, committed: true);
            if (capture)
            {
                // Read-only accounts cannot change (a write to one fails the instruction), so every scratch balance is the post-balance.
                for (int i = 0; i < accounts.Length; i++) balances[count + i] = accounts[i].Lamports;
            }
            StatusCache.Record(status, signature, bank, TransactionError.None);
            return new TransactionResult(TransactionError.None, 0, fee);
        }
        ReturnPrivateData(accounts, pool, committed: false);
        ref AccountEntry feePayer = ref overlay[handles[0]];
        feePayer.Lamports = payerAfterFee;
        Normalize(ref feePayer, pool);
        feePayer.Written = true;
        if (capture)
        {
            balances[..count].CopyTo(balances[count..]);
            balances[count] = payerAfterFee;
        }
        StatusCache.Record(status, signature, bank, error);
        return new TransactionResult(error, (byte)instructionIndex, fee);
    }

    /// <summary>The index of the first writable account whose change <see cref="RentRule"/> forbids, or -1 (the overlay entries still hold the state before the transaction).</summary>
    private static int FirstRentViolation(Bank bank, AccountOverlay overlay, ReadOnlySpan<int> handles, ReadOnlySpan<ScratchAccount> accounts)
    {
        Core.Genesis.Rent rent = bank.Rent;
        for (int i = 0; i < accounts.Length; i++)
        {
            ref readonly ScratchAccount after = ref accounts[i];
            if (!after.IsWritable) continue;
            ref AccountEntry before = ref overlay[handles[i]];
            if (!RentRule.TransitionAllowed(rent, before.Lamports, before.Data.Length, after.Lamports, after.Data.Length)) return i;
        }
        return -1;
    }

    /// <summary>
    /// Writes a committed account into its entry. New data (this transaction's private array) becomes
    /// the entry's own, and the version it replaces, if the entry owned it, goes back to the pool at
    /// once: nothing else can hold it — the slot is open, so it has no child yet; this worker holds the
    /// account's write lock, so no other transaction has it; and every read handed outside execution
    /// was a copy (<see cref="AccountEntry.ToAccount"/>).
    /// </summary>
    private static void Store(ref AccountEntry entry, in ScratchAccount account, AccountDataPool pool)
    {
        entry.Lamports = account.Lamports;
        entry.Owner = account.Owner;
        if (!ReferenceEquals(entry.Data, account.Data))
        {
            if (entry.OwnsData) pool.Return(entry.Data);
            entry.Data = account.Data;
            entry.OwnsData = account.Data.Length != 0 && ReferenceEquals(account.Data, account.PrivateData);
        }
        entry.Executable = account.Executable;
        Normalize(ref entry, pool);
        entry.Written = true;
    }

    /// <summary>
    /// Gives back the arrays this transaction rented that no entry took: all of them when it failed,
    /// and when it committed those it replaced again or wrote to an account it does not store (only
    /// this transaction ever saw them).
    /// </summary>
    private static void ReturnPrivateData(Span<ScratchAccount> accounts, AccountDataPool pool, bool committed)
    {
        for (int i = 0; i < accounts.Length; i++)
        {
            ref ScratchAccount account = ref accounts[i];
            if (account.PrivateData is not byte[] mine) continue;
            account.PrivateData = null;
            if (committed && account.IsWritable && ReferenceEquals(mine, account.Data)) continue; // stored: the entry owns it now
            pool.Return(mine);
        }
    }

    /// <summary>An account left with no lamports ceases to exist: it becomes the empty account (an array the entry owned goes back to the pool).</summary>
    private static void Normalize(ref AccountEntry entry, AccountDataPool pool)
    {
        if (entry.Lamports != 0) return;
        if (entry.OwnsData) pool.Return(entry.Data);
        entry.OwnsData = false;
        entry.Owner = default;
        entry.Data = [];
        entry.Executable = false;
    }
}
