using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Storage.Accounts;

namespace Fast.Exec.Scheduling;

/// <summary>
/// Preloading a block's cold accounts (<see cref="SchedulerOptions.PreloadAfterDiskReads"/>): when
/// the state does not fit FASTER's memory, a worker that touches an account first waits for its disk
/// read, one miss at a time. Instead the coordinator, before the block runs, starts the FASTER read
/// of every account the block names that no unflushed ancestor holds, and waits for the pending ones
/// a group of <see cref="PreloadReadsInFlight"/> at a time (FASTER's device has a group in flight
/// together); the entries are then loaded and the workers find them so. Cold path: it allocates the arrays of accounts with data and grows its
/// key lists to the largest block.
/// </summary>
public sealed partial class SealevelScheduler
{
    /// <summary>Disk reads a preload starts before it waits for them (a group: completions are matched to keys by a scan of it).</summary>
    private const int PreloadReadsInFlight = 256;

    private long _lastDiskReads;
    private bool[] _preloadRequested = [];
    private int[] _preloadIndex = [];
    private Pubkey[] _preloadKeys = [];
    private bool[] _preloadPending = [];
    private Account[] _preloadAccounts = [];

    /// <summary>Accounts the last preload waited for on the disk (0 when the last block was not preloaded).</summary>
    public int LastPreloadedFromDisk { get; private set; }

    private void Preload(Bank bank)
    {
        AccountOverlay overlay = bank.OverlayForExecution;
        AccountsDb store = bank.Context.Accounts;
        int pending = 0, preloaded = 0;
        for (int t = 0; t < _count; t++)
        {
            Fast.Core.Transactions.TransactionView view = _txs[t].View;
            for (int i = 0; i < view.AccountKeyCount; i++)
            {
                Pubkey key = view.GetAccountKey(i);
                int index = overlay.FindOrAddUnloaded(key, out int hash);
                if (_preloadRequested.Length <= index) Array.Resize(ref _preloadRequested, Math.Max(index + 1, 2 * _preloadRequested.Length));
                ref AccountEntry entry = ref overlay[index];
                if (entry.Loaded || _preloadRequested[index]) continue;
                if (bank.TryLoadFromAncestors(ref entry, key, hash)) continue;
                if (store.TryReadWithoutWaiting(key, out Account account))
                {
                    Bank.LoadFrom(ref entry, key, hash, account);
                    continue;
                }
                if (_preloadKeys.Length <= pending) GrowPreload(pending + 1);
                _preloadRequested[index] = true;
                _preloadIndex[pending] = index;
                _preloadKeys[pending] = key;
                _preloadPending[pending] = true;
                pending++;
                if (pending == PreloadReadsInFlight)
                {
                    CompletePreload(bank, store, pending);
                    preloaded += pending;
                    pending = 0;
                }
            }
        }
        if (pending > 0) CompletePreload(bank, store, pending);
        LastPreloadedFromDisk = preloaded + pending;
    }

    /// <summary>Waits for the <paramref name="pending"/> reads started and loads their entries (their keys are distinct, so matching a completion is a scan of this group).</summary>
    private void CompletePreload(Bank bank, AccountsDb store, int pending)
    {
        AccountOverlay overlay = bank.OverlayForExecution;
        store.CompletePendingReads(_preloadKeys.AsSpan(0, pending), _preloadPending.AsSpan(0, pending), _preloadAccounts.AsSpan(0, pending));
        for (int p = 0; p < pending; p++)
        {
            int index = _preloadIndex[p];
            _preloadRequested[index] = false;
            Bank.LoadFrom(ref overlay[index], _preloadKeys[p], Storage.SeededHash.Of(_preloadKeys[p]), _preloadAccounts[p]);
        }
    }

    private void GrowPreload(int size)
    {
        size = Math.Max(size, 2 * _preloadKeys.Length);
        Array.Resize(ref _preloadIndex, size);
        Array.Resize(ref _preloadKeys, size);
        Array.Resize(ref _preloadPending, size);
        Array.Resize(ref _preloadAccounts, size);
    }
}
