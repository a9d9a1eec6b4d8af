using System.Diagnostics;
using Fast.Core.Primitives;
using Fast.Node.Rpc;
using Fast.Storage.Accounts;

namespace Fast.Node.Validator;

/// <summary>
/// The scan behind getLargestAccounts (<see cref="LargestAccountsCache"/>): one pass over the rooted
/// accounts log (AccountsDb.ScanLamports) keeping only a <see cref="TopAccounts"/> ranking. A record
/// version that could enter the ranking is checked against the account's current balance at the
/// root (the log holds superseded versions), read in batches through BankForks.ReadAccounts like any
/// RPC read — so the scan never holds the root lock across the log and the node's threads never wait
/// for it. Memory: the ranking plus one batch. Runs on the cache's background thread only.
/// </summary>
public sealed partial class Validator
{
    /// <summary>Keys re-read per ReadAccounts call during the scan.</summary>
    private const int LargestAccountsBatch = 64;

    private LargestAccountsCache? _largestAccounts;

    /// <summary>getLargestAccounts' cache, created on first use (any thread).</summary>
    internal LargestAccountsCache LargestAccounts
    {
        get
        {
            if (Volatile.Read(ref _largestAccounts) is LargestAccountsCache cache) return cache;
            LargestAccountsCache created = new(ScanLargestAccounts, TimeSpan.FromSeconds(_options.RpcLargestAccountsRefreshSeconds));
            LargestAccountsCache? raced = Interlocked.CompareExchange(ref _largestAccounts, created, null);
            if (raced is null) return created;
            created.Dispose();
            return raced;
        }
    }

    /// <summary>The scans' counters for /metrics (zeros until the first getLargestAccounts call creates the cache).</summary>
    private void WriteLargestAccountsMetrics(PrometheusText m)
    {
        LargestAccountsCache? cache = Volatile.Read(ref _largestAccounts);
        LargestAccountsSnapshot? latest = cache?.Latest;
        m.Counter("fast_rpc_largest_accounts_scans_total", "getLargestAccounts scans of the rooted accounts finished (background thread)", cache?.Scans ?? 0)
         .Counter("fast_rpc_largest_accounts_scan_failures_total", "getLargestAccounts scans that failed (the previous answer is kept)", cache?.Failures ?? 0)
         .Gauge("fast_rpc_largest_accounts_scan_seconds", "Duration of the last getLargestAccounts scan", latest?.ScanSeconds ?? 0)
         .Gauge("fast_rpc_largest_accounts_scan_records", "Account record versions the last getLargestAccounts scan walked", latest?.RecordsScanned ?? 0);
    }

    private LargestAccountsSnapshot ScanLargestAccounts(int count, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        TopAccounts top = new(count);
        var keys = new Pubkey[LargestAccountsBatch];
        var accounts = new Account[LargestAccountsBatch];
        int pending = 0;
        ulong slot = 0;
        void Flush()
        {
            slot = ReadAccounts(keys.AsSpan(0, pending), accounts, Commitment.Finalized);
            for (int i = 0; i < pending; i++) top.Offer(keys[i], accounts[i].Exists ? accounts[i].Lamports : 0);
            pending = 0;
        }
        long scanned = _accounts.ScanLamports((key, lamports) =>
        {
            if (cancel.IsCancellationRequested) return false;
            if (!top.CouldEnter(lamports)) return true;
            keys[pending++] = key;
            if (pending == keys.Length) Flush();
            return true;
        });
        cancel.ThrowIfCancellationRequested();
        if (pending > 0 || slot == 0) Flush();
        return new LargestAccountsSnapshot(slot, top.ToArray(), scanned, clock.Elapsed.TotalSeconds);
    }
}
