using System.Security.Cryptography;
using System.Text;

namespace Fast.Node.Rpc.PubSub;

/// <summary>Why an HTTP request is not a WebSocket opening handshake we accept.</summary>
public enum HandshakeStatus
{
    Ok,

    /// <summary>The blank line that ends the request head has not arrived yet.</summary>
    NeedMore,

    /// <summary>The head is longer than <see cref="WebSocketHandshake.MaxHeadBytes"/>.</summary>
    TooLarge,

    /// <summary>Not "GET target HTTP/1.1", a header line without a colon, or non-ASCII bytes.</summary>
    Malformed,

    /// <summary>Upgrade: websocket / Connection: Upgrade missing (a plain HTTP request).</summary>
    NotUpgrade,

    /// <summary>Sec-WebSocket-Version is not 13.</summary>
    BadVersion,

    /// <summary>Sec-WebSocket-Key is not base64 of 16 bytes.</summary>
    BadKey,
}

/// <summary>
/// The server side of the RFC 6455 §4 opening handshake, sans-IO: parses the client's HTTP/1.1
/// request head (bounded, ASCII, headers case-insensitive), checks the upgrade headers and the key,
/// and writes the <c>101 Switching Protocols</c> answer with <c>Sec-WebSocket-Accept</c> =
/// base64(SHA-1(key ‖ the RFC's GUID)), or a 400/426 refusal. Used by <see cref="PubSubConnection"/>
/// before any frame is read.
/// </summary>
public static class WebSocketHandshake
{
    /// <summary>A request head longer than this is refused (browsers send well under 2 KiB).</summary>
    public const int MaxHeadBytes = 8 * 1024;

    private const string Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>
    /// Parses the request head at the start of <paramref name="input"/>. On <see cref="HandshakeStatus.Ok"/>,
    /// <paramref name="headLength"/> is the head's length (frames may follow it) and <paramref name="key"/> the client's key.
    /// </summary>
    public static HandshakeStatus TryParse(ReadOnlySpan<byte> input, out int headLength, out string key)
    {
        headLength = 0;
        key = string.Empty;
        int end = input.IndexOf("\r\n\r\n"u8);
        if (end < 0) return input.Length >= MaxHeadBytes ? HandshakeStatus.TooLarge : HandshakeStatus.NeedMore;
        if (end + 4 > MaxHeadBytes) return HandshakeStatus.TooLarge;
        ReadOnlySpan<byte> head = input[..end];
        foreach (byte b in head)
        {
            if (b >= 0x80 || (b < 0x20 && b is not ((byte)'\r' or (byte)'\n' or (byte)'\t'))) return HandshakeStatus.Malformed;
        }
        string text = Encoding.ASCII.GetString(head);
        string[] lines = text.Split("\r\n");
        string[] requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3 || requestLine[0] != "GET" || requestLine[2] != "HTTP/1.1" || requestLine[1].Length == 0) return HandshakeStatus.Malformed;

        string? upgrade = null, connection = null, version = null, clientKey = null;
        for (int i = 1; i < lines.Length; i++)
        {
            int colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) return HandshakeStatus.Malformed;
            string name = lines[i][..colon].Trim();
            string value = lines[i][(colon + 1)..].Trim();
            if (name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase)) upgrade = value;
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase)) connection = value;
            else if (name.Equals("Sec-WebSocket-Version", StringComparison.OrdinalIgnoreCase)) version = value;
            else if (name.Equals("Sec-WebSocket-Key", StringComparison.OrdinalIgnoreCase)) clientKey = value;
        }
        if (upgrade is null || !HasToken(upgrade, "websocket") || connection is null || !HasToken(connection, "upgrade")) return HandshakeStatus.NotUpgrade;
        if (version != "13") return HandshakeStatus.BadVersion;
        Span<byte> decoded = stackalloc byte[18];
        if (clientKey is null || clientKey.Length != 24 || !Convert.TryFromBase64String(clientKey, decoded, out int keyBytes) || keyBytes != 16) return HandshakeStatus.BadKey;
        key = clientKey;
        headLength = end + 4;
        return HandshakeStatus.Ok;
    }

    private static bool HasToken(string list, string token)
    {
        foreach (string part in list.Split(','))
        {
            if (part.Trim().Equals(token, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    /// <summary>Sec-WebSocket-Accept for <paramref name="key"/> (RFC 6455 §4.2.2 step 5.4).</summary>
    public static string AcceptFor(string key)
    {
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(Encoding.ASCII.GetBytes(key + Guid), hash);
        return Convert.ToBase64String(hash);
    }

    /// <summary>The 101 answer that opens the WebSocket.</summary>
    public static byte[] Accept(string key) => Encoding.ASCII.GetBytes(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + AcceptFor(key) + "\r\n\r\n");

    /// <summary>The refusal for <paramref name="status"/>: 426 with the version we speak for a bad version, else 400; the connection closes after it.</summary>
    public static byte[] Refuse(HandshakeStatus status)
    {
        string body = status switch
        {
            HandshakeStatus.NotUpgrade => "this port speaks WebSocket (JSON-RPC PubSub); send an Upgrade request",
            HandshakeStatus.BadVersion => "Sec-WebSocket-Version must be 13",
            HandshakeStatus.BadKey => "Sec-WebSocket-Key must be base64 of 16 bytes",
            HandshakeStatus.TooLarge => "request head too large",
            _ => "malformed request",
        };
        string statusLine = status == HandshakeStatus.BadVersion ? "426 Upgrade Required\r\nSec-WebSocket-Version: 13" : "400 Bad Request";
        return Encoding.ASCII.GetBytes($"HTTP/1.1 {statusLine}\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}");
    }
}
