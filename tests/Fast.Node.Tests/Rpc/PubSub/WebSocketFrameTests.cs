using System.Buffers.Binary;
using System.Text;
using Fast.Node.Rpc.PubSub;
using Xunit;

namespace Fast.Node.Tests.Rpc.PubSub;

/// <summary>
/// The RFC 6455 frame codec and message reader on hostile input: every form the RFC forbids is
/// refused with its own status (and the close code that answers it), oversized frames are refused
/// from the header alone, fragments assemble within the cap, and no input — truncated, random — makes
/// the reader throw or consume bytes it was not given.
/// </summary>
public class WebSocketFrameTests
{
    private const int Cap = 1024;

    /// <summary>A client frame: masked with <paramref name="mask"/>, the length in its shortest form unless <paramref name="lengthForm"/> forces 126/127.</summary>
    internal static byte[] ClientFrame(WebSocketOpcode opcode, ReadOnlySpan<byte> payload, bool fin = true, uint? mask = 0x37FA213Du, byte rsv = 0, int lengthForm = 0)
    {
        List<byte> frame = [(byte)((fin ? 0x80 : 0) | rsv << 4 | (byte)opcode)];
        byte maskBit = mask is null ? (byte)0 : (byte)0x80;
        int form = lengthForm != 0 ? lengthForm : payload.Length < 126 ? 0 : payload.Length <= ushort.MaxValue ? 126 : 127;
        if (form == 0)
        {
            frame.Add((byte)(maskBit | payload.Length));
        }
        else if (form == 126)
        {
            frame.Add((byte)(maskBit | 126));
            frame.Add((byte)(payload.Length >> 8));
            frame.Add((byte)payload.Length);
        }
        else
        {
            frame.Add((byte)(maskBit | 127));
            byte[] length = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(length, (ulong)payload.Length);
            frame.AddRange(length);
        }
        byte[] body = payload.ToArray();
        if (mask is uint key)
        {
            byte[] keyBytes = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(keyBytes, key);
            frame.AddRange(keyBytes);
            for (int i = 0; i < body.Length; i++) body[i] ^= keyBytes[i & 3];
        }
        frame.AddRange(body);
        return [.. frame];
    }

    private static WebSocketDecodeStatus ReadAll(WebSocketMessageReader reader, byte[] input, List<(WebSocketMessageKind Kind, string Payload)> messages)
    {
        int start = 0;
        while (true)
        {
            WebSocketDecodeStatus status = reader.TryRead(input.AsSpan(start), out int consumed, out WebSocketMessageKind kind, out _);
            if (status != WebSocketDecodeStatus.Ok) return status;
            Assert.InRange(consumed, 1, input.Length - start);
            start += consumed;
            if (kind is WebSocketMessageKind.Text or WebSocketMessageKind.Binary) messages.Add((kind, Encoding.UTF8.GetString(reader.Message)));
            else if (kind is WebSocketMessageKind.Ping or WebSocketMessageKind.Pong) messages.Add((kind, Encoding.UTF8.GetString(reader.ControlPayload)));
            else if (kind == WebSocketMessageKind.Close) messages.Add((kind, reader.CloseCode.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            if (start == input.Length) return WebSocketDecodeStatus.Ok;
        }
    }

    private static WebSocketDecodeStatus Read(byte[] input) => ReadAll(new WebSocketMessageReader(Cap), input, []);

    [Fact]
    public void A_masked_text_frame_is_unmasked_into_its_message()
    {
        List<(WebSocketMessageKind, string)> messages = [];
        Assert.Equal(WebSocketDecodeStatus.Ok, ReadAll(new WebSocketMessageReader(Cap), ClientFrame(WebSocketOpcode.Text, "{\"method\":\"slotSubscribe\"}"u8), messages));
        Assert.Equal([(WebSocketMessageKind.Text, "{\"method\":\"slotSubscribe\"}")], messages);
    }

    [Fact]
    public void An_unmasked_client_frame_is_a_protocol_error()
    {
        Assert.Equal(WebSocketDecodeStatus.NotMasked, Read(ClientFrame(WebSocketOpcode.Text, "hi"u8, mask: null)));
        Assert.Equal(CloseCodes.ProtocolError, WebSocketFrameCodec.CloseCodeFor(WebSocketDecodeStatus.NotMasked));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Reserved_bits_without_an_extension_are_refused(byte rsv) =>
        Assert.Equal(WebSocketDecodeStatus.ReservedBitsSet, Read(ClientFrame(WebSocketOpcode.Text, "x"u8, rsv: rsv)));

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(0xB)]
    [InlineData(0xF)]
    public void Reserved_opcodes_are_refused(byte opcode) =>
        Assert.Equal(WebSocketDecodeStatus.UnknownOpcode, Read(ClientFrame((WebSocketOpcode)opcode, "x"u8)));

    [Fact]
    public void A_ping_longer_than_125_bytes_is_refused_from_its_header() =>
        Assert.Equal(WebSocketDecodeStatus.ControlFrameTooLong, Read(ClientFrame(WebSocketOpcode.Ping, new byte[126])[..4]));

    [Fact]
    public void A_fragmented_control_frame_is_refused() =>
        Assert.Equal(WebSocketDecodeStatus.ControlFrameFragmented, Read(ClientFrame(WebSocketOpcode.Ping, "x"u8, fin: false)));

    [Fact]
    public void Lengths_not_in_their_shortest_form_are_refused()
    {
        Assert.Equal(WebSocketDecodeStatus.NonMinimalLength, Read(ClientFrame(WebSocketOpcode.Text, "short"u8, lengthForm: 126)));
        Assert.Equal(WebSocketDecodeStatus.NonMinimalLength, Read(ClientFrame(WebSocketOpcode.Text, new byte[200], lengthForm: 127)));
    }

    [Fact]
    public void A_64_bit_length_with_its_top_bit_set_is_refused_before_any_payload()
    {
        byte[] header = [0x81, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4];
        Assert.Equal(WebSocketDecodeStatus.NonMinimalLength, Read(header));
    }

    [Fact]
    public void A_frame_over_the_cap_closes_with_1009_from_its_header_alone()
    {
        byte[] header = ClientFrame(WebSocketOpcode.Text, new byte[Cap + 1])[..8];
        WebSocketDecodeStatus status = Read(header);
        Assert.Equal(WebSocketDecodeStatus.MessageTooLarge, status);
        Assert.Equal(CloseCodes.MessageTooBig, WebSocketFrameCodec.CloseCodeFor(status));
        // A 2^62-byte claim is refused the same way, without sizing anything from it.
        byte[] huge = [0x81, 0xFF, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4];
        Assert.Equal(WebSocketDecodeStatus.MessageTooLarge, Read(huge));
    }

    [Fact]
    public void Fragments_assemble_into_one_message_with_a_ping_between_them()
    {
        byte[] input = [
            .. ClientFrame(WebSocketOpcode.Text, "{\"jsonrpc\":"u8, fin: false),
            .. ClientFrame(WebSocketOpcode.Ping, "are you there"u8),
            .. ClientFrame(WebSocketOpcode.Continuation, "\"2.0\","u8, fin: false),
            .. ClientFrame(WebSocketOpcode.Continuation, "\"id\":1}"u8),
        ];
        List<(WebSocketMessageKind, string)> messages = [];
        Assert.Equal(WebSocketDecodeStatus.Ok, ReadAll(new WebSocketMessageReader(Cap), input, messages));
        Assert.Equal([(WebSocketMessageKind.Ping, "are you there"), (WebSocketMessageKind.Text, "{\"jsonrpc\":\"2.0\",\"id\":1}")], messages);
    }

    [Fact]
    public void Fragments_that_together_pass_the_cap_are_refused_at_the_fragment_that_would_pass_it()
    {
        WebSocketMessageReader reader = new(Cap);
        byte[] first = ClientFrame(WebSocketOpcode.Text, new byte[Cap - 10], fin: false);
        Assert.Equal(WebSocketDecodeStatus.Ok, reader.TryRead(first, out int consumed, out WebSocketMessageKind kind, out _));
        Assert.Equal((first.Length, WebSocketMessageKind.None), (consumed, kind));
        byte[] second = ClientFrame(WebSocketOpcode.Continuation, new byte[11]);
        Assert.Equal(WebSocketDecodeStatus.MessageTooLarge, reader.TryRead(second, out consumed, out _, out _));
        Assert.Equal(0, consumed);
    }

    [Fact]
    public void A_continuation_with_no_message_open_is_refused() =>
        Assert.Equal(WebSocketDecodeStatus.UnexpectedContinuation, Read(ClientFrame(WebSocketOpcode.Continuation, "x"u8)));

    [Fact]
    public void A_new_message_inside_a_fragmented_one_is_refused() =>
        Assert.Equal(WebSocketDecodeStatus.ExpectedContinuation, Read([.. ClientFrame(WebSocketOpcode.Text, "a"u8, fin: false), .. ClientFrame(WebSocketOpcode.Text, "b"u8)]));

    [Fact]
    public void Text_that_is_not_utf8_closes_with_1007()
    {
        WebSocketDecodeStatus status = Read(ClientFrame(WebSocketOpcode.Text, [0x7B, 0xC3, 0x28, 0x7D]));
        Assert.Equal(WebSocketDecodeStatus.InvalidUtf8, status);
        Assert.Equal(CloseCodes.InvalidPayload, WebSocketFrameCodec.CloseCodeFor(status));
    }

    [Fact]
    public void Close_frames_carry_a_valid_code_or_none()
    {
        List<(WebSocketMessageKind, string)> messages = [];
        Assert.Equal(WebSocketDecodeStatus.Ok, ReadAll(new WebSocketMessageReader(Cap), ClientFrame(WebSocketOpcode.Close, [0x03, 0xE8, (byte)'b', (byte)'y', (byte)'e']), messages));
        Assert.Equal([(WebSocketMessageKind.Close, "1000")], messages);
        messages.Clear();
        Assert.Equal(WebSocketDecodeStatus.Ok, ReadAll(new WebSocketMessageReader(Cap), ClientFrame(WebSocketOpcode.Close, []), messages));
        Assert.Equal([(WebSocketMessageKind.Close, "1005")], messages);
        Assert.Equal(WebSocketDecodeStatus.InvalidClosePayload, Read(ClientFrame(WebSocketOpcode.Close, [0x03])));
        Assert.Equal(WebSocketDecodeStatus.InvalidClosePayload, Read(ClientFrame(WebSocketOpcode.Close, [0x03, 0xED]))); // 1005 may not be sent
        Assert.Equal(WebSocketDecodeStatus.InvalidClosePayload, Read(ClientFrame(WebSocketOpcode.Close, [0x00, 0x10])));
    }

    [Fact]
    public void Every_truncation_of_a_valid_frame_asks_for_more_and_consumes_nothing()
    {
        byte[] frame = ClientFrame(WebSocketOpcode.Text, Encoding.UTF8.GetBytes(new string('a', 300)));
        for (int length = 0; length < frame.Length; length++)
        {
            WebSocketMessageReader reader = new(Cap);
            byte[] prefix = frame[..length];
            Assert.Equal(WebSocketDecodeStatus.NeedMore, reader.TryRead(prefix, out int consumed, out _, out _));
            Assert.Equal(0, consumed);
        }
    }

    [Fact]
    public void Random_bytes_never_throw_and_never_consume_past_the_input()
    {
        Random random = new(20261130);
        for (int round = 0; round < 20_000; round++)
        {
            byte[] input = new byte[random.Next(0, 64)];
            random.NextBytes(input);
            if (input.Length > 1 && random.Next(2) == 0) input[1] |= 0x80; // mostly masked, to get past the first check
            WebSocketMessageReader reader = new(64);
            int start = 0;
            while (start < input.Length)
            {
                WebSocketDecodeStatus status = reader.TryRead(input.AsSpan(start), out int consumed, out _, out int offset);
                Assert.InRange(consumed, 0, input.Length - start);
                Assert.InRange(offset, 0, input.Length - start);
                if (status != WebSocketDecodeStatus.Ok || consumed == 0) break;
                start += consumed;
            }
        }
    }

    [Fact]
    public void Unmasking_from_any_position_matches_the_byte_by_byte_rule()
    {
        byte[] plain = Encoding.ASCII.GetBytes("The quick brown fox jumps over the lazy dog");
        byte[] key = [0xA1, 0x02, 0xF3, 0x44];
        uint mask = BinaryPrimitives.ReadUInt32BigEndian(key);
        for (int position = 0; position < 8; position++)
        {
            byte[] data = (byte[])plain.Clone();
            for (int i = 0; i < data.Length; i++) data[i] ^= key[(i + position) & 3];
            WebSocketFrameCodec.Unmask(data, mask, position);
            Assert.Equal(plain, data);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(125)]
    [InlineData(126)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    public void Server_frame_headers_use_the_shortest_length_form(int length)
    {
        byte[] header = new byte[WebSocketFrameCodec.MaxHeaderBytes];
        int written = WebSocketFrameCodec.WriteHeader(header, WebSocketOpcode.Text, length);
        Assert.Equal(WebSocketFrameCodec.HeaderLength(length), written);
        Assert.Equal(WebSocketDecodeStatus.Ok, WebSocketFrameCodec.TryReadHeader(header.AsSpan(0, written), long.MaxValue, requireMask: false, out WebSocketFrameHeader decoded, out _));
        Assert.Equal((true, WebSocketOpcode.Text, false, (long)length, written), (decoded.Fin, decoded.Opcode, decoded.Masked, decoded.PayloadLength, decoded.HeaderLength));
    }
}
