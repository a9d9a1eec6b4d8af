using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Fast.Crypto.Interop;

namespace Fast.Crypto;

/// <summary>
/// A cache of recently parsed BIP-340 public keys, for one verifying thread. Parsing an x-only key
/// (lifting x to a curve point) takes a field square root: about 14 % of a single verification
/// and about a sixth of a batch's work per signature here. Senders repeat (a wallet, a market
/// maker, a validator's votes), so the sigverify stage and replay parse each recent key once.
/// Two-way set-associative over native memory (a hit in the second way moves to the first, a miss
/// evicts the second: least recently used), indexed by the key's bytes hashed with a per-cache random
/// seed (a sender cannot aim collisions at a known set; a collision only costs a parse, as without the
/// cache). Only keys that parse are cached — an invalid key is parsed, and refused, every time.
/// A hit compares all 32 bytes, so a cached entry is always the parse of exactly the key asked for.
/// Lookups allocate nothing. Not thread-safe: one per thread, like <see cref="SchnorrBatch"/>.
/// </summary>
public sealed unsafe class XOnlyKeyCache : IDisposable
{
    /// <summary>Entries of a sigverify thread's or replay worker's cache (512 KiB of native memory): bench-tps's 1,024 payers all stay cached.</summary>
    public const int DefaultEntries = 4096;

    private const int EntrySize = 128; // 32-byte key, 64-byte parsed key, a used flag; two cache lines
    private const int ParsedOffset = 32;
    private const int UsedOffset = 96;

    private readonly byte* _entries;
    private readonly int _setMask;
    private readonly ulong _seed;
    private bool _disposed;

    /// <param name="entries">A power of two, 16 … 1,048,576.</param>
    public XOnlyKeyCache(int entries = DefaultEntries)
    {
        if (entries < 16 || entries > 1 << 20 || (entries & (entries - 1)) != 0) ThrowHelper.ThrowArgumentOutOfRange(nameof(entries), "a power of two, 16..1048576");
        _setMask = entries / 2 - 1;
        _seed = BinaryPrimitives.ReadUInt64LittleEndian(RandomNumberGenerator.GetBytes(8)) | 1;
        _entries = (byte*)NativeMemory.AlignedAlloc((nuint)entries * EntrySize, 64);
        NativeMemory.Clear(_entries, (nuint)entries * EntrySize);
        Entries = entries;
    }

    public int Entries { get; }

    /// <summary>Lookups answered from the cache.</summary>
    public long Hits { get; private set; }

    /// <summary>Lookups that parsed the key (first sight, evicted, or invalid).</summary>
    public long Misses { get; private set; }

    /// <summary>
    /// Writes the parsed form of <paramref name="publicKey32"/> (the 64-byte secp256k1_xonly_pubkey)
    /// to <paramref name="parsed64"/>; false when the key is not the x of a curve point.
    /// </summary>
    public bool TryParse(byte* publicKey32, byte* parsed64)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ulong head = BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(publicKey32, 8));
        ulong tail = BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(publicKey32 + 24, 8));
        int set = (int)(((head ^ tail) * _seed) >> 40) & _setMask;
        byte* first = _entries + (nint)set * 2 * EntrySize;
        byte* second = first + EntrySize;
        var key = new ReadOnlySpan<byte>(publicKey32, Schnorr.PublicKeySize);
        if (Matches(first, key))
        {
            Hits++;
            Buffer.MemoryCopy(first + ParsedOffset, parsed64, Secp256k1Native.XOnlyPubkeySize, Secp256k1Native.XOnlyPubkeySize);
            return true;
        }
        if (Matches(second, key))
        {
            Hits++;
            Buffer.MemoryCopy(second + ParsedOffset, parsed64, Secp256k1Native.XOnlyPubkeySize, Secp256k1Native.XOnlyPubkeySize);
            Swap(first, second); // most recently used first
            return true;
        }
        Misses++;
        if (Secp256k1Native.XOnlyPubkeyParse(Schnorr.Context, parsed64, publicKey32) != 1) return false;
        // The first way's entry becomes the second (the least recently used one is dropped), the new key the first.
        Buffer.MemoryCopy(first, second, EntrySize, EntrySize);
        key.CopyTo(new Span<byte>(first, Schnorr.PublicKeySize));
        Buffer.MemoryCopy(parsed64, first + ParsedOffset, Secp256k1Native.XOnlyPubkeySize, Secp256k1Native.XOnlyPubkeySize);
        first[UsedOffset] = 1;
        return true;
    }

    private static bool Matches(byte* entry, ReadOnlySpan<byte> key) =>
        entry[UsedOffset] != 0 && key.SequenceEqual(new ReadOnlySpan<byte>(entry, Schnorr.PublicKeySize));

    private static void Swap(byte* a, byte* b)
    {
        byte* temporary = stackalloc byte[EntrySize];
        Buffer.MemoryCopy(a, temporary, EntrySize, EntrySize);
        Buffer.MemoryCopy(b, a, EntrySize, EntrySize);
        Buffer.MemoryCopy(temporary, b, EntrySize, EntrySize);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        NativeMemory.AlignedFree(_entries);
        GC.SuppressFinalize(this);
    }

    ~XOnlyKeyCache()
    {
        if (!_disposed) NativeMemory.AlignedFree(_entries);
    }
}
