using System.Buffers.Binary;
using Fast.Core.Codec;
using Fast.Core.Primitives;

namespace Fast.Core.Repair;

/// <summary>What a repair request asks for.</summary>
public enum RepairKind : byte
{
    /// <summary>The data shred (slot, index).</summary>
    Shred = 1,

    /// <summary>The highest data shred of the slot the server holds, if its index is at least the one given (finds a block's end).</summary>
    HighestShred = 2,

    /// <summary>The highest data shred of a slot the requester holds a child of but not the block (its parent offset walks the chain back).</summary>
    Orphan = 3,
}

/// <summary>
/// A signed request for one shred from a peer's Blockstore (issue 11 item 7). Fixed 256 bytes, so
/// the answer — one shred and the 4-byte nonce, at most 1,232 bytes — is under 5× the request: a
/// forged source address cannot turn a node into a large amplifier. Names its recipient, so a request
/// cannot be replayed to another node. The signature covers
/// <c>SigningDomains.Write(RepairRequest, bytes 64..256)</c>.
/// <code>
/// 0    signature(64)
/// 64   u8 kind (1 shred, 2 highest shred, 3 orphan)
/// 65   pubkey requester(32)
/// 97   pubkey recipient(32)
/// 129  u64 slot
/// 137  u32 shred index   (0 for orphan)
/// 141  u32 nonce         (echoed after the shred in the response)
/// 145  111 zero bytes    (padding; anything else is non-canonical)
/// </code>
/// </summary>
public readonly ref struct RepairRequestView
{
    public const int Size = 256;
    public const int SignedOffset = 64;
    private const int KindOffset = 64, RequesterOffset = 65, RecipientOffset = 97, SlotOffset = 129, IndexOffset = 137, NonceOffset = 141, PaddingOffset = 145;

    private RepairRequestView(ReadOnlySpan<byte> bytes) => Bytes = bytes;

    public ReadOnlySpan<byte> Bytes { get; }
    public ReadOnlySpan<byte> Signature => Bytes[..Primitives.Signature.Size];
    public RepairKind Kind => (RepairKind)Bytes[KindOffset];
    public Pubkey Requester => new(Bytes.Slice(RequesterOffset, Pubkey.Size));
    public Pubkey Recipient => new(Bytes.Slice(RecipientOffset, Pubkey.Size));
    public ulong Slot => BinaryPrimitives.ReadUInt64LittleEndian(Bytes[SlotOffset..]);
    public uint Index => BinaryPrimitives.ReadUInt32LittleEndian(Bytes[IndexOffset..]);
    public uint Nonce => BinaryPrimitives.ReadUInt32LittleEndian(Bytes[NonceOffset..]);

    /// <summary>The bytes the signature covers, after the domain tag.</summary>
    public ReadOnlySpan<byte> SignedPayload => Bytes[SignedOffset..];

    public static DecodeResult TryParse(ReadOnlySpan<byte> buffer, out RepairRequestView request)
    {
        request = default;
        if (buffer.Length < Size) return new DecodeResult(DecodeStatus.Truncated, buffer.Length);
        if (buffer.Length > Size) return new DecodeResult(DecodeStatus.TrailingBytes, Size);
        byte kind = buffer[KindOffset];
        if (kind is < (byte)RepairKind.Shred or > (byte)RepairKind.Orphan) return new DecodeResult(DecodeStatus.InvalidValue, KindOffset);
        if (kind == (byte)RepairKind.Orphan && BinaryPrimitives.ReadUInt32LittleEndian(buffer[IndexOffset..]) != 0) return new DecodeResult(DecodeStatus.InvalidValue, IndexOffset);
        int nonZero = buffer[PaddingOffset..].IndexOfAnyExcept((byte)0);
        if (nonZero >= 0) return new DecodeResult(DecodeStatus.InvalidValue, PaddingOffset + nonZero);
        request = new RepairRequestView(buffer);
        return DecodeResult.Success;
    }
}

/// <summary>Writes repair requests (<see cref="RepairRequestView"/> has the layout) and reads responses.</summary>
public static class RepairWire
{
    public const int NonceSize = 4;

    /// <summary>Writes an unsigned request into <paramref name="destination"/> (256 bytes); sign bytes 64.. with <see cref="SigningDomain.RepairRequest"/> and put the signature first.</summary>
    public static void WriteUnsigned(Span<byte> destination, RepairKind kind, in Pubkey requester, in Pubkey recipient, ulong slot, uint index, uint nonce)
    {
        Span<byte> d = destination[..RepairRequestView.Size];
        d.Clear();
        d[64] = (byte)kind;
        requester.CopyTo(d.Slice(65, Pubkey.Size));
        recipient.CopyTo(d.Slice(97, Pubkey.Size));
        BinaryPrimitives.WriteUInt64LittleEndian(d[129..], slot);
        BinaryPrimitives.WriteUInt32LittleEndian(d[137..], kind == RepairKind.Orphan ? 0 : index);
        BinaryPrimitives.WriteUInt32LittleEndian(d[141..], nonce);
    }

    /// <summary>A response is a shred followed by the request's nonce: splits them (false when too short to hold a nonce).</summary>
    public static bool TrySplitResponse(ReadOnlySpan<byte> packet, out ReadOnlySpan<byte> shred, out uint nonce)
    {
        shred = default;
        nonce = 0;
        if (packet.Length <= NonceSize) return false;
        shred = packet[..^NonceSize];
        nonce = BinaryPrimitives.ReadUInt32LittleEndian(packet[^NonceSize..]);
        return true;
    }
}
