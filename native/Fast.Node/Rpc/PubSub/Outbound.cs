using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace Fast.Node.Rpc.PubSub;

/// <summary>What an <see cref="Outbound"/> message is on the wire.</summary>
public enum OutboundKind
{
    /// <summary>A whole JSON-RPC response, sent as one text frame.</summary>
    Json,

    /// <summary>A notification's shared bytes; the connection appends the subscription id and <c>}}</c>.</summary>
    Notification,

    Pong,

    /// <summary>A close frame (payload: the status code); nothing is sent after it.</summary>
    Close,
}

/// <summary>
/// One message queued for a connection. A notification's bytes are built once per event and shared
/// by every subscriber's queue (<see cref="NotificationBytes"/>): only the subscription id differs,
/// and the connection writes it when it frames the message.
/// </summary>
public readonly record struct Outbound(OutboundKind Kind, byte[] Bytes, ulong Subscription = 0)
{
    /// <summary>Bytes counted against the queue bounds: the payload plus a fixed overhead for the entry.</summary>
    public long QueuedBytes => Bytes.Length + 32;

    /// <summary>The payload length on the wire.</summary>
    public int PayloadLength => Kind == OutboundKind.Notification ? Bytes.Length + DigitCount(Subscription) + 2 : Bytes.Length;

    /// <summary>Writes the payload (the id and closing braces appended for a notification).</summary>
    public void WritePayload(Span<byte> destination)
    {
        Bytes.CopyTo(destination);
        if (Kind != OutboundKind.Notification) return;
        Utf8Formatter.TryFormat(Subscription, destination[Bytes.Length..], out int written);
        destination[Bytes.Length + written] = (byte)'}';
        destination[Bytes.Length + written + 1] = (byte)'}';
    }

    public WebSocketOpcode Opcode => Kind switch
    {
        OutboundKind.Pong => WebSocketOpcode.Pong,
        OutboundKind.Close => WebSocketOpcode.Close,
        _ => WebSocketOpcode.Text,
    };

    private static int DigitCount(ulong value)
    {
        int digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }
        return digits;
    }

    /// <summary>
    /// <c>{"jsonrpc":"2.0","method":METHOD,"params":{"result":RESULT,"subscription":</c> — the part of a
    /// notification every subscriber shares; <paramref name="result"/> is one JSON value.
    /// </summary>
    public static byte[] NotificationBytes(string method, ReadOnlySpan<byte> result)
    {
        ArrayBufferWriter<byte> buffer = new(result.Length + 96);
        using (Utf8JsonWriter w = new(buffer))
        {
            w.WriteStartObject();
            w.WriteString("jsonrpc", "2.0");
            w.WriteString("method", method);
            w.WriteStartObject("params");
            w.WritePropertyName("result");
            w.WriteRawValue(result, skipInputValidation: true);
            w.WriteNumber("subscription", 0);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        // Cut the placeholder id and the two closing braces: the connection writes the real id.
        return buffer.WrittenSpan[..^3].ToArray();
    }

    /// <summary>A JSON-RPC response carrying <paramref name="result"/> (one JSON value) for the request id <paramref name="requestId"/> (raw JSON).</summary>
    public static Outbound Response(string requestId, ReadOnlySpan<byte> result)
    {
        ArrayBufferWriter<byte> buffer = new(result.Length + 64);
        using (Utf8JsonWriter w = new(buffer))
        {
            w.WriteStartObject();
            w.WriteString("jsonrpc", "2.0");
            w.WritePropertyName("result");
            w.WriteRawValue(result, skipInputValidation: true);
            w.WritePropertyName("id");
            w.WriteRawValue(requestId, skipInputValidation: true);
            w.WriteEndObject();
        }
        return new Outbound(OutboundKind.Json, buffer.WrittenSpan.ToArray());
    }

    /// <summary>A JSON-RPC error response (Solana's shape: code, message) for the request id <paramref name="requestId"/> (raw JSON, "null" when unknown).</summary>
    public static Outbound Error(string requestId, RpcError error)
    {
        ArrayBufferWriter<byte> buffer = new(128);
        using (Utf8JsonWriter w = new(buffer))
        {
            w.WriteStartObject();
            w.WriteString("jsonrpc", "2.0");
            w.WriteStartObject("error");
            w.WriteNumber("code", error.Code);
            w.WriteString("message", error.Message);
            w.WriteEndObject();
            w.WritePropertyName("id");
            w.WriteRawValue(requestId, skipInputValidation: true);
            w.WriteEndObject();
        }
        return new Outbound(OutboundKind.Json, buffer.WrittenSpan.ToArray());
    }
}
