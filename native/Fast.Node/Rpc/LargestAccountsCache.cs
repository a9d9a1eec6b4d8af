namespace Fast.Node.Rpc;

/// <summary>
/// getLargestAccounts' cache: the ranking is computed by a whole-store scan (<c>compute</c>), which
/// never runs on an RPC request thread nor on any of the node's stage threads. A request takes the
/// latest snapshot at once; when it is older than the refresh interval, the request also starts one
/// background scan (never two at a time, at most one start per interval, so a flood of requests
/// costs one scan per interval). Only the very first request waits, briefly, for the first scan.
/// Like Agave's (which keeps its answer two hours), the answer may be a little old: its context slot
/// says how old.
/// <para>Threads: <see cref="Get"/> from any RPC thread; the scan on its own background thread
/// ("rpc-largest-accounts"); <see cref="Dispose"/> cancels and joins it, before the store it reads
/// closes.</para>
/// </summary>
public sealed class LargestAccountsCache : IDisposable
{
    /// <summary>Solana's answer holds 20 accounts.</summary>
    public const int Count = 20;

    private readonly Func<int, CancellationToken, LargestAccountsSnapshot> _compute;
    private readonly long _refreshMs;
    private readonly Func<long> _nowMs;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ManualResetEventSlim _finished = new(false);
    private LargestAccountsSnapshot? _latest;
    private Thread? _worker;
    private long _lastStartMs;
    private bool _started;
    private bool _disposed;
    private long _scans;
    private long _failures;

    /// <param name="compute">The scan: the top <see cref="Count"/> accounts; it checks the token often and stops when asked.</param>
    /// <param name="refresh">The least time between two scans' starts.</param>
    /// <param name="nowMs">A monotonic clock in milliseconds (tests give a fake one).</param>
    public LargestAccountsCache(Func<int, CancellationToken, LargestAccountsSnapshot> compute, TimeSpan refresh, Func<long>? nowMs = null)
    {
        _compute = compute;
        _refreshMs = (long)refresh.TotalMilliseconds;
        _nowMs = nowMs ?? (() => Environment.TickCount64);
    }

    /// <summary>Scans finished (successfully).</summary>
    public long Scans => Interlocked.Read(ref _scans);

    /// <summary>Scans that threw (their message is <see cref="LastError"/>); the previous snapshot stays.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    public string? LastError { get; private set; }

    /// <summary>The latest finished snapshot, without starting a scan (for /metrics).</summary>
    public LargestAccountsSnapshot? Latest
    {
        get
        {
            lock (_gate) return _latest;
        }
    }

    /// <summary>True while a scan runs.</summary>
    public bool Scanning
    {
        get
        {
            lock (_gate) return _worker is not null;
        }
    }

    /// <summary>
    /// The latest snapshot (maybe up to one refresh interval old), starting a background scan when it
    /// is stale. With no snapshot yet, waits up to <paramref name="waitForFirst"/> for the first one;
    /// null when there is still none (the scan is still running, or it failed).
    /// </summary>
    public LargestAccountsSnapshot? Get(TimeSpan waitForFirst)
    {
        LargestAccountsSnapshot? latest;
        lock (_gate)
        {
            latest = _latest;
            long now = _nowMs();
            bool due = !_started || now - _lastStartMs >= _refreshMs;
            if (due && _worker is null && !_disposed)
            {
                _started = true;
                _lastStartMs = now;
                _finished.Reset();
                _worker = new Thread(Scan) { IsBackground = true, Name = "rpc-largest-accounts" };
                _worker.Start();
            }
        }
        if (latest is not null || waitForFirst <= TimeSpan.Zero) return latest;
        _finished.Wait(waitForFirst);
        lock (_gate) return _latest;
    }

    private void Scan()
    {
        try
        {
            LargestAccountsSnapshot snapshot = _compute(Count, _stop.Token);
            lock (_gate) _latest = snapshot;
            Interlocked.Increment(ref _scans);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e) // a failed scan (e.g. an I/O error reading the store) must not kill the process: counted, the old answer kept
        {
            LastError = e.Message;
            Interlocked.Increment(ref _failures);
        }
        finally
        {
            lock (_gate) _worker = null;
            _finished.Set();
        }
    }

    public void Dispose()
    {
        Thread? worker;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            worker = _worker;
        }
        _stop.Cancel();
        worker?.Join();
        _stop.Dispose();
        _finished.Dispose();
    }
}
