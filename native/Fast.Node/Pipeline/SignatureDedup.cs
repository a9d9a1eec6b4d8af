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
/// <para>A mark ages out after <see cref="MaxAgeSeconds"/> (as Agave resets its deduper every 2 s):
/// a client's or an RPC node's retry of a transaction that a leader saw and then lost — its slot
/// ended under it, and the next leader already had the bytes — must reach that leader again. A flood
/// of one packet still costs one signature check per packet per couple of seconds.</para>
/// </summary>
public sealed class SignatureDedup
{
    private const ulong Multiplier = 0x9E3779B97F4A7C15;

    /// <summary>How long a mark lasts: 2 to 3 s (whole seconds of <see cref="Environment.TickCount64"/>).</summary>
    public const int MaxAgeSeconds = 2;

    private const ulong GenerationMask = 0xFFFE; // bits 1..15 of a mark: the second it was made, mod 2^15
    private const ulong KeyMask = ~0xFFFFUL;

    private readonly ulong[] _table;
    private readonly int _mask;
    private readonly ulong _seed;
    private readonly Func<long> _milliseconds;

    /// <param name="bits">log2 of the table's entries.</param>
    /// <param name="milliseconds">The clock marks age by (tests pass their own); <see cref="Environment.TickCount64"/> by default.</param>
    public SignatureDedup(int bits = 20, Func<long>? milliseconds = null)
    {
        _milliseconds = milliseconds ?? (static () => Environment.TickCount64);
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
        ulong generation = ((ulong)(_milliseconds() / 1000) << 1) & GenerationMask;
        fingerprint = new PacketFingerprint((int)((key * Multiplier) >> 32) & _mask, (key & KeyMask) | generation | 1); // never 0, the empty mark
        return IsRemembered(fingerprint);
    }

    /// <summary>
    /// True when the packet <paramref name="fingerprint"/> came from has been remembered since
    /// (a batch checks this before forwarding, so two copies in one batch pass only once).
    /// </summary>
    public bool IsRemembered(in PacketFingerprint fingerprint)
    {
        ulong mark = Volatile.Read(ref _table[fingerprint.Index]);
        if ((mark & KeyMask) != (fingerprint.Value & KeyMask) || mark == 0) return false;
        ulong age = (((fingerprint.Value & GenerationMask) - (mark & GenerationMask)) & GenerationMask) >> 1; // seconds, mod 2^15
        return age <= MaxAgeSeconds;
    }

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
