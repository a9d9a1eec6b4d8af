using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace Fast.Core.Primitives;

/// <summary>
/// A 32-byte account address: a BIP-340 x-only secp256k1 public key, or a program/derived address.
/// Compares and hashes without allocating; prints as base58.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct Pubkey : IEquatable<Pubkey>, IComparable<Pubkey>
{
    public const int Size = 32;

    private readonly Bytes32 _bytes;

    public Pubkey(ReadOnlySpan<byte> bytes) => _bytes = new Bytes32(bytes);

    private Pubkey(Bytes32 bytes) => _bytes = bytes;

    public static Pubkey Zero => default;

    [UnscopedRef]
    public ReadOnlySpan<byte> Span => _bytes.Span;

    public bool IsZero => _bytes.IsZero;

    public void CopyTo(Span<byte> destination) => _bytes.CopyTo(destination);

    public bool Equals(Pubkey other) => _bytes.Equals(other._bytes);

    public override bool Equals(object? obj) => obj is Pubkey other && Equals(other);

    public override int GetHashCode() => _bytes.GetHashCode();

    public int CompareTo(Pubkey other) => _bytes.CompareTo(other._bytes);

    /// <summary>Base58 text, as operators and RPC clients see it.</summary>
    public override string ToString() => _bytes.ToBase58();

    public static bool TryParse(ReadOnlySpan<char> base58, out Pubkey value)
    {
        bool ok = Bytes32.TryParseBase58(base58, out Bytes32 bytes);
        value = new Pubkey(bytes);
        return ok;
    }

    public static bool operator ==(Pubkey left, Pubkey right) => left.Equals(right);
    public static bool operator !=(Pubkey left, Pubkey right) => !left.Equals(right);
    public static bool operator <(Pubkey left, Pubkey right) => left.CompareTo(right) < 0;
    public static bool operator >(Pubkey left, Pubkey right) => left.CompareTo(right) > 0;
    public static bool operator <=(Pubkey left, Pubkey right) => left.CompareTo(right) <= 0;
    public static bool operator >=(Pubkey left, Pubkey right) => left.CompareTo(right) >= 0;
}
