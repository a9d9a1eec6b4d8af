using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Exec.Runtime;
using Fast.Storage.Accounts;

namespace Fast.Exec.Banking;

/// <summary>Executing transactions: the serial path, and the hooks the Sealevel scheduler uses.</summary>
public sealed partial class Bank
{
    /// <summary>
    /// Executes one transaction now, on this thread (the serial path: tests, tools, the reference the
    /// parallel scheduler must match). Same rules as <see cref="Scheduling.SealevelScheduler"/>.
    /// </summary>
    public TransactionResult Process(in TransactionView transaction)
    {
        ThrowIfNotExecutable();
        TransactionError admission = Admit(transaction.FirstSignature, transaction.RecentBlockhash, out ulong blockhashSlot);
        if (admission != TransactionError.None) return TransactionResult.NotCommitted(admission);
        Span<int> handles = stackalloc int[transaction.AccountKeyCount];
        for (int i = 0; i < handles.Length; i++) handles[i] = Resolve(transaction.GetAccountKey(i));
        Signature signature = transaction.FirstSignature;
        Hash blockhash = transaction.RecentBlockhash;
        Context.Status.Reserve(signature, blockhash, blockhashSlot, this);
        TransactionResult result = TransactionProcessor.Execute(this, transaction, handles, Context.SerialScratch);
        Context.Status.Complete(signature, blockhash, this, result.Error, result.IsCommitted);
        if (result.IsCommitted) AddCommitted(result.Fee, (ulong)transaction.SignatureCount, 1);
        return result;
    }

    /// <summary>
    /// The checks that come before any lock or account: the blockhash's age, then whether the fork
    /// already processed the transaction. <see cref="TransactionError.None"/> when it may run.
    /// </summary>
    internal TransactionError Admit(in Signature signature, in Hash blockhash, out ulong blockhashSlot)
    {
        if (!Blockhashes.TryGetSlot(blockhash, out blockhashSlot)) return TransactionError.BlockhashNotFound;
        if (Slot - blockhashSlot > TransactionLimits.BlockhashMaxAgeSlots) return TransactionError.BlockhashExpired;
        return Context.Status.Find(signature, blockhash, this) == StatusCache.Lookup.Processed ? TransactionError.AlreadyProcessed : TransactionError.None;
    }

    /// <summary>The overlay index of <paramref name="key"/>, loading it from the ancestors or the rooted store on first touch. Owner thread.</summary>
    internal int Resolve(in Pubkey key)
    {
        AccountOverlay overlay = _overlay!;
        int index = overlay.Find(key);
        if (index >= 0) return index;
        LoadBelow(key, out ulong lamports, out Pubkey owner, out bool executable, out byte[] data);
        return overlay.Add(key, lamports, owner, executable, data);
    }

    /// <summary>Adds what a batch of committed transactions paid and signed (coordinator thread).</summary>
    internal void AddCommitted(ulong fees, ulong signatures, ulong transactions)
    {
        CollectedFees = checked(CollectedFees + fees);
        SignatureCount += signatures;
        TransactionCount += transactions;
    }

    internal void ThrowIfNotExecutable()
    {
        if (IsFrozen) ThrowHelper.ThrowInvalidOperation($"bank {Slot} is frozen");
        if (_overlay is null || IsReleased) ThrowHelper.ThrowReleased(Slot);
    }

    /// <summary>Takes the overlay away (flushed or released); the caller retires it.</summary>
    internal AccountOverlay? DetachOverlay()
    {
        AccountOverlay? overlay = _overlay;
        _overlay = null;
        return overlay;
    }
}
