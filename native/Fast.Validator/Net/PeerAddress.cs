using System.Buffers.Binary;

namespace Fast.Validator.Net;

/// <summary>
/// Where a packet came from or goes to: an IPv4 address and a UDP/TCP port, 6 bytes on the wire
/// (gossip contact info carries them). A value type, so machines name peers without allocating;
/// Fast.Node maps it to a socket address, the simulator to a virtual node. IPv4 only for now:
/// loopback, network namespaces and the simulator are all IPv4 (IPv6 would widen the wire form).
/// </summary>
public readonly record struct PeerAddress(uint Ipv4, ushort Port) : IComparable<PeerAddress>
{
    public const int EncodedSize = 6;

    /// <summary>The address as the four octets of dotted notation, most significant first.</summary>
    public static PeerAddress FromOctets(byte a, byte b, byte c, byte d, ushort port) =>
        new((uint)(a << 24 | b << 16 | c << 8 | d), port);

    public bool IsUnspecified => Ipv4 == 0 && Port == 0;

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, Ipv4);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], Port);
    }

    public static PeerAddress Read(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadUInt32BigEndian(source), BinaryPrimitives.ReadUInt16LittleEndian(source[4..]));

    public int CompareTo(PeerAddress other)
    {
        int c = Ipv4.CompareTo(other.Ipv4);
        return c != 0 ? c : Port.CompareTo(other.Port);
    }

    public override string ToString() => $"{Ipv4 >> 24}.{(Ipv4 >> 16) & 0xFF}.{(Ipv4 >> 8) & 0xFF}.{Ipv4 & 0xFF}:{Port}";
}
