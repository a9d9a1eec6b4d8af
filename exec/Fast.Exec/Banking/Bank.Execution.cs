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
        StatusCache status = Context.Status;
        status.EnsureCapacity(1, Context.RootSlot);
        Signature signature = transaction.FirstSignature;
        if (status.Find(signature, this) != StatusCache.Lookup.NotFound) return TransactionResult.NotCommitted(TransactionError.AlreadyProcessed);
        Span<int> handles = stackalloc int[transaction.AccountKeyCount];
        for (int i = 0; i < handles.Length; i++) handles[i] = Resolve(transaction.GetAccountKey(i));
        int reservation = status.Reserve(signature, this);
        TransactionResult result = TransactionProcessor.Execute(this, transaction, handles, Context.SerialScratch);
        if (result.IsCommitted)
        {
            status.Commit(reservation, result.Error);
            AddCommitted(result.Fee, (ulong)transaction.SignatureCount, 1);
        }
        else
        {
            status.Cancel(reservation);
        }
        return result;
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
