using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Fast.Crypto;

namespace Fast.Core.Primitives;

/// <summary>
/// A 64-byte BIP-340 Schnorr signature. A transaction's first signature is its id (what
/// getSignatureStatuses and the status cache key on). Compares and hashes without allocating.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct Signature : IEquatable<Signature>, IComparable<Signature>
{
    public const int Size = 64;

    private readonly Bytes32 _r;
    private readonly Bytes32 _s;

    public Signature(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size) ThrowHelper.ThrowLength(nameof(bytes), Size);
        _r = new Bytes32(bytes[..32]);
        _s = new Bytes32(bytes[32..]);
    }

    public static Signature Zero => default;

    [UnscopedRef]
    public ReadOnlySpan<byte> Span => MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(in this, 1));

    public bool IsZero => _r.IsZero && _s.IsZero;

    public void CopyTo(Span<byte> destination) => MemoryMarshal.Write(destination, in this);

    public bool Equals(Signature other) => _r.Equals(other._r) && _s.Equals(other._s);

    public override bool Equals(object? obj) => obj is Signature other && Equals(other);

    public override int GetHashCode() => _r.GetHashCode() ^ (_s.GetHashCode() * 31);

    public int CompareTo(Signature other)
    {
        int c = _r.CompareTo(other._r);
        return c != 0 ? c : _s.CompareTo(other._s);
    }

    public override string ToString() => Base58.Encode(Span);

    public static bool TryParse(ReadOnlySpan<char> base58, out Signature value)
    {
        Span<byte> bytes = stackalloc byte[Size];
        if (!Base58.TryDecodeExact(base58, bytes))
        {
            value = default;
            return false;
        }
        value = new Signature(bytes);
        return true;
    }

    public static bool operator ==(Signature left, Signature right) => left.Equals(right);
    public static bool operator !=(Signature left, Signature right) => !left.Equals(right);
    public static bool operator <(Signature left, Signature right) => left.CompareTo(right) < 0;
    public static bool operator >(Signature left, Signature right) => left.CompareTo(right) > 0;
    public static bool operator <=(Signature left, Signature right) => left.CompareTo(right) <= 0;
    public static bool operator >=(Signature left, Signature right) => left.CompareTo(right) >= 0;
}
