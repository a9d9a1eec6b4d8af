using System.Buffers.Binary;
using Fast.Crypto;

namespace Fast.Core.Rng;

/// <summary>
/// The only randomness a protocol decision may use (ARCHITECTURE.md rule 1): xoshiro256** seeded from
/// SHA-256 of a seed, so the same seed gives the same stream on every node, in every process and in
/// the simulator. Not cryptographic: it picks gossip peers, Turbine shuffles and simulated loss, never
/// keys or nonces. A mutable struct: pass it by <c>ref</c>; a copy replays the same stream.
/// </summary>
public struct DeterministicRng
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>A stream seeded by the bytes of <paramref name="seed"/> (any length).</summary>
    public DeterministicRng(ReadOnlySpan<byte> seed)
    {
        Span<byte> digest = stackalloc byte[32];
        Sha256Kernel.Hash(seed, digest);
        _s0 = BinaryPrimitives.ReadUInt64LittleEndian(digest);
        _s1 = BinaryPrimitives.ReadUInt64LittleEndian(digest[8..]);
        _s2 = BinaryPrimitives.ReadUInt64LittleEndian(digest[16..]);
        _s3 = BinaryPrimitives.ReadUInt64LittleEndian(digest[24..]);
        // xoshiro's state must not be all zero; SHA-256 output is, with probability 2^-256.
        if ((_s0 | _s1 | _s2 | _s3) == 0) _s0 = 1;
    }

    /// <summary>A stream seeded by a 64-bit value (the simulator's --seed, a node index).</summary>
    public static DeterministicRng FromSeed(ulong seed)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, seed);
        return new DeterministicRng(bytes);
    }

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform value in [0, <paramref name="bound"/>), unbiased (Lemire's multiply-and-reject).</summary>
    public ulong NextBelow(ulong bound)
    {
        if (bound == 0) throw new ArgumentOutOfRangeException(nameof(bound), "bound must be positive");
        UInt128 product = (UInt128)NextUInt64() * bound;
        ulong low = (ulong)product;
        if (low < bound)
        {
            ulong threshold = (0 - bound) % bound;
            while (low < threshold)
            {
                product = (UInt128)NextUInt64() * bound;
                low = (ulong)product;
            }
        }
        return (ulong)(product >> 64);
    }

    /// <summary>A uniform int in [0, <paramref name="bound"/>).</summary>
    public int NextInt(int bound) => (int)NextBelow((ulong)bound);

    /// <summary>True with probability <paramref name="partsPerMillion"/> / 1,000,000 (integer odds: no floating point in decisions).</summary>
    public bool Chance(uint partsPerMillion) => NextBelow(1_000_000) < partsPerMillion;

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
