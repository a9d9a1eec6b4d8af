using System.Buffers.Binary;

namespace Fast.Node.Pipeline;

/// <summary>
/// A lossy filter of recently seen transaction signatures, so a flood of one packet costs one
/// signature check, not thousands. A fixed table of 64-bit fingerprints indexed by the signature's
/// own bits (signatures are uniformly random): a hit is a duplicate; a miss may be a forgotten
/// duplicate (later caught by the status cache). Touched by every sigverify thread without locks —
/// races only cause misses. Memory: <c>2^bits × 8</c> bytes (2^20 = 8 MiB).
/// </summary>
public sealed class SignatureDedup
{
    private readonly ulong[] _table;
    private readonly int _mask;

    public SignatureDedup(int bits = 20)
    {
        if (bits is < 4 or > 28) throw new ArgumentOutOfRangeException(nameof(bits));
        _table = new ulong[1 << bits];
        _mask = (1 << bits) - 1;
    }

    /// <summary>True when this signature was seen recently (drop it); otherwise remembers it and returns false.</summary>
    public bool IsDuplicate(ReadOnlySpan<byte> signature)
    {
        ulong fingerprint = BinaryPrimitives.ReadUInt64LittleEndian(signature) | 1; // never 0, the empty mark
        int index = (int)(BinaryPrimitives.ReadUInt64LittleEndian(signature[32..]) & (ulong)_mask);
        if (Volatile.Read(ref _table[index]) == fingerprint) return true;
        Volatile.Write(ref _table[index], fingerprint);
        return false;
    }
}
