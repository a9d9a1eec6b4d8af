using System.Text.Json;

namespace Fast.Node.Rpc.PubSub;

/// <summary>
/// A connection's JSON-RPC requests: each text message is one call (Solana's PubSub takes no
/// batches). Malformed JSON, a call of the wrong shape, an unknown method or bad params is answered
/// here with the JSON-RPC error and counted; a well-formed subscribe or unsubscribe goes to the
/// PubSub thread, which answers it (so a subscription's id always reaches the client before its
/// first notification). A call without an id (a JSON-RPC notification, such as web3.js's "ping"
/// heartbeat) gets no answer.
/// </summary>
public sealed partial class PubSubConnection
{
    private void HandleRequest(ReadOnlySpan<byte> message)
    {
        Interlocked.Increment(ref _counters.Requests);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(message.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException)
        {
            Interlocked.Increment(ref _counters.ParseErrors);
            Enqueue(Outbound.Error("null", new RpcError(RpcError.ParseError, "Parse error")));
            return;
        }
        using (document)
        {
            HandleCall(document.RootElement);
        }
    }

    private void HandleCall(JsonElement call)
    {
        if (call.ValueKind != JsonValueKind.Object)
        {
            Invalid("null", "Invalid request: a call must be an object (batches are not supported)");
            return;
        }
        bool hasId = call.TryGetProperty("id", out JsonElement id);
        if (hasId && id.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.Null))
        {
            Invalid("null", "Invalid request: id must be a string, a number or null");
            return;
        }
        string requestId = hasId ? id.GetRawText() : "null";
        if (!call.TryGetProperty("jsonrpc", out JsonElement version) || version.ValueKind != JsonValueKind.String || version.GetString() != "2.0")
        {
            Invalid(requestId, "Invalid request: jsonrpc must be \"2.0\"");
            return;
        }
        if (!call.TryGetProperty("method", out JsonElement method) || method.ValueKind != JsonValueKind.String)
        {
            Invalid(requestId, "Invalid request: method must be a string");
            return;
        }
        JsonElement parameters = default;
        if (call.TryGetProperty("params", out JsonElement p))
        {
            if (p.ValueKind is not (JsonValueKind.Array or JsonValueKind.Null))
            {
                Interlocked.Increment(ref _counters.InvalidParams);
                if (hasId) Enqueue(Outbound.Error(requestId, RpcError.Params("params must be an array")));
                return;
            }
            parameters = p;
        }
        string name = method.GetString()!;
        if (!hasId) return; // a notification: nothing to answer (web3.js sends "ping" this way)
        if (!SubscriptionSpec.TryKind(name, out SubscriptionKind kind, out bool unsubscribe))
        {
            Interlocked.Increment(ref _counters.MethodNotFound);
            Enqueue(Outbound.Error(requestId, new RpcError(RpcError.MethodNotFound, $"Method not found: {(name.Length > 64 ? name[..64] + "..." : name)}")));
            return;
        }
        RpcParams args = new(parameters);
        if (unsubscribe)
        {
            RpcError? error = args.RequireCount(1, 1);
            ulong subscription = 0;
            error ??= args.UInt64(0, "the subscription id", out subscription);
            if (error is not null)
            {
                Interlocked.Increment(ref _counters.InvalidParams);
                Enqueue(Outbound.Error(requestId, error));
                return;
            }
            Post(new PubSubCommand(PubSubCommandKind.Unsubscribe, this, requestId, null, kind, subscription));
            return;
        }
        RpcError? invalid = SubscriptionSpec.TryParse(kind, args, out SubscriptionSpec? spec);
        if (invalid is not null)
        {
            Interlocked.Increment(ref _counters.InvalidParams);
            Enqueue(Outbound.Error(requestId, invalid));
            return;
        }
        Post(new PubSubCommand(PubSubCommandKind.Subscribe, this, requestId, spec, kind, 0));
    }

    private void Post(PubSubCommand command)
    {
        if (_server.Service.TryPost(command)) return;
        Interlocked.Increment(ref _counters.CommandsDropped);
        Enqueue(Outbound.Error(command.RequestId, new RpcError(RpcError.InternalError, "Internal error: the PubSub service is busy; try again")));
    }

    private void Invalid(string requestId, string message)
    {
        Interlocked.Increment(ref _counters.InvalidRequests);
        Enqueue(Outbound.Error(requestId, new RpcError(RpcError.InvalidRequest, message)));
    }
}
