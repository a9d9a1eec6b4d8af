using System.Buffers.Binary;

namespace Fast.Core.Gossip;

/// <summary>
/// An IPv4 address and port as gossip contact info carries them: 6 bytes on the wire, the address
/// big-endian (network order, as dotted notation reads) and the port little-endian — the same bytes as
/// Fast.Validator's <c>PeerAddress.Write</c>, which the machines convert to and from. All zero means
/// "not offered" (a node without RPC, say); otherwise both the address and the port are non-zero, so
/// every 6-byte string decodes to at most one endpoint and re-encodes to itself.
/// </summary>
public readonly record struct Ipv4Endpoint(uint Ipv4, ushort Port) : IComparable<Ipv4Endpoint>
{
    public const int EncodedSize = 6;

    public static Ipv4Endpoint Unspecified => default;

    /// <summary>The endpoint from the four octets of dotted notation, most significant first.</summary>
    public static Ipv4Endpoint FromOctets(byte a, byte b, byte c, byte d, ushort port) =>
        new((uint)(a << 24 | b << 16 | c << 8 | d), port);

    public bool IsUnspecified => Ipv4 == 0 && Port == 0;

    /// <summary>Both parts zero (unspecified) or both non-zero: the only forms the wire accepts.</summary>
    public bool IsWellFormed => (Ipv4 == 0) == (Port == 0);

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, Ipv4);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], Port);
    }

    /// <summary>Reads 6 bytes (the caller checks the length and <see cref="IsWellFormed"/>).</summary>
    public static Ipv4Endpoint Read(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadUInt32BigEndian(source), BinaryPrimitives.ReadUInt16LittleEndian(source[4..]));

    public int CompareTo(Ipv4Endpoint other)
    {
        int c = Ipv4.CompareTo(other.Ipv4);
        return c != 0 ? c : Port.CompareTo(other.Port);
    }

    public override string ToString() => $"{Ipv4 >> 24}.{(Ipv4 >> 16) & 0xFF}.{(Ipv4 >> 8) & 0xFF}.{Ipv4 & 0xFF}:{Port}";
}
