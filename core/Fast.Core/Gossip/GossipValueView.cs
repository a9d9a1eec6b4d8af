using System.Buffers.Binary;
using Fast.Core.Codec;
using Fast.Core.Primitives;

namespace Fast.Core.Gossip;

/// <summary>The kinds of signed gossip value. Only contact info exists today; the byte leaves room for more.</summary>
public enum GossipValueKind : byte
{
    ContactInfo = 1,
}

/// <summary>
/// One signed gossip value, read in place: a node's <see cref="ContactInfo"/> with its signature. The unit
/// gossip pushes, pulls and stores, keyed by its origin (the identity inside it). Wire layout (181 bytes):
/// <code>
/// 0    signature(64)        the origin's Schnorr signature over SigningDomains.Write(GossipValue, bytes[64..181))
/// 64   u8 kind = 1          contact info
/// 65   pubkey(32)           identity (the origin, the signer)
/// 97   u64 wallclock_ms     the origin's wall clock, Unix ms
/// 105  u16 shred_version
/// 107  hash(32)             genesis hash
/// 139  u16 major | u16 minor | u16 patch
/// 145  6 × endpoint(6)      gossip, tpu, tpu_forwards, tvu, repair, rpc (Ipv4Endpoint)
/// </code>
/// Decoding checks the structure only (kind, endpoints well formed, gossip endpoint given); the caller
/// verifies the signature (<see cref="WriteSigningMessage"/>) and judges freshness and cluster membership.
/// </summary>
public readonly ref struct GossipValueView
{
    public const int SignatureOffset = 0;
    public const int KindOffset = Signature.Size;
    public const int IdentityOffset = KindOffset + 1;
    public const int WallclockOffset = IdentityOffset + Pubkey.Size;
    public const int ShredVersionOffset = WallclockOffset + sizeof(ulong);
    public const int GenesisHashOffset = ShredVersionOffset + sizeof(ushort);
    public const int VersionOffset = GenesisHashOffset + Hash.Size;
    public const int EndpointsOffset = VersionOffset + 3 * sizeof(ushort);
    public const int EndpointCount = 6;
    public const int EncodedLength = EndpointsOffset + EndpointCount * Ipv4Endpoint.EncodedSize;

    /// <summary>The signed part: everything after the signature.</summary>
    public const int PayloadLength = EncodedLength - KindOffset;

    /// <summary>Bytes the origin signs: the domain tag and the payload.</summary>
    public const int SigningMessageLength = SigningDomains.TagSize + PayloadLength;

    /// <summary>Offsets of the endpoints, in wire order.</summary>
    public const int GossipOffset = EndpointsOffset;
    public const int TpuOffset = GossipOffset + Ipv4Endpoint.EncodedSize;
    public const int TpuForwardsOffset = TpuOffset + Ipv4Endpoint.EncodedSize;
    public const int TvuOffset = TpuForwardsOffset + Ipv4Endpoint.EncodedSize;
    public const int RepairOffset = TvuOffset + Ipv4Endpoint.EncodedSize;
    public const int RpcOffset = RepairOffset + Ipv4Endpoint.EncodedSize;

    private GossipValueView(ReadOnlySpan<byte> bytes) => Bytes = bytes;

    /// <summary>The whole value, exactly <see cref="EncodedLength"/> bytes.</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    public ReadOnlySpan<byte> SignatureBytes => Bytes[..Signature.Size];

    public Signature Signature => new(SignatureBytes);

    /// <summary>The signed bytes (kind onwards).</summary>
    public ReadOnlySpan<byte> Payload => Bytes[KindOffset..];

    public GossipValueKind Kind => (GossipValueKind)Bytes[KindOffset];

    public ReadOnlySpan<byte> IdentityBytes => Bytes.Slice(IdentityOffset, Pubkey.Size);

    /// <summary>The origin: whose value this is, and who signed it.</summary>
    public Pubkey Identity => new(IdentityBytes);

    public ulong WallclockMs => BinaryPrimitives.ReadUInt64LittleEndian(Bytes[WallclockOffset..]);

    public ushort ShredVersion => BinaryPrimitives.ReadUInt16LittleEndian(Bytes[ShredVersionOffset..]);

    public Hash GenesisHash => new(Bytes.Slice(GenesisHashOffset, Hash.Size));

    public SoftwareVersion Version => new(
        BinaryPrimitives.ReadUInt16LittleEndian(Bytes[VersionOffset..]),
        BinaryPrimitives.ReadUInt16LittleEndian(Bytes[(VersionOffset + 2)..]),
        BinaryPrimitives.ReadUInt16LittleEndian(Bytes[(VersionOffset + 4)..]));

    public Ipv4Endpoint Gossip => Ipv4Endpoint.Read(Bytes[GossipOffset..]);

    public Ipv4Endpoint Tpu => Ipv4Endpoint.Read(Bytes[TpuOffset..]);

    public Ipv4Endpoint TpuForwards => Ipv4Endpoint.Read(Bytes[TpuForwardsOffset..]);

    public Ipv4Endpoint Tvu => Ipv4Endpoint.Read(Bytes[TvuOffset..]);

    public Ipv4Endpoint Repair => Ipv4Endpoint.Read(Bytes[RepairOffset..]);

    public Ipv4Endpoint Rpc => Ipv4Endpoint.Read(Bytes[RpcOffset..]);

    /// <summary>Every field, as a value that outlives the buffer.</summary>
    public ContactInfo ToContactInfo() => new()
    {
        Identity = Identity,
        WallclockMs = WallclockMs,
        ShredVersion = ShredVersion,
        GenesisHash = GenesisHash,
        Version = Version,
        Gossip = Gossip,
        Tpu = Tpu,
        TpuForwards = TpuForwards,
        Tvu = Tvu,
        Repair = Repair,
        Rpc = Rpc,
    };

    /// <summary>sha256 of the whole value (signature included): what Bloom filters and pull answers name it by.</summary>
    public Hash ComputeHash() => Hash.Compute(Bytes);

    /// <summary>
    /// Writes the bytes the signature covers (<see cref="SigningMessageLength"/>: the GossipValue tag and
    /// the payload) into <paramref name="destination"/>; returns their length.
    /// </summary>
    public int WriteSigningMessage(Span<byte> destination) => SigningDomains.Write(SigningDomain.GossipValue, Payload, destination);

    /// <summary>A view over bytes already checked by <see cref="TryParse"/> (e.g. a stored value).</summary>
    public static GossipValueView FromValidated(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != EncodedLength) ThrowHelper.ThrowLength(nameof(bytes), EncodedLength);
        return new GossipValueView(bytes);
    }

    /// <summary>Parses a buffer that must hold exactly one value.</summary>
    public static DecodeResult TryParse(ReadOnlySpan<byte> buffer, out GossipValueView value)
    {
        value = default;
        DecodeResult result = TryParsePrefix(buffer, out GossipValueView parsed);
        if (!result.IsOk) return result;
        if (buffer.Length != EncodedLength) return new DecodeResult(DecodeStatus.TrailingBytes, EncodedLength);
        value = parsed;
        return DecodeResult.Success;
    }

    /// <summary>Parses the value at the start of <paramref name="buffer"/> (bytes after it are the caller's).</summary>
    public static DecodeResult TryParsePrefix(ReadOnlySpan<byte> buffer, out GossipValueView value)
    {
        value = default;
        if (buffer.Length <= KindOffset) return new DecodeResult(DecodeStatus.Truncated, buffer.Length < Signature.Size ? SignatureOffset : KindOffset);
        if (buffer[KindOffset] != (byte)GossipValueKind.ContactInfo) return new DecodeResult(DecodeStatus.InvalidValue, KindOffset);
        if (buffer.Length < EncodedLength) return new DecodeResult(DecodeStatus.Truncated, TruncatedFieldOffset(buffer.Length));
        for (int i = 0; i < EndpointCount; i++)
        {
            int at = EndpointsOffset + i * Ipv4Endpoint.EncodedSize;
            var endpoint = Ipv4Endpoint.Read(buffer[at..]);
            if (!endpoint.IsWellFormed || (at == GossipOffset && endpoint.IsUnspecified)) return new DecodeResult(DecodeStatus.InvalidValue, at);
        }
        value = new GossipValueView(buffer[..EncodedLength]);
        return DecodeResult.Success;
    }

    /// <summary>The start of the field that a value cut at <paramref name="length"/> bytes ends inside.</summary>
    private static int TruncatedFieldOffset(int length)
    {
        if (length < WallclockOffset) return IdentityOffset;
        if (length < ShredVersionOffset) return WallclockOffset;
        if (length < GenesisHashOffset) return ShredVersionOffset;
        if (length < VersionOffset) return GenesisHashOffset;
        if (length < EndpointsOffset) return VersionOffset + (length - VersionOffset) / 2 * 2;
        return EndpointsOffset + (length - EndpointsOffset) / Ipv4Endpoint.EncodedSize * Ipv4Endpoint.EncodedSize;
    }
}
