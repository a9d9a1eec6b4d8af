using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace Fast.Node.Pipeline;

/// <summary>
/// A lossy filter of recently seen packets, so a flood of one packet costs one signature check,
/// not thousands. A packet is remembered only once it was forwarded (or failed its signature check),
/// never when a full queue dropped it: the client's retry of the same bytes must go through. Keyed by a per-process seeded 64-bit hash of the whole packet: a forged copy with
/// a corrupted signature, or a real signature pasted onto other bytes, is a different packet and
/// cannot poison the filter against the genuine transaction (keying on the signature alone would
/// let anyone censor a transaction by sending a broken copy first). A fixed table of fingerprints:
/// a hit is a duplicate; a miss may be a forgotten duplicate (the status cache catches it later).
/// Touched by every sigverify thread without locks — races only cause misses.
/// Memory: <c>2^bits × 8</c> bytes (2^20 = 8 MiB).
/// </summary>
public sealed class SignatureDedup
{
    private const ulong Multiplier = 0x9E3779B97F4A7C15;

    private readonly ulong[] _table;
    private readonly int _mask;
    private readonly ulong _seed;

    public SignatureDedup(int bits = 20)
    {
        if (bits is < 4 or > 28) throw new ArgumentOutOfRangeException(nameof(bits));
        _table = new ulong[1 << bits];
        _mask = (1 << bits) - 1;
        Span<byte> seed = stackalloc byte[8];
        RandomNumberGenerator.Fill(seed);
        _seed = BinaryPrimitives.ReadUInt64LittleEndian(seed) | 1;
    }

    /// <summary>
    /// True when this exact packet was seen recently (drop it). Does not remember it: the caller
    /// calls <see cref="Remember"/> with <paramref name="fingerprint"/> once the packet's fate is
    /// final (forwarded, or its signature is invalid — a deterministic verdict), so a packet dropped
    /// for a transient reason (a full queue) can be sent again.
    /// </summary>
    public bool IsDuplicate(ReadOnlySpan<byte> packet, out PacketFingerprint fingerprint)
    {
        ulong key = Hash(packet);
        fingerprint = new PacketFingerprint((int)((key * Multiplier) >> 32) & _mask, key | 1); // never 0, the empty mark
        return Volatile.Read(ref _table[fingerprint.Index]) == fingerprint.Value;
    }

    /// <summary>
    /// True when the packet <paramref name="fingerprint"/> came from has been remembered since
    /// (a batch checks this before forwarding, so two copies in one batch pass only once).
    /// </summary>
    public bool IsRemembered(in PacketFingerprint fingerprint) => Volatile.Read(ref _table[fingerprint.Index]) == fingerprint.Value;

    /// <summary>Marks the packet <paramref name="fingerprint"/> came from as seen.</summary>
    public void Remember(in PacketFingerprint fingerprint) => Volatile.Write(ref _table[fingerprint.Index], fingerprint.Value);

    /// <summary>A seeded multiply-rotate hash over 8-byte words (not cryptographic; the seed keeps collisions out of an attacker's reach).</summary>
    private ulong Hash(ReadOnlySpan<byte> data)
    {
        ulong h = _seed ^ ((ulong)data.Length * Multiplier);
        int i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            ulong w = BinaryPrimitives.ReadUInt64LittleEndian(data[i..]);
            h = BitOperations.RotateLeft((h ^ w) * Multiplier, 31) ^ _seed;
        }
        ulong tail = 0;
        for (int shift = 0; i < data.Length; i++, shift += 8) tail |= (ulong)data[i] << shift;
        h = BitOperations.RotateLeft((h ^ tail) * Multiplier, 31);
        h ^= h >> 29;
        h *= Multiplier;
        return h ^ (h >> 32);
    }
}

/// <summary>Where a packet sits in <see cref="SignatureDedup"/>'s table and the mark it leaves there.</summary>
public readonly record struct PacketFingerprint(int Index, ulong Value);
