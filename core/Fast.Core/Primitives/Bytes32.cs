using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Fast.Crypto;

namespace Fast.Core.Primitives;

/// <summary>
/// 32 bytes held as four 64-bit words: the storage behind <see cref="Hash"/> and <see cref="Pubkey"/>.
/// Equality and hashing are four word compares, no allocation; ordering is lexicographic by byte.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct Bytes32 : IEquatable<Bytes32>, IComparable<Bytes32>
{
    public const int Size = 32;

    private readonly ulong _w0;
    private readonly ulong _w1;
    private readonly ulong _w2;
    private readonly ulong _w3;

    public Bytes32(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size) ThrowHelper.ThrowLength(nameof(bytes), Size);
        this = MemoryMarshal.Read<Bytes32>(bytes);
    }

    /// <summary>The bytes, in place (valid while this value is).</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> Span => MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(in this, 1));

    public bool IsZero => (_w0 | _w1 | _w2 | _w3) == 0;

    public void CopyTo(Span<byte> destination) => MemoryMarshal.Write(destination, in this);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Equals(Bytes32 other) => ((_w0 ^ other._w0) | (_w1 ^ other._w1) | (_w2 ^ other._w2) | (_w3 ^ other._w3)) == 0;

    public override bool Equals(object? obj) => obj is Bytes32 other && Equals(other);

    /// <summary>
    /// Mixes all 32 bytes with a per-process random seed (<see cref="HashCode"/>), so keys an
    /// attacker chooses to collide in part cannot flood a dictionary of accounts or locks. Never
    /// persisted and never used for ordering: nothing deterministic may depend on it.
    /// </summary>
    public override int GetHashCode() => HashCode.Combine(_w0, _w1, _w2, _w3);

    public int CompareTo(Bytes32 other)
    {
        // Little-endian words: reverse to compare in byte order.
        int c = BinaryPrimitives.ReverseEndianness(_w0).CompareTo(BinaryPrimitives.ReverseEndianness(other._w0));
        if (c != 0) return c;
        c = BinaryPrimitives.ReverseEndianness(_w1).CompareTo(BinaryPrimitives.ReverseEndianness(other._w1));
        if (c != 0) return c;
        c = BinaryPrimitives.ReverseEndianness(_w2).CompareTo(BinaryPrimitives.ReverseEndianness(other._w2));
        if (c != 0) return c;
        return BinaryPrimitives.ReverseEndianness(_w3).CompareTo(BinaryPrimitives.ReverseEndianness(other._w3));
    }

    public string ToBase58() => Base58.Encode(Span);

    public static bool TryParseBase58(ReadOnlySpan<char> text, out Bytes32 value)
    {
        Span<byte> bytes = stackalloc byte[Size];
        if (!Base58.TryDecodeExact(text, bytes))
        {
            value = default;
            return false;
        }
        value = new Bytes32(bytes);
        return true;
    }
}
