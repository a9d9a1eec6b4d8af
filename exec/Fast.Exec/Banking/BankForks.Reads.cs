using Fast.Core.Primitives;
using Fast.Storage.Accounts;

namespace Fast.Exec.Banking;

/// <summary>
/// Account reads from other threads (RPC) while the owner thread roots: consistent, never failing
/// because a bank was released, and never holding the root lock across a disk read.
/// <para>Threads: <see cref="ReadAccounts"/> from any thread; the root lock is taken exclusively only
/// by the owner thread in <see cref="SetRoot"/> and <see cref="Remove"/>.</para>
/// </summary>
public sealed partial class BankForks
{
    /// <summary>Optimistic passes of <see cref="ReadAccounts"/> before its last pass waits for the disk under the lock.</summary>
    public const int OptimisticReadAttempts = 8;

    private readonly ReaderWriterLockSlim _rootLock = new(LockRecursionPolicy.NoRecursion);
    private long _rootGeneration;
    private long _readRetries;
    private long _lockedDiskReads;

    /// <summary>Reads that found a root had happened during their disk reads and started again.</summary>
    public long ReadRetries => Volatile.Read(ref _readRetries);

    /// <summary>Reads that lost <see cref="OptimisticReadAttempts"/> races with rooting and waited for the disk under the root lock.</summary>
    public long LockedDiskReads => Volatile.Read(ref _lockedDiskReads);

    /// <summary>
    /// Reads <paramref name="keys"/> into <paramref name="accounts"/> as one snapshot of one bank, from
    /// any thread; returns that bank's slot. <paramref name="choose"/> picks the bank under the root
    /// lock (shared); a bank it gives that was released meanwhile (rooted past or pruned), or none, is
    /// replaced by the root, so a read never fails because the node is rooting. What the overlays and
    /// FASTER's memory hold is read under the lock; accounts on disk are read after it is released (a
    /// reader never holds up the owner thread's rooting for the device), and if a root began in
    /// between — it may have written those accounts — the whole read starts again. After
    /// <see cref="OptimisticReadAttempts"/> lost races the last pass waits for the disk under the lock.
    /// </summary>
    public ulong ReadAccounts(ReadOnlySpan<Pubkey> keys, Span<Account> accounts, Func<Bank?> choose)
    {
        ArgumentNullException.ThrowIfNull(choose);
        if (accounts.Length < keys.Length) ThrowHelper.ThrowArgument(nameof(accounts), "one account per key");
        Span<bool> pending = keys.Length <= 128 ? stackalloc bool[keys.Length] : new bool[keys.Length];
        AccountsDb store = _accounts;
        for (int attempt = 0; ; attempt++)
        {
            bool last = attempt >= OptimisticReadAttempts;
            long generation;
            ulong slot;
            bool anyPending = false;
            _rootLock.EnterReadLock();
            try
            {
                generation = Volatile.Read(ref _rootGeneration);
                Bank bank = Readable(choose());
                slot = bank.Slot;
                for (int i = 0; i < keys.Length; i++)
                {
                    pending[i] = !bank.TryGetAccountWithoutWaiting(keys[i], out accounts[i]);
                    anyPending |= pending[i];
                }
                if (anyPending && last)
                {
                    Interlocked.Increment(ref _lockedDiskReads);
                    store.CompletePendingReads(keys, pending, accounts);
                    return slot;
                }
            }
            catch
            {
                if (anyPending) store.CompletePendingReads(keys, pending, accounts); // never leave reads pending on this thread's session
                throw;
            }
            finally
            {
                _rootLock.ExitReadLock();
            }
            if (!anyPending) return slot;
            store.CompletePendingReads(keys, pending, accounts);
            _rootLock.EnterReadLock(); // waits out a root in progress, so its generation is visible
            bool unchanged = Volatile.Read(ref _rootGeneration) == generation;
            _rootLock.ExitReadLock();
            if (unchanged) return slot;
            Interlocked.Increment(ref _readRetries);
        }
    }

    /// <summary>
    /// Runs <paramref name="read"/> on the bank <paramref name="choose"/> picks (the root if that one was
    /// released), under the root lock (shared), from any thread; returns its result and the bank's slot.
    /// For cold, multi-account reads (staking queries, getProgramAccounts): unlike
    /// <see cref="ReadAccounts"/> it may wait for the disk while holding the lock, delaying a root by
    /// that long.
    /// </summary>
    public T ReadBank<T>(Func<Bank?> choose, Func<Bank, T> read, out ulong slot)
    {
        ArgumentNullException.ThrowIfNull(choose);
        ArgumentNullException.ThrowIfNull(read);
        _rootLock.EnterReadLock();
        try
        {
            Bank bank = Readable(choose());
            slot = bank.Slot;
            return read(bank);
        }
        finally
        {
            _rootLock.ExitReadLock();
        }
    }

    /// <summary>The bank a reader may read: <paramref name="wanted"/> if it is still live, else the root. Under the root lock.</summary>
    private Bank Readable(Bank? wanted) =>
        wanted is { IsReleased: false, IsDead: false } && (wanted.Overlay is not null || wanted == Root) ? wanted : Root;
}
