using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Fast.Core.Primitives;

namespace Fast.Storage;

/// <summary>
/// The hash of a 32-byte key (account pubkey, signature nonce point) for in-memory tables. Keys are
/// chosen by users — any 32 bytes can be a recipient — so the hash chains a 64-bit finaliser
/// (MurmurHash3's fmix64) over all four words with a secret per-process seed: a client cannot
/// grind keys into one probe chain. (Folding each word to 32 bits first, as HashCode.Combine of
/// ulongs does, would let equal folds collide whatever the seed.) About 4 ns.
/// </summary>
public static class SeededHash
{
    private static readonly ulong Seed = RandomSeed();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Of(in Pubkey key) => Of(key.Span);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Of(in Bytes32 key) => Of(key.Span);

    /// <summary>Hash of exactly 32 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Of(ReadOnlySpan<byte> key32)
    {
        ReadOnlySpan<ulong> w = MemoryMarshal.Cast<byte, ulong>(key32);
        ulong h = Finalize(w[0] + Seed);
        h = Finalize(h ^ w[1]);
        h = Finalize(h ^ w[2]);
        h = Finalize(h ^ w[3]);
        return (int)(h ^ (h >> 32));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Finalize(ulong x)
    {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53UL;
        x ^= x >> 33;
        return x;
    }

    private static ulong RandomSeed()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return BitConverter.ToUInt64(bytes) | 1;
    }
}
