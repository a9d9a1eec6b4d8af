using System.Text;
using Fast.Node.Rpc.PubSub;
using Xunit;

namespace Fast.Node.Tests.Rpc.PubSub;

/// <summary>The RFC 6455 opening handshake: the RFC's own accept example, and every malformed request refused with its reason.</summary>
public class WebSocketHandshakeTests
{
    private static string Request(string key = "dGhlIHNhbXBsZSBub25jZQ==", string version = "13", string upgrade = "websocket", string connection = "keep-alive, Upgrade") =>
        $"GET / HTTP/1.1\r\nHost: 127.0.0.1:8900\r\nUpgrade: {upgrade}\r\nConnection: {connection}\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: {version}\r\n\r\n";

    private static HandshakeStatus Parse(string request, out int headLength, out string key) =>
        WebSocketHandshake.TryParse(Encoding.ASCII.GetBytes(request), out headLength, out key);

    [Fact]
    public void The_accept_value_is_the_rfc_example()
    {
        // RFC 6455 §1.3: key "dGhlIHNhbXBsZSBub25jZQ==" → accept "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketHandshake.AcceptFor("dGhlIHNhbXBsZSBub25jZQ=="));
        string request = Request();
        Assert.Equal(HandshakeStatus.Ok, Parse(request + "\x81", out int headLength, out string key));
        Assert.Equal(request.Length, headLength);
        Assert.Equal("dGhlIHNhbXBsZSBub25jZQ==", key);
        Assert.Contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n", Encoding.ASCII.GetString(WebSocketHandshake.Accept(key)));
    }

    [Fact]
    public void Header_names_and_tokens_are_case_insensitive() =>
        Assert.Equal(HandshakeStatus.Ok, Parse(Request(upgrade: "WebSocket", connection: "upgrade").Replace("Sec-WebSocket-Key", "sec-websocket-key", StringComparison.Ordinal), out _, out _));

    [Fact]
    public void An_incomplete_head_asks_for_more() =>
        Assert.Equal(HandshakeStatus.NeedMore, Parse(Request()[..40], out _, out _));

    [Fact]
    public void A_plain_http_request_is_not_an_upgrade()
    {
        Assert.Equal(HandshakeStatus.NotUpgrade, Parse("GET / HTTP/1.1\r\nHost: x\r\n\r\n", out _, out _));
        Assert.StartsWith("HTTP/1.1 400", Encoding.ASCII.GetString(WebSocketHandshake.Refuse(HandshakeStatus.NotUpgrade)), StringComparison.Ordinal);
    }

    [Fact]
    public void Another_protocol_version_gets_426_naming_13()
    {
        Assert.Equal(HandshakeStatus.BadVersion, Parse(Request(version: "8"), out _, out _));
        string refusal = Encoding.ASCII.GetString(WebSocketHandshake.Refuse(HandshakeStatus.BadVersion));
        Assert.StartsWith("HTTP/1.1 426", refusal, StringComparison.Ordinal);
        Assert.Contains("Sec-WebSocket-Version: 13", refusal, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64 at all!!!!!!!")]
    [InlineData("dGhlIHNhbXBsZSBub25jZQ")]
    [InlineData("dGhlIHNhbXBsZSBub25jZSBsb25nZXI=")]
    public void A_key_that_is_not_base64_of_16_bytes_is_refused(string key) =>
        Assert.Equal(HandshakeStatus.BadKey, Parse(Request(key: key), out _, out _));

    [Theory]
    [InlineData("POST / HTTP/1.1\r\n\r\n")]
    [InlineData("GET / HTTP/1.0\r\n\r\n")]
    [InlineData("GET /\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nno colon here\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: caf\u00e9\r\n\r\n")]
    public void Malformed_request_heads_are_refused(string request) =>
        Assert.Equal(HandshakeStatus.Malformed, WebSocketHandshake.TryParse(Encoding.Latin1.GetBytes(request), out _, out _));

    [Fact]
    public void A_head_past_8_KiB_is_refused_whether_or_not_it_ended()
    {
        string padding = "X-Pad: " + new string('a', WebSocketHandshake.MaxHeadBytes) + "\r\n";
        Assert.Equal(HandshakeStatus.TooLarge, Parse("GET / HTTP/1.1\r\n" + padding, out _, out _));
        Assert.Equal(HandshakeStatus.TooLarge, Parse("GET / HTTP/1.1\r\n" + padding + "\r\n", out _, out _));
    }
}
