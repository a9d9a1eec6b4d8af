using Fast.Core.Codec;
using Fast.Core.Primitives;

namespace Fast.Core.Gossip;

/// <summary>
/// Encodes gossip packets (the mirror of <see cref="GossipMessageView"/>), zero allocation. Values are
/// copied in as their signed bytes (the machine stores them that way); pings and pongs are written with a
/// zero signature, then signed over <see cref="WritePingSigningMessage"/>. A count outside the format's
/// bounds is a bug in the caller and throws.
/// </summary>
public static class GossipMessageWriter
{
    /// <summary>The size of a push or pull response carrying <paramref name="valueCount"/> values.</summary>
    public static int ValuesMessageLength(int valueCount) => GossipMessageView.ValuesOffset + valueCount * GossipValueView.EncodedLength;

    /// <summary>Writes a push's or pull response's header; the caller then writes exactly <paramref name="valueCount"/> values.</summary>
    public static void WriteValuesHeader(ref SpanWriter writer, GossipMessageKind kind, in Pubkey from, int valueCount)
    {
        if (kind is not (GossipMessageKind.Push or GossipMessageKind.PullResponse)) ThrowHelper.ThrowArgument(nameof(kind), "push or pull response");
        if (valueCount < 1 || valueCount > GossipMessageView.MaxValuesPerMessage) ThrowHelper.ThrowArgument(nameof(valueCount), "1..6 values");
        writer.WriteU8((byte)kind);
        writer.WritePubkey(from);
        writer.WriteU8((byte)valueCount);
    }

    /// <summary>Writes a value's bytes (already signed) into a push or pull response.</summary>
    public static void WriteValue(ref SpanWriter writer, ReadOnlySpan<byte> value)
    {
        if (value.Length != GossipValueView.EncodedLength) ThrowHelper.ThrowLength(nameof(value), GossipValueView.EncodedLength);
        writer.WriteBytes(value);
    }

    /// <summary>Writes a pull request: the requester's own signed value and its filter.</summary>
    public static void WritePullRequest(ref SpanWriter writer, ReadOnlySpan<byte> requesterValue, BloomFilter filter)
    {
        writer.WriteU8((byte)GossipMessageKind.PullRequest);
        WriteValue(ref writer, requesterValue);
        filter.Write(ref writer);
    }

    /// <summary>Writes a Bloom filter's header; the caller then writes <paramref name="wordCount"/> u64 words.</summary>
    public static void WriteFilterHeader(ref SpanWriter writer, int hashCount, ulong salt, int wordCount)
    {
        if (hashCount < 1 || hashCount > BloomFilter.MaxHashCount) ThrowHelper.ThrowArgument(nameof(hashCount), "1..8 hash functions");
        if (wordCount < 1 || wordCount > BloomFilter.MaxWords) ThrowHelper.ThrowArgument(nameof(wordCount), "1..128 words");
        writer.WriteU8((byte)hashCount);
        writer.WriteU64(salt);
        writer.WriteU8((byte)wordCount);
    }

    /// <summary>
    /// Writes a ping (<paramref name="token"/>) or pong (sha256 of the ping's token) with a zero signature
    /// into <paramref name="destination"/>; returns 129. Sign <see cref="WritePingSigningMessage"/> into
    /// <see cref="PingSignature"/>.
    /// </summary>
    public static int WritePingUnsigned(Span<byte> destination, GossipMessageKind kind, in Pubkey from, ReadOnlySpan<byte> token)
    {
        if (kind is not (GossipMessageKind.Ping or GossipMessageKind.Pong)) ThrowHelper.ThrowArgument(nameof(kind), "ping or pong");
        if (token.Length != Hash.Size) ThrowHelper.ThrowLength(nameof(token), Hash.Size);
        if (destination.Length < GossipMessageView.PingLength) ThrowHelper.ThrowArgument(nameof(destination), "shorter than a ping");
        destination[0] = (byte)kind;
        from.CopyTo(destination[GossipMessageView.FromOffset..]);
        token.CopyTo(destination[GossipMessageView.TokenOffset..]);
        destination.Slice(GossipMessageView.PingSignatureOffset, Signature.Size).Clear();
        return GossipMessageView.PingLength;
    }

    /// <summary>Writes a whole ping or pong with a signature made elsewhere.</summary>
    public static void WritePing(ref SpanWriter writer, GossipMessageKind kind, in Pubkey from, ReadOnlySpan<byte> token, ReadOnlySpan<byte> signature)
    {
        Span<byte> slot = writer.Advance(GossipMessageView.PingLength);
        if (slot.IsEmpty) return;
        WritePingUnsigned(slot, kind, from, token);
        signature.CopyTo(PingSignature(slot));
    }

    /// <summary>The signature field of a ping or pong being written.</summary>
    public static Span<byte> PingSignature(Span<byte> message) => message.Slice(GossipMessageView.PingSignatureOffset, Signature.Size);

    /// <summary>The tagged bytes a ping's or pong's signature covers, from the message's bytes; returns their length.</summary>
    public static int WritePingSigningMessage(ReadOnlySpan<byte> message, Span<byte> destination) =>
        SigningDomains.Write(SigningDomain.GossipPing, message[..GossipMessageView.PingSignatureOffset], destination);
}
