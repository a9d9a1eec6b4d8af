using Fast.Core.Primitives;

namespace Fast.Exec.Validity;

/// <summary>
/// Transactions whose every signature this node has already verified, by the SHA-256 of the
/// transaction's exact bytes (the signatures, the keys and the message, so no other transaction can
/// match one: a changed byte is a different hash). A cluster node fills it while a block's shreds
/// arrive (Fast.Node's replay pre-verifier) so replay's signature rule (<see cref="BlockSignatures"/>)
/// skips what was already checked: the block-validity rule is unchanged, only its work moves earlier
/// in the slot. Bounded: the oldest entries are forgotten first (a forgotten one is verified again).
/// <para>Threads: any (one lock; a few hundred nanoseconds per call against ~25 µs per signature verified).</para>
/// </summary>
public sealed class VerifiedTransactions
{
    /// <summary>Entries kept by default: a few 600 ms blocks at the per-block signature limit.</summary>
    public const int DefaultCapacity = 1 << 16;

    private readonly Lock _lock = new();
    private readonly HashSet<Hash> _set;
    private readonly Hash[] _ring;
    private int _next;
    private long _added;
    private long _hits;
    private long _misses;

    public VerifiedTransactions(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _set = new HashSet<Hash>(capacity);
        _ring = new Hash[capacity];
    }

    public int Capacity => _ring.Length;

    /// <summary>Transactions added over this set's life.</summary>
    public long Added => Interlocked.Read(ref _added);

    /// <summary>Lookups that found the transaction (its signatures were not verified again).</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Lookups that did not.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>The key of a transaction: SHA-256 of its exact bytes.</summary>
    public static Hash KeyOf(ReadOnlySpan<byte> transaction) => Hash.Compute(transaction);

    /// <summary>Records that every signature of the transaction with key <paramref name="key"/> verified.</summary>
    public void Add(in Hash key)
    {
        lock (_lock)
        {
            if (!_set.Add(key)) return;
            if (_added >= _ring.Length) _set.Remove(_ring[_next]);
            _ring[_next] = key;
            _next = (_next + 1) % _ring.Length;
            _added++;
        }
    }

    /// <summary>True when every signature of the transaction with key <paramref name="key"/> was verified here.</summary>
    public bool Contains(in Hash key)
    {
        bool found;
        lock (_lock) found = _set.Contains(key);
        if (found) Interlocked.Increment(ref _hits);
        else Interlocked.Increment(ref _misses);
        return found;
    }
}
