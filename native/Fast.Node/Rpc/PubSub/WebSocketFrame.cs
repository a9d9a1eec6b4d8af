using System.Buffers.Binary;

namespace Fast.Node.Rpc.PubSub;

/// <summary>RFC 6455 §5.2 frame opcodes (the ones a peer may send; every other value is refused).</summary>
public enum WebSocketOpcode : byte
{
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
}

/// <summary>
/// Why a client's bytes are not an acceptable WebSocket frame or message. Everything but
/// <see cref="Ok"/> and <see cref="NeedMore"/> closes the connection with <see cref="WebSocketFrameCodec.CloseCodeFor"/>.
/// </summary>
public enum WebSocketDecodeStatus
{
    Ok,

    /// <summary>The frame is not complete yet: read more bytes (not an error).</summary>
    NeedMore,

    /// <summary>RSV1-3 set: no extension was negotiated.</summary>
    ReservedBitsSet,

    /// <summary>Opcode 3-7 or 0xB-0xF.</summary>
    UnknownOpcode,

    /// <summary>A client frame without the mask bit (RFC 6455 §5.1: the server must close).</summary>
    NotMasked,

    /// <summary>A ping, pong or close with more than 125 bytes of payload.</summary>
    ControlFrameTooLong,

    /// <summary>A ping, pong or close without FIN.</summary>
    ControlFrameFragmented,

    /// <summary>A 16- or 64-bit length that fits a shorter form, or a 64-bit length with its top bit set.</summary>
    NonMinimalLength,

    /// <summary>A frame, or a message assembled from fragments, larger than the reader's cap (close 1009).</summary>
    MessageTooLarge,

    /// <summary>A continuation frame with no message started.</summary>
    UnexpectedContinuation,

    /// <summary>A new text or binary frame while a fragmented message is still open.</summary>
    ExpectedContinuation,

    /// <summary>A text message or close reason that is not UTF-8 (close 1007).</summary>
    InvalidUtf8,

    /// <summary>A close payload of one byte, or a close code a peer may not send.</summary>
    InvalidClosePayload,
}

/// <summary>A decoded frame header: the payload follows at <see cref="HeaderLength"/>.</summary>
public readonly record struct WebSocketFrameHeader(bool Fin, WebSocketOpcode Opcode, bool Masked, uint MaskKey, long PayloadLength, int HeaderLength)
{
    public bool IsControl => ((byte)Opcode & 0x8) != 0;
}

/// <summary>
/// RFC 6455 frame codec, sans-IO: reads one frame header from bytes a client sent (refusing every
/// form the RFC forbids, never reading past the input, never allocating), unmasks payloads, and
/// writes the server's unmasked frames. The PubSub connection (<see cref="PubSubConnection"/>) feeds
/// it; <see cref="WebSocketMessageReader"/> assembles fragments into messages.
/// </summary>
public static class WebSocketFrameCodec
{
    /// <summary>Longest header: 2 bytes, 8 of extended length, 4 of mask.</summary>
    public const int MaxHeaderBytes = 14;

    /// <summary>Control frames carry at most this much (RFC 6455 §5.5).</summary>
    public const int MaxControlPayload = 125;

    /// <summary>
    /// Reads the frame header at the start of <paramref name="input"/>. <see cref="WebSocketDecodeStatus.NeedMore"/>
    /// when the header is not all there; on an error <paramref name="offset"/> is the byte that broke a rule.
    /// The payload length is checked against <paramref name="maxPayload"/> before anything is sized from it.
    /// </summary>
    public static WebSocketDecodeStatus TryReadHeader(ReadOnlySpan<byte> input, long maxPayload, bool requireMask, out WebSocketFrameHeader header, out int offset)
    {
        header = default;
        offset = 0;
        if (input.Length < 2) return WebSocketDecodeStatus.NeedMore;
        byte first = input[0];
        byte second = input[1];
        if ((first & 0x70) != 0) return WebSocketDecodeStatus.ReservedBitsSet;
        var opcode = (WebSocketOpcode)(first & 0x0F);
        if (opcode is not (WebSocketOpcode.Continuation or WebSocketOpcode.Text or WebSocketOpcode.Binary or WebSocketOpcode.Close or WebSocketOpcode.Ping or WebSocketOpcode.Pong))
        {
            return WebSocketDecodeStatus.UnknownOpcode;
        }
        bool fin = (first & 0x80) != 0;
        bool control = ((byte)opcode & 0x8) != 0;
        if (control && !fin) return WebSocketDecodeStatus.ControlFrameFragmented;
        offset = 1;
        bool masked = (second & 0x80) != 0;
        if (requireMask && !masked) return WebSocketDecodeStatus.NotMasked;
        int length7 = second & 0x7F;
        if (control && length7 > MaxControlPayload) return WebSocketDecodeStatus.ControlFrameTooLong;

        int position = 2;
        long length;
        if (length7 == 126)
        {
            if (input.Length < 4) return NeedMore(out offset);
            length = BinaryPrimitives.ReadUInt16BigEndian(input[2..]);
            if (length < 126) return WebSocketDecodeStatus.NonMinimalLength;
            position = 4;
        }
        else if (length7 == 127)
        {
            if (input.Length < 10) return NeedMore(out offset);
            ulong length64 = BinaryPrimitives.ReadUInt64BigEndian(input[2..]);
            if (length64 > long.MaxValue || length64 <= ushort.MaxValue) return WebSocketDecodeStatus.NonMinimalLength;
            length = (long)length64;
            position = 10;
        }
        else
        {
            length = length7;
        }
        if (length > maxPayload)
        {
            offset = 1;
            return WebSocketDecodeStatus.MessageTooLarge;
        }
        uint mask = 0;
        if (masked)
        {
            if (input.Length < position + 4) return NeedMore(out offset);
            mask = BinaryPrimitives.ReadUInt32BigEndian(input[position..]);
            position += 4;
        }
        offset = 0;
        header = new WebSocketFrameHeader(fin, opcode, masked, mask, length, position);
        return WebSocketDecodeStatus.Ok;
    }

    private static WebSocketDecodeStatus NeedMore(out int offset)
    {
        offset = 0;
        return WebSocketDecodeStatus.NeedMore;
    }

    /// <summary>XORs <paramref name="payload"/> with the mask, starting <paramref name="position"/> bytes into the frame's payload.</summary>
    public static void Unmask(Span<byte> payload, uint maskKey, long position)
    {
        Span<byte> key = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(key, maskKey);
        int shift = (int)(position & 3);
        int i = 0;
        // Four bytes at a time with the mask rotated to this position, then the tail.
        if (payload.Length >= 8)
        {
            Span<byte> rotated = stackalloc byte[4];
            for (int k = 0; k < 4; k++) rotated[k] = key[(k + shift) & 3];
            uint word = BitConverter.ToUInt32(rotated);
            for (; i + 4 <= payload.Length; i += 4)
            {
                Span<byte> chunk = payload.Slice(i, 4);
                BitConverter.TryWriteBytes(chunk, BitConverter.ToUInt32(chunk) ^ word);
            }
        }
        for (; i < payload.Length; i++) payload[i] ^= key[(i + shift) & 3];
    }

    /// <summary>The length of the header <see cref="WriteHeader"/> writes for a server frame of <paramref name="payloadLength"/> bytes.</summary>
    public static int HeaderLength(long payloadLength) => payloadLength < 126 ? 2 : payloadLength <= ushort.MaxValue ? 4 : 10;

    /// <summary>Writes a server (unmasked, FIN) frame header; returns its length.</summary>
    public static int WriteHeader(Span<byte> destination, WebSocketOpcode opcode, long payloadLength)
    {
        destination[0] = (byte)(0x80 | (byte)opcode);
        if (payloadLength < 126)
        {
            destination[1] = (byte)payloadLength;
            return 2;
        }
        if (payloadLength <= ushort.MaxValue)
        {
            destination[1] = 126;
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payloadLength);
            return 4;
        }
        destination[1] = 127;
        BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)payloadLength);
        return 10;
    }

    /// <summary>A whole close frame (status code, no reason) for the server to send.</summary>
    public static byte[] CloseFrame(ushort code)
    {
        byte[] frame = new byte[4];
        WriteHeader(frame, WebSocketOpcode.Close, 2);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), code);
        return frame;
    }

    /// <summary>The close code that answers a refused input (RFC 6455 §7.4.1).</summary>
    public static ushort CloseCodeFor(WebSocketDecodeStatus status) => status switch
    {
        WebSocketDecodeStatus.MessageTooLarge => CloseCodes.MessageTooBig,
        WebSocketDecodeStatus.InvalidUtf8 => CloseCodes.InvalidPayload,
        _ => CloseCodes.ProtocolError,
    };

    /// <summary>True for a close code a peer may put on the wire (RFC 6455 §7.4).</summary>
    public static bool IsValidCloseCode(ushort code) =>
        code is >= 1000 and <= 1003 or >= 1007 and <= 1011 or >= 3000 and <= 4999;
}

/// <summary>RFC 6455 §7.4.1 status codes the server uses.</summary>
public static class CloseCodes
{
    public const ushort Normal = 1000;
    public const ushort GoingAway = 1001;
    public const ushort ProtocolError = 1002;
    public const ushort InvalidPayload = 1007;
    public const ushort PolicyViolation = 1008;
    public const ushort MessageTooBig = 1009;
    public const ushort InternalError = 1011;
}
