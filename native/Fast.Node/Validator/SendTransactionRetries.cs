using Fast.Core.Primitives;

namespace Fast.Node.Validator;

/// <summary>What became of the transactions RPC's sendTransaction accepted and this node re-sent (counters, any thread).</summary>
public sealed class SendRetryCounters
{
    public long Tracked;
    public long Resent;
    public long Landed;
    public long Expired;
    public long Exhausted;
    public long Untracked;
}

/// <summary>
/// The node's re-send of transactions accepted by RPC's sendTransaction, as Agave's
/// send-transaction service does: a cluster forwards over UDP, leaders hand off every four slots,
/// and a transaction can be lost on the way (a packet dropped, a slot that ended under it). Every
/// <see cref="RetryMilliseconds"/> each tracked transaction that has not landed (no status on this
/// node) is handed to banking again — which leads with it or forwards it to the current and next
/// leaders; it stops once the transaction landed, its blockhash expired, or it was re-sent
/// <c>maxRetries</c> times (the request's, else <see cref="DefaultMaxRetries"/>, null = until
/// expiry). Bounded: past <see cref="Capacity"/> tracked transactions a new one is sent once and
/// not tracked (counted). <see cref="Tick"/> runs on the "rpc-send-retry" thread, or a test's.
/// </summary>
public sealed class SendTransactionRetries : IDisposable
{
    private readonly record struct Entry(Signature Signature, byte[] Transaction, Hash Blockhash, int? MaxRetries, int Retries, long NextAtMs);

    private readonly Func<Signature, bool> _landed;
    private readonly Func<Hash, bool> _blockhashValid;
    private readonly Func<byte[], bool> _resubmit;
    private readonly Func<long> _milliseconds;
    private readonly object _gate = new();
    private readonly Dictionary<Signature, Entry> _entries = [];
    private readonly List<Entry> _due = [];
    private Thread? _thread;
    private volatile bool _stopping;

    /// <param name="landed">True when the signature has a status on this node (processed or better, not in a dead slot).</param>
    /// <param name="blockhashValid">True while a transaction with this recent blockhash can still land.</param>
    /// <param name="resubmit">Hands the bytes to banking again; false when its queue is full (tried next round).</param>
    /// <param name="milliseconds">The clock rounds are timed by (tests pass their own); <see cref="Environment.TickCount64"/> by default.</param>
    public SendTransactionRetries(Func<Signature, bool> landed, Func<Hash, bool> blockhashValid, Func<byte[], bool> resubmit, Func<long>? milliseconds = null)
    {
        _landed = landed;
        _blockhashValid = blockhashValid;
        _resubmit = resubmit;
        _milliseconds = milliseconds ?? (static () => Environment.TickCount64);
    }

    public int Capacity { get; init; } = 10_000;

    public int RetryMilliseconds { get; init; } = 2_000;

    /// <summary>Re-sends per transaction when the request gives no maxRetries; null: until the blockhash expires.</summary>
    public int? DefaultMaxRetries { get; init; }

    public SendRetryCounters Counters { get; } = new();

    public int Count
    {
        get
        {
            lock (_gate) return _entries.Count;
        }
    }

    /// <summary>Tracks a transaction RPC just handed to banking (RPC threads). <paramref name="maxRetries"/> 0 tracks nothing.</summary>
    public void Track(in Signature signature, ReadOnlySpan<byte> transaction, in Hash blockhash, int? maxRetries)
    {
        int? limit = maxRetries ?? DefaultMaxRetries;
        if (limit == 0) return;
        lock (_gate)
        {
            if (_entries.ContainsKey(signature)) return;
            if (_entries.Count >= Capacity)
            {
                Counters.Untracked++;
                return;
            }
            _entries[signature] = new Entry(signature, transaction.ToArray(), blockhash, limit, 0, _milliseconds() + RetryMilliseconds);
            Counters.Tracked++;
        }
    }

    /// <summary>One round: drops what landed, expired or ran out of retries, re-sends the rest that are due.</summary>
    public void Tick()
    {
        long now = _milliseconds();
        _due.Clear();
        lock (_gate)
        {
            foreach (Entry entry in _entries.Values)
            {
                if (entry.NextAtMs <= now) _due.Add(entry);
            }
        }
        foreach (Entry entry in _due)
        {
            bool drop = false;
            if (_landed(entry.Signature))
            {
                Interlocked.Increment(ref Counters.Landed);
                drop = true;
            }
            else if (!_blockhashValid(entry.Blockhash))
            {
                Interlocked.Increment(ref Counters.Expired);
                drop = true;
            }
            else if (entry.MaxRetries is int max && entry.Retries >= max)
            {
                Interlocked.Increment(ref Counters.Exhausted);
                drop = true;
            }
            lock (_gate)
            {
                if (drop)
                {
                    _entries.Remove(entry.Signature);
                    continue;
                }
                bool resent = _resubmit(entry.Transaction);
                if (resent) Interlocked.Increment(ref Counters.Resent);
                _entries[entry.Signature] = entry with { Retries = entry.Retries + (resent ? 1 : 0), NextAtMs = now + RetryMilliseconds };
            }
        }
    }

    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "rpc-send-retry" };
        _thread.Start();
    }

    private void Run()
    {
        int pause = Math.Clamp(RetryMilliseconds / 4, 10, 500);
        while (!_stopping)
        {
            Thread.Sleep(pause);
            Tick();
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _thread?.Join();
        _thread = null;
    }
}
