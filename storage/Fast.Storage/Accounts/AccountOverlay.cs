using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Fast.Core.Primitives;

namespace Fast.Storage.Accounts;

/// <summary>
/// The accounts one slot has touched, keyed by pubkey: an open-addressing index over entries kept
/// in fixed chunks, so an entry never moves once added and workers can hold its index while the
/// index grows.
/// <para>Threads: <see cref="Find(in Pubkey)"/> and <see cref="Add"/> belong to the slot's owner thread (the
/// scheduler); execution workers read and write entries by index, each only the entries its batch
/// holds locks on. Once the slot is frozen the overlay is read-only and safe to read from any thread.</para>
/// </summary>
public sealed class AccountOverlay
{
    private const int ChunkShift = 9;
    private const int ChunkSize = 1 << ChunkShift; // 512 entries ≈ 45 KB: below the large-object heap
    private const int ChunkMask = ChunkSize - 1;
    private const int MinBuckets = 1024;

    private AccountEntry[][] _chunks;
    private Pubkey[][] _keyChunks; // the owner's copy of each entry's key: lookups never read an entry a worker writes
    private int _chunkCount;
    private int _count;

    // Bucket = (uint hash << 32) | (entry index + 1); 0 is empty. Linear probing; load ≤ 1/2.
    private long[] _buckets;
    private int _bucketMask;

    public AccountOverlay()
    {
        _chunks = new AccountEntry[4][];
        _keyChunks = new Pubkey[4][];
        _buckets = new long[MinBuckets];
        _bucketMask = MinBuckets - 1;
    }

    public int Count => _count;

    /// <summary>Entries this overlay can hold without allocating.</summary>
    public int Capacity => _chunkCount * ChunkSize;

    /// <summary>The entry at <paramref name="index"/> (from <see cref="Find(in Pubkey)"/> or <see cref="Add"/>).</summary>
    public ref AccountEntry this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ref _chunks[index >> ChunkShift][index & ChunkMask];
    }

    /// <summary>The index of <paramref name="key"/>'s entry, or −1.</summary>
    public int Find(in Pubkey key) => Find(key, SeededHash.Of(key));

    /// <summary><see cref="Find(in Pubkey)"/> with the key's <see cref="SeededHash"/> already known.</summary>
    public int Find(in Pubkey key, int hash)
    {
        long[] buckets = _buckets;
        int mask = _bucketMask;
        for (int b = hash & mask; ; b = (b + 1) & mask)
        {
            long bucket = buckets[b];
            if (bucket == 0) return -1;
            if ((int)(bucket >> 32) == hash)
            {
                int index = (int)bucket - 1;
                if (KeyAt(index) == key) return index;
            }
        }
    }

    /// <summary>
    /// The index of <paramref name="key"/>'s entry, adding it unloaded when absent: one hash, one probe.
    /// Adding writes only the owner's key table and index, never the entry: the worker that loads
    /// it (<see cref="AccountEntry.Loaded"/>) is the first to write its cache lines, so they do not
    /// have to travel from the scheduler's core. <paramref name="hash"/> is the key's
    /// <see cref="SeededHash"/>, for the loader.
    /// </summary>
    public int FindOrAddUnloaded(in Pubkey key, out int hash)
    {
        hash = SeededHash.Of(key);
        return FindOrAddUnloaded(key, hash);
    }

    /// <summary><see cref="FindOrAddUnloaded(in Pubkey, out int)"/> with the key's <see cref="SeededHash"/> already computed.</summary>
    public int FindOrAddUnloaded(in Pubkey key, int hash)
    {
        if ((_count + 1) * 2 > _buckets.Length) GrowBuckets();
        long[] buckets = _buckets;
        int mask = _bucketMask;
        int b = hash & mask;
        for (; ; b = (b + 1) & mask)
        {
            long bucket = buckets[b];
            if (bucket == 0) break;
            if ((int)(bucket >> 32) == hash)
            {
                int found = (int)bucket - 1;
                if (KeyAt(found) == key) return found;
            }
        }
        int index = Append(key);
        buckets[b] = ((long)hash << 32) | (uint)(index + 1);
        return index;
    }

    /// <summary><see cref="FindOrAddUnloaded(in Pubkey, out int)"/> without the hash.</summary>
    public int FindOrAddUnloaded(in Pubkey key) => FindOrAddUnloaded(key, out _);

    /// <summary>The key of the entry at <paramref name="index"/> (loaded or not). Owner thread, or any thread once frozen.</summary>
    public ref readonly Pubkey KeyAt(int index) => ref _keyChunks[index >> ChunkShift][index & ChunkMask];

    /// <summary>Starts loading the index slot for a key with this <see cref="SeededHash"/> (first stage of a look-ahead).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void PrefetchSlot(int hash)
    {
        if (!Sse.IsSupported) return;
        Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_buckets), hash & _bucketMask)));
    }

    /// <summary>Starts loading the entry a key with this hash sits in, if its index slot is already cached (second stage of a look-ahead; never probes past the first slot).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void PrefetchEntry(int hash)
    {
        if (!Sse.IsSupported) return;
        long bucket = _buckets[hash & _bucketMask];
        if (bucket == 0 || (int)(bucket >> 32) != hash) return;
        int index = (int)bucket - 1;
        Sse.Prefetch0(Unsafe.AsPointer(ref this[index]));
    }

    /// <summary>Adds a loaded entry for a key that is not in the overlay (the caller checked with <see cref="Find(in Pubkey)"/>).</summary>
    public int Add(in Pubkey key, ulong lamports, in Pubkey owner, bool executable, byte[] data)
    {
        if ((_count + 1) * 2 > _buckets.Length) GrowBuckets();
        int hash = SeededHash.Of(key);
        int index = Append(key);
        Insert(hash, index);
        ref AccountEntry entry = ref this[index];
        entry.Key = key;
        entry.KeyHash = hash;
        entry.Lamports = lamports;
        entry.Owner = owner;
        entry.Executable = executable;
        entry.Data = data;
        entry.OwnsData = false; // the caller's array (genesis, a recovered root): shared, never pooled
        entry.Loaded = true;
        return index;
    }

    /// <summary>Takes the next entry (cleared: unloaded, unwritten) for <paramref name="key"/>; the caller indexes it.</summary>
    private int Append(in Pubkey key)
    {
        int index = _count;
        if (index == Capacity) AddChunk();
        _keyChunks[index >> ChunkShift][index & ChunkMask] = key;
        _count = index + 1;
        return index;
    }

    /// <summary>
    /// Empties the overlay for reuse by another slot, keeping its memory: the data arrays its entries
    /// own (<see cref="AccountEntry.OwnsData"/>) go back to <paramref name="dataPool"/> (when given),
    /// the others to the GC. Owner thread, once no reader can reach the overlay (BankForks' grace period).
    /// </summary>
    public void Reset(AccountDataPool? dataPool = null)
    {
        for (int c = 0; c < _chunkCount; c++)
        {
            int used = Math.Min(ChunkSize, _count - c * ChunkSize);
            if (used <= 0) break;
            AccountEntry[] chunk = _chunks[c];
            if (dataPool is not null)
            {
                for (int i = 0; i < used; i++)
                {
                    if (chunk[i].OwnsData) dataPool.Return(chunk[i].Data);
                }
            }
            Array.Clear(chunk, 0, used);
        }
        Array.Clear(_buckets);
        _count = 0;
    }

    private void Insert(int hash, int index)
    {
        long[] buckets = _buckets;
        int mask = _bucketMask;
        int b = hash & mask;
        while (buckets[b] != 0) b = (b + 1) & mask;
        buckets[b] = ((long)hash << 32) | (uint)(index + 1);
    }

    private void AddChunk()
    {
        if (_chunkCount == _chunks.Length)
        {
            // Workers may be reading the old directory: it still holds every chunk they can index.
            var grown = new AccountEntry[_chunks.Length * 2][];
            Array.Copy(_chunks, grown, _chunkCount);
            _chunks = grown;
            var grownKeys = new Pubkey[_keyChunks.Length * 2][];
            Array.Copy(_keyChunks, grownKeys, _chunkCount);
            _keyChunks = grownKeys;
        }
        _keyChunks[_chunkCount] = new Pubkey[ChunkSize];
        _chunks[_chunkCount++] = new AccountEntry[ChunkSize];
    }

    private void GrowBuckets()
    {
        long[] old = _buckets;
        _buckets = new long[old.Length * 2];
        _bucketMask = _buckets.Length - 1;
        foreach (long bucket in old)
        {
            if (bucket != 0) Insert((int)(bucket >> 32), (int)bucket - 1);
        }
    }
}
