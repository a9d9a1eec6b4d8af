using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Storage.Accounts;

namespace Fast.Exec.Scheduling;

/// <summary>
/// Preloading a block's cold accounts (<see cref="SchedulerOptions.PreloadAfterDiskReads"/>): when
/// the state does not fit FASTER's memory, a worker that touches an account first waits for its disk
/// read, one miss at a time. Instead, before the block runs, the coordinator lists every account the
/// block names that no unflushed ancestor holds (each once), and the execution threads — the
/// coordinator and its helpers, as a <see cref="ParallelJob"/> — read them in parts: each thread starts
/// a part's FASTER reads (<see cref="SchedulerOptions.PreloadReadsInFlight"/> at a time, so the device
/// has them in flight together), collects their completions by ticket (no search by key), and loads
/// the part's overlay entries; the workers then find them loaded. Cold path: it allocates the arrays of
/// accounts with data, FASTER's per-pending-read state, and grows its lists to the largest block.
/// </summary>
public sealed partial class SealevelScheduler
{
    private long _lastDiskReads;
    private bool[] _preloadRequested = [];
    private PreloadJob? _preloadJob;

    /// <summary>Accounts the last preload waited for on the disk (0 when the last block was not preloaded).</summary>
    public int LastPreloadedFromDisk { get; private set; }

    /// <summary>Wall time of the last block's preload (listing its cold accounts and reading them), in <see cref="System.Diagnostics.Stopwatch"/> ticks; 0 when it was not preloaded.</summary>
    public long LastPreloadTicks { get; private set; }

    private void Preload(Bank bank)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        PreloadBlock(bank);
        LastPreloadTicks = System.Diagnostics.Stopwatch.GetTimestamp() - started;
    }

    private void PreloadBlock(Bank bank)
    {
        AccountOverlay overlay = bank.OverlayForExecution;
        PreloadJob job = _preloadJob ??= new PreloadJob();
        job.Begin(bank.Context.Accounts, overlay);
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
                _preloadRequested[index] = true;
                job.Add(index, key, hash);
            }
        }
        if (job.Count == 0)
        {
            LastPreloadedFromDisk = 0;
            return;
        }
        EnsureLockCapacity(overlay.Count);
        int perPart = Math.Max(1, _options.PreloadReadsInFlight);
        int parts = (job.Count + perPart - 1) / perPart;
        job.PartSize = perPart;
        job.BatchedReads = _options.PreloadBatchedReads;
        if (_options.PreloadOnWorkers) RunParallel(job, parts);
        else job.RunSerially(parts);
        for (int c = 0; c < job.Count; c++) _preloadRequested[job.IndexAt(c)] = false;
        LastPreloadedFromDisk = job.DiskReads;
        job.End();
    }

    /// <summary>
    /// One block's preload reads, split into parts of <see cref="PartSize"/> consecutive accounts. Each
    /// part is read by one thread on its own FASTER session: it starts every read of the part with the
    /// account's position as its ticket, waits for the pending ones together, and loads the part's
    /// entries (distinct entries per part, so parts never touch the same entry; the overlay is not
    /// resized while the job runs). Threads: filled by the coordinator, parts run on any execution thread.
    /// </summary>
    private sealed class PreloadJob : ParallelJob
    {
        private AccountsDb? _store;
        private AccountOverlay? _overlay;
        private int[] _index = [];
        private int[] _hash = [];
        private Pubkey[] _keys = [];
        private Account[] _accounts = [];
        private int _diskReads;

        public int Count { get; private set; }

        public int PartSize { get; set; } = 1;

        /// <summary>Whether parts batch their disk reads (<see cref="SchedulerOptions.PreloadBatchedReads"/>).</summary>
        public bool BatchedReads { get; set; } = true;

        /// <summary>Reads that went to the disk in this round (FASTER's pending path).</summary>
        public int DiskReads => Volatile.Read(ref _diskReads);

        public int IndexAt(int position) => _index[position];

        public void Begin(AccountsDb store, AccountOverlay overlay)
        {
            _store = store;
            _overlay = overlay;
            Count = 0;
            _diskReads = 0;
        }

        public void Add(int index, in Pubkey key, int hash)
        {
            if (Count == _keys.Length) Grow(Count + 1);
            _index[Count] = index;
            _hash[Count] = hash;
            _keys[Count] = key;
            Count++;
        }

        public void End()
        {
            _store = null;
            _overlay = null;
        }

        protected override void RunPart(int part)
        {
            AccountsDb store = _store!;
            AccountOverlay overlay = _overlay!;
            int start = part * PartSize;
            int end = Math.Min(Count, start + PartSize);
            int pending = 0;
            if (BatchedReads) store.BeginReadBatch(); // the part's disk reads reach the kernel together (io_uring) where it can
            try
            {
                for (int p = start; p < end; p++)
                {
                    if (store.TryReadWithoutWaiting(_keys[p], ticket: p, out Account account)) _accounts[p] = account;
                    else pending++;
                }
            }
            finally
            {
                AccountsDb.EndReadBatch();
            }
            if (pending > 0)
            {
                int completed = store.CompletePendingReadsByTicket(_accounts);
                if (completed != pending) ThrowHelper.ThrowInvalidOperation($"{pending} preload reads went to the disk but {completed} completed");
                Interlocked.Add(ref _diskReads, pending);
            }
            for (int p = start; p < end; p++)
            {
                Bank.LoadFrom(ref overlay[_index[p]], _keys[p], _hash[p], _accounts[p]);
                _accounts[p] = default; // the entry holds the data now; drop this reference
            }
        }

        private void Grow(int size)
        {
            size = Math.Max(size, Math.Max(1024, 2 * _keys.Length));
            Array.Resize(ref _index, size);
            Array.Resize(ref _hash, size);
            Array.Resize(ref _keys, size);
            Array.Resize(ref _accounts, size);
        }
    }
}
