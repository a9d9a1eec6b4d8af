using Fast.Core.Codec;
using Fast.Core.Primitives;

namespace Fast.Core.Gossip;

/// <summary>The first byte of every gossip packet: what kind of message follows.</summary>
public enum GossipMessageKind : byte
{
    /// <summary>New values, sent unasked to a few peers.</summary>
    Push = 1,
    /// <summary>The requester's own value and a Bloom filter of the values it holds: "send me what I lack".</summary>
    PullRequest = 2,
    /// <summary>Values the requester's filter did not hold.</summary>
    PullResponse = 3,
    /// <summary>A token the receiver must sign back (proves the sender's address answers).</summary>
    Ping = 4,
    /// <summary>The answer to a ping: sha256 of its token, signed.</summary>
    Pong = 5,
}

/// <summary>
/// One gossip packet (≤ 1,232 bytes), read in place. The gossip machine decodes every packet with
/// <see cref="TryParse"/> before anything else; each value inside is structurally checked here, and its
/// signature, freshness and cluster are judged by the machine. Wire layout:
/// <code>
/// Push / PullResponse  u8 kind | pubkey from(32) | u8 n (1..6) | n × value(181)        ≤ 1,120 bytes
/// PullRequest          u8 kind | value(181) (the requester's own) | Bloom filter         ≤ 1,216 bytes
/// Ping                 u8 kind | pubkey from(32) | token(32)     | signature(64)         129 bytes
/// Pong                 u8 kind | pubkey from(32) | sha256(token) | signature(64)         129 bytes
/// </code>
/// Values in one message have distinct origins. A ping or pong is signed by <c>from</c> over
/// SigningDomains.Write(GossipPing, bytes[0..65)) — kind, from and token/hash — so a pong is never a
/// valid ping and a signature is bound to its signer.
/// </summary>
public readonly ref struct GossipMessageView
{
    /// <summary>Every gossip packet fits one datagram under the minimum IPv6 MTU (Solana's PACKET_DATA_SIZE).</summary>
    public const int MaxPacketLength = 1232;

    public const int KindOffset = 0;
    public const int FromOffset = 1;
    public const int ValueCountOffset = FromOffset + Pubkey.Size;
    public const int ValuesOffset = ValueCountOffset + 1;

    /// <summary>The most values a push or pull response carries: 34 + 6 × 181 = 1,120 ≤ 1,232.</summary>
    public const int MaxValuesPerMessage = (MaxPacketLength - ValuesOffset) / GossipValueView.EncodedLength;

    public const int RequesterValueOffset = 1;
    public const int FilterOffset = RequesterValueOffset + GossipValueView.EncodedLength;
    public const int MaxPullRequestLength = FilterOffset + BloomFilter.MaxEncodedLength;

    public const int TokenOffset = FromOffset + Pubkey.Size;
    public const int PingSignatureOffset = TokenOffset + Hash.Size;
    public const int PingLength = PingSignatureOffset + Signature.Size;

    /// <summary>Bytes a ping or pong signature covers: the GossipPing tag and bytes [0, 65).</summary>
    public const int PingSigningMessageLength = SigningDomains.TagSize + PingSignatureOffset;

    private GossipMessageView(ReadOnlySpan<byte> bytes, GossipMessageKind kind, int valueCount)
    {
        Bytes = bytes;
        Kind = kind;
        ValueCount = valueCount;
    }

    /// <summary>The whole packet.</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    public GossipMessageKind Kind { get; }

    /// <summary>Values in a push or pull response (1..6); 1 in a pull request (the requester's own); 0 otherwise.</summary>
    public int ValueCount { get; }

    /// <summary>The sender: the from field, or for a pull request the identity in its value.</summary>
    public Pubkey From => Kind == GossipMessageKind.PullRequest ? RequesterValue.Identity : new Pubkey(Bytes.Slice(FromOffset, Pubkey.Size));

    /// <summary>Value <paramref name="index"/> of a push or pull response (for a pull request, index 0 is the requester's value).</summary>
    public GossipValueView GetValue(int index)
    {
        if (Kind == GossipMessageKind.PullRequest) return RequesterValue;
        return GossipValueView.FromValidated(Bytes.Slice(ValuesOffset + index * GossipValueView.EncodedLength, GossipValueView.EncodedLength));
    }

    /// <summary>A pull request's own contact info.</summary>
    public GossipValueView RequesterValue => GossipValueView.FromValidated(Bytes.Slice(RequesterValueOffset, GossipValueView.EncodedLength));

    /// <summary>A pull request's filter of what the requester holds.</summary>
    public BloomFilterView Filter
    {
        get
        {
            BloomFilterView.TryParsePrefix(Bytes[FilterOffset..], out BloomFilterView filter, out _);
            return filter;
        }
    }

    /// <summary>A ping's token, or a pong's sha256 of the token it answers.</summary>
    public ReadOnlySpan<byte> Token => Bytes.Slice(TokenOffset, Hash.Size);

    /// <summary>The bytes a ping or pong signature covers (before the tag).</summary>
    public ReadOnlySpan<byte> PingSignedBytes => Bytes[..PingSignatureOffset];

    public ReadOnlySpan<byte> PingSignatureBytes => Bytes.Slice(PingSignatureOffset, Signature.Size);

    /// <summary>Writes the tagged bytes a ping's or pong's signature covers; returns their length.</summary>
    public int WritePingSigningMessage(Span<byte> destination) => SigningDomains.Write(SigningDomain.GossipPing, PingSignedBytes, destination);

    /// <summary>Parses one gossip packet. Never throws, never allocates.</summary>
    public static DecodeResult TryParse(ReadOnlySpan<byte> packet, out GossipMessageView message)
    {
        message = default;
        if (packet.Length > MaxPacketLength) return new DecodeResult(DecodeStatus.TooLarge, MaxPacketLength);
        if (packet.IsEmpty) return new DecodeResult(DecodeStatus.Truncated, KindOffset);
        var kind = (GossipMessageKind)packet[KindOffset];
        switch (kind)
        {
            case GossipMessageKind.Push:
            case GossipMessageKind.PullResponse:
                return TryParseValues(packet, kind, out message);
            case GossipMessageKind.PullRequest:
                return TryParsePullRequest(packet, out message);
            case GossipMessageKind.Ping:
            case GossipMessageKind.Pong:
                if (packet.Length < PingLength) return new DecodeResult(DecodeStatus.Truncated, packet.Length < TokenOffset ? FromOffset : packet.Length < PingSignatureOffset ? TokenOffset : PingSignatureOffset);
                if (packet.Length > PingLength) return new DecodeResult(DecodeStatus.TrailingBytes, PingLength);
                message = new GossipMessageView(packet, kind, 0);
                return DecodeResult.Success;
            default:
                return new DecodeResult(DecodeStatus.InvalidValue, KindOffset);
        }
    }

    private static DecodeResult TryParseValues(ReadOnlySpan<byte> packet, GossipMessageKind kind, out GossipMessageView message)
    {
        message = default;
        SpanReader reader = new(packet);
        reader.TrySkip(1 + Pubkey.Size);
        reader.TryReadU8(out byte count);
        if (!reader.IsOk) return reader.Result;
        if (count == 0) return new DecodeResult(DecodeStatus.InvalidValue, ValueCountOffset);
        if (count > MaxValuesPerMessage) return new DecodeResult(DecodeStatus.LengthTooLarge, ValueCountOffset);
        for (int i = 0; i < count; i++)
        {
            int at = ValuesOffset + i * GossipValueView.EncodedLength;
            DecodeResult result = GossipValueView.TryParsePrefix(packet[at..], out GossipValueView value);
            if (!result.IsOk) return new DecodeResult(result.Status, at + result.Offset);
            for (int j = 0; j < i; j++)
            {
                ReadOnlySpan<byte> earlier = packet.Slice(ValuesOffset + j * GossipValueView.EncodedLength + GossipValueView.IdentityOffset, Pubkey.Size);
                if (earlier.SequenceEqual(value.IdentityBytes)) return new DecodeResult(DecodeStatus.InvalidValue, at + GossipValueView.IdentityOffset);
            }
        }
        int end = ValuesOffset + count * GossipValueView.EncodedLength;
        if (packet.Length > end) return new DecodeResult(DecodeStatus.TrailingBytes, end);
        message = new GossipMessageView(packet, kind, count);
        return DecodeResult.Success;
    }

    private static DecodeResult TryParsePullRequest(ReadOnlySpan<byte> packet, out GossipMessageView message)
    {
        message = default;
        DecodeResult result = GossipValueView.TryParsePrefix(packet[RequesterValueOffset..], out _);
        if (!result.IsOk) return new DecodeResult(result.Status, RequesterValueOffset + result.Offset);
        result = BloomFilterView.TryParsePrefix(packet[FilterOffset..], out _, out int filterLength);
        if (!result.IsOk) return new DecodeResult(result.Status, FilterOffset + result.Offset);
        int end = FilterOffset + filterLength;
        if (packet.Length > end) return new DecodeResult(DecodeStatus.TrailingBytes, end);
        message = new GossipMessageView(packet, GossipMessageKind.PullRequest, 1);
        return DecodeResult.Success;
    }
}
