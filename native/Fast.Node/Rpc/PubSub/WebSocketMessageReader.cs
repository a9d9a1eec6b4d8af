using System.Buffers.Binary;
using System.Text.Unicode;

namespace Fast.Node.Rpc.PubSub;

/// <summary>What <see cref="WebSocketMessageReader.TryRead"/> completed.</summary>
public enum WebSocketMessageKind
{
    /// <summary>A fragment was absorbed; the message is not complete yet.</summary>
    None,
    Text,
    Binary,
    Ping,
    Pong,
    Close,
}

/// <summary>
/// Turns a client's frames into messages, sans-IO: one frame per call from the start of the
/// receive buffer, unmasked in place; fragments assembled into a buffer of at most
/// <see cref="MaxMessageBytes"/> (allocated once) — a frame or message past the cap is refused with
/// <see cref="WebSocketDecodeStatus.MessageTooLarge"/> from its header alone, before its payload is
/// waited for. Control frames may arrive between fragments. Text must be UTF-8. One per connection,
/// used only by that connection's receive loop.
/// </summary>
public sealed class WebSocketMessageReader(int maxMessageBytes)
{
    private readonly byte[] _message = new byte[maxMessageBytes];
    private readonly byte[] _control = new byte[WebSocketFrameCodec.MaxControlPayload];
    private int _length;
    private int _controlLength;
    private WebSocketOpcode _openMessage = WebSocketOpcode.Continuation;

    public int MaxMessageBytes { get; } = maxMessageBytes;

    /// <summary>The receive buffer a connection needs so that any acceptable frame fits whole.</summary>
    public int ReceiveBufferBytes => MaxMessageBytes + WebSocketFrameCodec.MaxHeaderBytes;

    /// <summary>The completed text or binary message (valid until the next call).</summary>
    public ReadOnlySpan<byte> Message => _message.AsSpan(0, _length);

    /// <summary>The payload of the last ping or pong.</summary>
    public ReadOnlySpan<byte> ControlPayload => _control.AsSpan(0, _controlLength);

    /// <summary>The code of the last close frame (1005 when it carried none).</summary>
    public ushort CloseCode { get; private set; }

    /// <summary>
    /// Reads the frame at the start of <paramref name="input"/>. On <see cref="WebSocketDecodeStatus.Ok"/>
    /// <paramref name="consumed"/> bytes were used and <paramref name="kind"/> says what completed;
    /// <see cref="WebSocketDecodeStatus.NeedMore"/> consumes nothing; any other status is final for
    /// the connection (<paramref name="offset"/>: the byte in the frame that broke the rule).
    /// </summary>
    public WebSocketDecodeStatus TryRead(Span<byte> input, out int consumed, out WebSocketMessageKind kind, out int offset)
    {
        consumed = 0;
        kind = WebSocketMessageKind.None;
        if (_openMessage == WebSocketOpcode.Continuation) _length = 0; // the previous message was handed out
        long room = MaxMessageBytes - _length;
        WebSocketDecodeStatus status = WebSocketFrameCodec.TryReadHeader(input, room, requireMask: true, out WebSocketFrameHeader header, out offset);
        if (status != WebSocketDecodeStatus.Ok) return status;
        if (header.Opcode == WebSocketOpcode.Continuation && _openMessage == WebSocketOpcode.Continuation) return WebSocketDecodeStatus.UnexpectedContinuation;
        if (header.Opcode is WebSocketOpcode.Text or WebSocketOpcode.Binary && _openMessage != WebSocketOpcode.Continuation) return WebSocketDecodeStatus.ExpectedContinuation;
        long frameLength = header.HeaderLength + header.PayloadLength;
        if (input.Length < frameLength) return WebSocketDecodeStatus.NeedMore;

        Span<byte> payload = input.Slice(header.HeaderLength, (int)header.PayloadLength);
        WebSocketFrameCodec.Unmask(payload, header.MaskKey, 0);
        offset = header.HeaderLength;
        if (header.IsControl)
        {
            status = ReadControl(header.Opcode, payload, out kind);
            if (status != WebSocketDecodeStatus.Ok) return status;
            consumed = (int)frameLength;
            return status;
        }

        if (header.Opcode != WebSocketOpcode.Continuation) _openMessage = header.Opcode;
        payload.CopyTo(_message.AsSpan(_length));
        _length += payload.Length;
        consumed = (int)frameLength;
        if (!header.Fin) return WebSocketDecodeStatus.Ok;

        WebSocketOpcode opcode = _openMessage;
        _openMessage = WebSocketOpcode.Continuation;
        if (opcode == WebSocketOpcode.Text && !Utf8.IsValid(Message))
        {
            consumed = 0;
            return WebSocketDecodeStatus.InvalidUtf8;
        }
        kind = opcode == WebSocketOpcode.Text ? WebSocketMessageKind.Text : WebSocketMessageKind.Binary;
        return WebSocketDecodeStatus.Ok;
    }

    private WebSocketDecodeStatus ReadControl(WebSocketOpcode opcode, ReadOnlySpan<byte> payload, out WebSocketMessageKind kind)
    {
        kind = WebSocketMessageKind.None;
        if (opcode == WebSocketOpcode.Close)
        {
            if (payload.Length == 1) return WebSocketDecodeStatus.InvalidClosePayload;
            if (payload.Length == 0)
            {
                CloseCode = 1005; // RFC 6455 §7.1.5: no status code was present
            }
            else
            {
                ushort code = BinaryPrimitives.ReadUInt16BigEndian(payload);
                if (!WebSocketFrameCodec.IsValidCloseCode(code)) return WebSocketDecodeStatus.InvalidClosePayload;
                if (!Utf8.IsValid(payload[2..])) return WebSocketDecodeStatus.InvalidUtf8;
                CloseCode = code;
            }
            kind = WebSocketMessageKind.Close;
            return WebSocketDecodeStatus.Ok;
        }
        payload.CopyTo(_control);
        _controlLength = payload.Length;
        kind = opcode == WebSocketOpcode.Ping ? WebSocketMessageKind.Ping : WebSocketMessageKind.Pong;
        return WebSocketDecodeStatus.Ok;
    }
}
