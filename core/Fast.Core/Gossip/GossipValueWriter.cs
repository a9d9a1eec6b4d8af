using Fast.Core.Codec;
using Fast.Core.Primitives;
using Fast.Crypto;

namespace Fast.Core.Gossip;

/// <summary>
/// Encodes signed contact-info gossip values (the mirror of <see cref="GossipValueView"/>), zero
/// allocation. The machine signs through its own signer: it writes the value with
/// <see cref="WriteUnsigned"/>, builds the message with <see cref="WriteSigningMessage"/>, and signs into
/// the first 64 bytes. A contact info the format forbids (a half-zero endpoint, no gossip endpoint) is a
/// bug in the caller and throws.
/// </summary>
public static class GossipValueWriter
{
    /// <summary>Writes a whole value with a signature made elsewhere.</summary>
    public static void Write(ref SpanWriter writer, in ContactInfo info, in Signature signature)
    {
        Check(info);
        writer.WriteSignature(signature);
        WritePayload(ref writer, info);
    }

    /// <summary>Writes <paramref name="info"/> as a value with a zero signature into <paramref name="destination"/> (≥ 181 bytes); returns 181.</summary>
    public static int WriteUnsigned(Span<byte> destination, in ContactInfo info)
    {
        Check(info);
        if (destination.Length < GossipValueView.EncodedLength) ThrowHelper.ThrowArgument(nameof(destination), "shorter than a gossip value");
        destination[..Signature.Size].Clear();
        SpanWriter writer = new(destination[Signature.Size..]);
        WritePayload(ref writer, info);
        return GossipValueView.EncodedLength;
    }

    /// <summary>The bytes a value's signature covers, from the value's bytes (signature ignored); returns their length.</summary>
    public static int WriteSigningMessage(ReadOnlySpan<byte> value, Span<byte> destination) =>
        SigningDomains.Write(SigningDomain.GossipValue, value[GossipValueView.KindOffset..GossipValueView.EncodedLength], destination);

    /// <summary>Writes and signs <paramref name="info"/> with <paramref name="origin"/>'s key (tests, tools); returns 181.</summary>
    public static int WriteSigned(Span<byte> destination, Keypair origin, in ContactInfo info)
    {
        if (!origin.PublicKey.SequenceEqual(info.Identity.Span)) ThrowHelper.ThrowArgument(nameof(origin), "is not the contact info's identity");
        int length = WriteUnsigned(destination, info);
        Span<byte> message = stackalloc byte[GossipValueView.SigningMessageLength];
        WriteSigningMessage(destination, message);
        origin.Sign(message, destination[..Signature.Size]);
        return length;
    }

    private static void WritePayload(ref SpanWriter writer, in ContactInfo info)
    {
        writer.WriteU8((byte)GossipValueKind.ContactInfo);
        writer.WritePubkey(info.Identity);
        writer.WriteU64(info.WallclockMs);
        writer.WriteU16(info.ShredVersion);
        writer.WriteHash(info.GenesisHash);
        writer.WriteU16(info.Version.Major);
        writer.WriteU16(info.Version.Minor);
        writer.WriteU16(info.Version.Patch);
        WriteEndpoint(ref writer, info.Gossip);
        WriteEndpoint(ref writer, info.Tpu);
        WriteEndpoint(ref writer, info.TpuForwards);
        WriteEndpoint(ref writer, info.Tvu);
        WriteEndpoint(ref writer, info.Repair);
        WriteEndpoint(ref writer, info.Rpc);
    }

    private static void WriteEndpoint(ref SpanWriter writer, Ipv4Endpoint endpoint)
    {
        Span<byte> slot = writer.Advance(Ipv4Endpoint.EncodedSize);
        if (!slot.IsEmpty) endpoint.Write(slot);
    }

    private static void Check(in ContactInfo info)
    {
        if (info.Gossip.IsUnspecified) ThrowHelper.ThrowArgument(nameof(info), "a contact info needs a gossip endpoint");
        if (!info.Gossip.IsWellFormed || !info.Tpu.IsWellFormed || !info.TpuForwards.IsWellFormed || !info.Tvu.IsWellFormed
            || !info.Repair.IsWellFormed || !info.Rpc.IsWellFormed)
        {
            ThrowHelper.ThrowArgument(nameof(info), "an endpoint has a zero address or a zero port, but not both");
        }
    }
}
