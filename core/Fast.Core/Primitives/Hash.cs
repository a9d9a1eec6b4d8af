using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace Fast.Core.Primitives;

/// <summary>
/// A 32-byte SHA-256 value: a PoH hash, a blockhash, a bank hash, a Merkle root. Compares and hashes
/// without allocating; prints as base58.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct Hash : IEquatable<Hash>, IComparable<Hash>
{
    public const int Size = 32;

    private readonly Bytes32 _bytes;

    public Hash(ReadOnlySpan<byte> bytes) => _bytes = new Bytes32(bytes);

    private Hash(Bytes32 bytes) => _bytes = bytes;

    public static Hash Zero => default;

    [UnscopedRef]
    public ReadOnlySpan<byte> Span => _bytes.Span;

    public bool IsZero => _bytes.IsZero;

    public void CopyTo(Span<byte> destination) => _bytes.CopyTo(destination);

    public bool Equals(Hash other) => _bytes.Equals(other._bytes);

    public override bool Equals(object? obj) => obj is Hash other && Equals(other);

    public override int GetHashCode() => _bytes.GetHashCode();

    public int CompareTo(Hash other) => _bytes.CompareTo(other._bytes);

    /// <summary>Base58 text, as operators and RPC clients see it.</summary>
    public override string ToString() => _bytes.ToBase58();

    public static bool TryParse(ReadOnlySpan<char> base58, out Hash value)
    {
        bool ok = Bytes32.TryParseBase58(base58, out Bytes32 bytes);
        value = new Hash(bytes);
        return ok;
    }

    public static bool operator ==(Hash left, Hash right) => left.Equals(right);
    public static bool operator !=(Hash left, Hash right) => !left.Equals(right);
    public static bool operator <(Hash left, Hash right) => left.CompareTo(right) < 0;
    public static bool operator >(Hash left, Hash right) => left.CompareTo(right) > 0;
    public static bool operator <=(Hash left, Hash right) => left.CompareTo(right) <= 0;
    public static bool operator >=(Hash left, Hash right) => left.CompareTo(right) >= 0;

    /// <summary>sha256(data) through the SHA-NI kernel.</summary>
    public static Hash Compute(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[Size];
        Fast.Crypto.Sha256Kernel.Hash(data, digest);
        return new Hash(digest);
    }
}
