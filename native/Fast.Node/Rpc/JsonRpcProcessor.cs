using System.Buffers;
using System.Text.Json;

namespace Fast.Node.Rpc;

/// <summary>What the RPC endpoint served and refused. Incremented from request threads (Interlocked).</summary>
public sealed class RpcCounters
{
    public long Requests;
    public long ParseErrors;
    public long InvalidRequests;
    public long MethodNotFound;
    public long InvalidParams;
    public long InternalErrors;
    public long TooLarge;
    /// <summary>Calls whose response would have passed <see cref="JsonRpcProcessor.MaxResponseBytes"/> (answered with an error instead).</summary>
    public long ResponseTooLarge;
}

/// <summary>
/// JSON-RPC 2.0 over one request body, independent of HTTP: parses a single call or a batch,
/// dispatches to <see cref="RpcMethods"/>, and writes the response. Every malformed input gets a
/// JSON-RPC error object (parse error, invalid request, unknown method, invalid params); a bug in a
/// handler becomes an internal error without its stack trace. A response (a whole batch included)
/// never passes <see cref="MaxResponseBytes"/>: the call that would pass it is answered with
/// <see cref="RpcError.ResponseTooLarge"/>. Thread-safe; allocates per request (cold path).
/// </summary>
public sealed class JsonRpcProcessor(IRpcBackend backend, int maxResponseBytes = JsonRpcProcessor.DefaultMaxResponseBytes)
{
    public const int MaxBatch = 100;
    public const int MaxBodyBytes = 256 * 1024;

    /// <summary>16 MiB: one account of the 10 MiB maximum fits in base64 (13.4 MiB) with room to spare.</summary>
    public const int DefaultMaxResponseBytes = 16 << 20;

    private readonly RpcMethods _methods = new(backend, maxResponseBytes);

    /// <summary>The most bytes one HTTP response body may carry (flag --rpc-max-response-mb).</summary>
    public int MaxResponseBytes { get; } = maxResponseBytes;

    public RpcCounters Counters { get; } = new();

    /// <summary>Writes the response for <paramref name="body"/>; false when there is nothing to send (only notifications).</summary>
    public bool Process(ReadOnlyMemory<byte> body, IBufferWriter<byte> output)
    {
        using Utf8JsonWriter writer = new(output);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException)
        {
            Interlocked.Increment(ref Counters.Requests);
            Interlocked.Increment(ref Counters.ParseErrors);
            WriteError(writer, default, new RpcError(RpcError.ParseError, "Parse error: the body is not valid JSON"));
            return true;
        }
        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
            {
                return ProcessOne(root, writer);
            }
            int count = root.GetArrayLength();
            if (count == 0 || count > MaxBatch)
            {
                Interlocked.Increment(ref Counters.InvalidRequests);
                WriteError(writer, default, new RpcError(RpcError.InvalidRequest, count == 0 ? "Invalid request: empty batch" : $"Invalid request: a batch holds at most {MaxBatch} calls"));
                return true;
            }
            bool any = false;
            writer.WriteStartArray();
            foreach (JsonElement call in root.EnumerateArray()) any |= ProcessOne(call, writer);
            writer.WriteEndArray();
            return any;
        }
    }

    /// <summary>The error response for a body that was refused before parsing (too large).</summary>
    public void WriteTooLarge(IBufferWriter<byte> output)
    {
        Interlocked.Increment(ref Counters.TooLarge);
        using Utf8JsonWriter writer = new(output);
        WriteError(writer, default, new RpcError(RpcError.InvalidRequest, $"Invalid request: body larger than {MaxBodyBytes} bytes"));
    }

    private bool ProcessOne(JsonElement call, Utf8JsonWriter writer)
    {
        Interlocked.Increment(ref Counters.Requests);
        if (call.ValueKind != JsonValueKind.Object)
        {
            Interlocked.Increment(ref Counters.InvalidRequests);
            WriteError(writer, default, new RpcError(RpcError.InvalidRequest, "Invalid request: a call must be an object"));
            return true;
        }
        bool hasId = call.TryGetProperty("id", out JsonElement id);
        if (hasId && id.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.Null))
        {
            Interlocked.Increment(ref Counters.InvalidRequests);
            WriteError(writer, default, new RpcError(RpcError.InvalidRequest, "Invalid request: id must be a string, a number or null"));
            return true;
        }
        if (!call.TryGetProperty("jsonrpc", out JsonElement version) || version.ValueKind != JsonValueKind.String || version.GetString() != "2.0")
        {
            Interlocked.Increment(ref Counters.InvalidRequests);
            WriteError(writer, id, new RpcError(RpcError.InvalidRequest, "Invalid request: jsonrpc must be \"2.0\""));
            return true;
        }
        if (!call.TryGetProperty("method", out JsonElement method) || method.ValueKind != JsonValueKind.String)
        {
            Interlocked.Increment(ref Counters.InvalidRequests);
            WriteError(writer, id, new RpcError(RpcError.InvalidRequest, "Invalid request: method must be a string"));
            return true;
        }
        JsonElement parameters = default;
        if (call.TryGetProperty("params", out JsonElement p))
        {
            if (p.ValueKind is not (JsonValueKind.Array or JsonValueKind.Null))
            {
                Interlocked.Increment(ref Counters.InvalidParams);
                WriteError(writer, id, RpcError.Params("params must be an array"));
                return true;
            }
            parameters = p;
        }

        string name = method.GetString()!;
        if (!_methods.TryGet(name, out RpcMethods.Handler? handler))
        {
            Interlocked.Increment(ref Counters.MethodNotFound);
            if (hasId) WriteError(writer, id, new RpcError(RpcError.MethodNotFound, $"Method not found: {(name.Length > 64 ? name[..64] + "..." : name)}"));
            return hasId;
        }

        ArrayBufferWriter<byte> result = new(256);
        RpcError? error;
        try
        {
            using Utf8JsonWriter resultWriter = new(result);
            error = handler(new RpcParams(parameters), resultWriter);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Interlocked.Increment(ref Counters.InternalErrors);
            error = new RpcError(RpcError.InternalError, $"Internal error: {e.GetType().Name}");
        }
        if (error is null && writer.BytesCommitted + writer.BytesPending + result.WrittenCount + 64 > MaxResponseBytes)
        {
            error = RpcError.TooLargeResponse(MaxResponseBytes);
        }
        if (error is { Code: RpcError.ResponseTooLarge }) Interlocked.Increment(ref Counters.ResponseTooLarge);
        if (error is { Code: RpcError.InvalidParams }) Interlocked.Increment(ref Counters.InvalidParams);
        if (!hasId) return false; // a notification: no response

        writer.WriteStartObject();
        writer.WriteString("jsonrpc", "2.0");
        if (error is null)
        {
            writer.WritePropertyName("result");
            writer.WriteRawValue(result.WrittenSpan, skipInputValidation: true);
        }
        else
        {
            WriteErrorObject(writer, error);
        }
        writer.WritePropertyName("id");
        id.WriteTo(writer);
        writer.WriteEndObject();
        return true;
    }

    private static void WriteError(Utf8JsonWriter writer, JsonElement id, RpcError error)
    {
        writer.WriteStartObject();
        writer.WriteString("jsonrpc", "2.0");
        WriteErrorObject(writer, error);
        writer.WritePropertyName("id");
        if (id.ValueKind is JsonValueKind.String or JsonValueKind.Number) id.WriteTo(writer);
        else writer.WriteNullValue();
        writer.WriteEndObject();
    }

    private static void WriteErrorObject(Utf8JsonWriter writer, RpcError error)
    {
        writer.WriteStartObject("error");
        writer.WriteNumber("code", error.Code);
        writer.WriteString("message", error.Message);
        if (error.ContextSlot is ulong contextSlot)
        {
            writer.WriteStartObject("data");
            writer.WriteNumber("contextSlot", contextSlot);
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }
}
