namespace Fast.Storage.Accounts;

/// <summary>
/// Recycled account data arrays, by exact length (an account's data length is part of its state, so
/// an array is never handed out longer than asked): program instructions rent the new data of the
/// accounts they change, loads of data accounts into a slot's overlay rent their private copy, and a
/// slot's overlay gives back the arrays only it held when it is reset for reuse (AccountOverlay.Reset,
/// after BankForks' grace period). Steady-state execution therefore allocates no account data.
/// <para>The rule that makes this safe (docs/programs.md "Data is copy-on-write"): an array rented here
/// is held by exactly one owner at a time — a transaction's scratch account while it runs, then one
/// overlay entry (<see cref="AccountEntry.OwnsData"/>). Nothing else keeps a reference: a child slot
/// loading the account copies it, and reads handed outside the execution layer
/// (<see cref="AccountEntry.ToAccount"/>) copy it. An array goes back here only from its owner, once.</para>
/// <para>Lengths up to <see cref="MaxPooledLength"/> are pooled, and at most <see cref="MaxPooledBytes"/>
/// in total wait here; anything else is left to the GC. Thread-safe: execution workers rent (and
/// return the arrays of failed transactions and of superseded versions) concurrently, the owner
/// thread returns a reset overlay's; one short lock per length.</para>
/// </summary>
public sealed class AccountDataPool
{
    /// <summary>The longest data pooled by default: the built-in programs' accounts (mint 92, token account 116, stake 128, multisig and proposals up to a few hundred bytes) fit with room to spare.</summary>
    public const int DefaultMaxPooledLength = 4096;

    /// <summary>Default cap on the bytes waiting in the pool (all lengths together).</summary>
    public const long DefaultMaxPooledBytes = 256L << 20;

    private readonly Bucket?[] _buckets;
    private long _pooledBytes;
    private long _misses;

    public AccountDataPool(int maxPooledLength = DefaultMaxPooledLength, long maxPooledBytes = DefaultMaxPooledBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxPooledLength);
        ArgumentOutOfRangeException.ThrowIfNegative(maxPooledBytes);
        MaxPooledLength = maxPooledLength;
        MaxPooledBytes = maxPooledBytes;
        _buckets = new Bucket?[maxPooledLength + 1];
    }

    public int MaxPooledLength { get; }

    public long MaxPooledBytes { get; }

    /// <summary>
    /// Test switch: fill every returned array with 0xDD before pooling it, so a reader that still held
    /// a recycled array would see garbage at once (a bank hash or a byte comparison fails) instead of
    /// stale-but-plausible bytes.
    /// </summary>
    public bool PoisonReturned { get; init; }

    /// <summary>Bytes of arrays waiting for reuse.</summary>
    public long PooledBytes => Volatile.Read(ref _pooledBytes);

    /// <summary>Rents that found no pooled array of their length and allocated one.</summary>
    public long Misses => Volatile.Read(ref _misses);

    /// <summary>An array of exactly <paramref name="length"/> bytes, owned by the caller; its contents are whatever its last owner left (the caller overwrites all of it).</summary>
    public byte[] Rent(int length)
    {
        if (length == 0) return [];
        if ((uint)length <= (uint)MaxPooledLength && _buckets[length] is Bucket bucket && bucket.TryTake(out byte[] array))
        {
            Interlocked.Add(ref _pooledBytes, -length);
            return array;
        }
        Interlocked.Increment(ref _misses);
        return GC.AllocateUninitializedArray<byte>(length);
    }

    /// <summary><see cref="Rent"/> with every byte zero (a newly created account's data).</summary>
    public byte[] RentZeroed(int length)
    {
        byte[] array = Rent(length);
        Array.Clear(array);
        return array;
    }

    /// <summary>A copy of <paramref name="data"/> in a rented array (the empty array for empty data).</summary>
    public byte[] RentCopy(ReadOnlySpan<byte> data)
    {
        byte[] array = Rent(data.Length);
        data.CopyTo(array);
        return array;
    }

    /// <summary>
    /// Gives <paramref name="array"/> back for reuse. Only its one owner may call this, once, and must
    /// drop its reference; an array of a length not pooled, or past the byte cap, goes to the GC.
    /// </summary>
    public void Return(byte[] array)
    {
        int length = array.Length;
        if (length == 0 || length > MaxPooledLength) return;
        if (Interlocked.Add(ref _pooledBytes, length) > MaxPooledBytes)
        {
            Interlocked.Add(ref _pooledBytes, -length);
            return;
        }
        if (PoisonReturned) array.AsSpan().Fill(0xDD);
        Bucket bucket = _buckets[length] ?? CreateBucket(length);
        bucket.Add(array);
    }

    private Bucket CreateBucket(int length)
    {
        Interlocked.CompareExchange(ref _buckets[length], new Bucket(), null);
        return _buckets[length]!;
    }

    /// <summary>The pooled arrays of one length: a stack behind a lock (held for a push or a pop).</summary>
    private sealed class Bucket
    {
        private readonly Lock _gate = new();
        private byte[][] _items = new byte[16][];
        private int _count;

        public bool TryTake(out byte[] array)
        {
            lock (_gate)
            {
                if (_count == 0)
                {
                    array = [];
                    return false;
                }
                array = _items[--_count];
                _items[_count] = null!;
                return true;
            }
        }

        public void Add(byte[] array)
        {
            lock (_gate)
            {
                if (_count == _items.Length) Array.Resize(ref _items, _items.Length * 2); // grows while the pool fills (warm-up); bounded by the byte cap
                _items[_count++] = array;
            }
        }
    }
}
