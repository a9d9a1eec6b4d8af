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
    public TransactionResult Process(in TransactionView transaction) => Process(transaction, []);

    /// <summary><see cref="Process(in TransactionView)"/>, writing the accounts' lamports before then after into <paramref name="balances"/> (empty, or 2 per account key).</summary>
    public TransactionResult Process(in TransactionView transaction, Span<ulong> balances)
    {
        if (!balances.IsEmpty && balances.Length < 2 * transaction.AccountKeyCount) ThrowHelper.ThrowArgument(nameof(balances), "2 balances per account key");
        ThrowIfNotExecutable();
        Hash blockhash = transaction.RecentBlockhash;
        TransactionError age = CheckAge(blockhash, out ulong blockhashSlot);
        if (age != TransactionError.None) return TransactionResult.NotCommitted(age);
        StatusCache.Group status = Context.Status.EnsureRoom(blockhash, blockhashSlot, 1);
        Span<int> handles = stackalloc int[transaction.AccountKeyCount];
        Span<int> hashes = stackalloc int[handles.Length];
        for (int i = 0; i < handles.Length; i++) handles[i] = Resolve(transaction.GetAccountKey(i), out hashes[i]);
        TransactionResult result = TransactionProcessor.Execute(this, transaction, handles, hashes, Context.SerialScratch, status, balances.IsEmpty ? [] : balances[..(2 * handles.Length)]);
        if (result.IsCommitted) AddCommitted(result.Fee, (ulong)transaction.SignatureCount, 1);
        return result;
    }

    /// <summary>Whether a transaction naming <paramref name="blockhash"/> may run in this slot (not found / expired / ok), and the blockhash's slot.</summary>
    internal TransactionError CheckAge(in Hash blockhash, out ulong blockhashSlot)
    {
        if (!Blockhashes.TryGetSlot(blockhash, out blockhashSlot)) return TransactionError.BlockhashNotFound;
        return Slot - blockhashSlot > TransactionLimits.BlockhashMaxAgeSlots ? TransactionError.BlockhashExpired : TransactionError.None;
    }

    /// <summary>
    /// The overlay index of <paramref name="key"/>, adding it unloaded on first touch (the state is
    /// loaded by <see cref="Load"/> when first needed). Owner thread.
    /// </summary>
    internal int Resolve(in Pubkey key) => _overlay!.FindOrAddUnloaded(key);

    /// <summary><see cref="Resolve(in Pubkey)"/>, also giving the key's <see cref="Storage.SeededHash"/> (what <see cref="Load"/> takes).</summary>
    internal int Resolve(in Pubkey key, out int hash) => _overlay!.FindOrAddUnloaded(key, out hash);

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

    /// <summary>The scheduler that last executed transactions into this bank: <see cref="Freeze"/> hashes on its workers. Owner thread.</summary>
    internal Scheduling.SealevelScheduler? ExecutedBy { get; set; }

    /// <summary>Takes the overlay away (flushed or released); the caller retires it.</summary>
    internal AccountOverlay? DetachOverlay()
    {
        AccountOverlay? overlay = _overlay;
        _overlay = null;
        return overlay;
    }
}
