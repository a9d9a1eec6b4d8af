using System.Net;
using Fast.Node.Rpc;
using Fast.Node.Rpc.PubSub;

namespace Fast.Node.Validator;

/// <summary>
/// The validator's WebSocket PubSub: started beside JSON-RPC on --rpc-pubsub-port (default: the RPC
/// port + 1, Solana's convention, or an ephemeral port when RPC has one; 0: off), fed by <see cref="ChainState.Events"/>, stopped first on
/// shutdown; its counters in /metrics.
/// </summary>
public sealed partial class Validator
{
    private PubSubServer? _pubsub;

    /// <summary>Where PubSub listens, or null when it is off.</summary>
    public IPEndPoint? PubSubEndPoint => _pubsub?.LocalEndPoint;

    private void StartPubSub(IRpcBackend backend, IPEndPoint rpc)
    {
        // RPC on an ephemeral port (tests): PubSub on one too, never a guess at the port after it.
        int port = _options.RpcPubSubPort ?? (_options.RpcPort == 0 ? 0 : rpc.Port + 1);
        if (_options.RpcPubSubPort == 0 || port > IPEndPoint.MaxPort) return;
        _pubsub = new PubSubServer(new IPEndPoint(_options.RpcBindAddress, port), backend, _options.PubSubLimits, _options.RpcMaxResponseBytes);
        Chain.Events = ChainEventsFanOut.Of(Chain.Events, _pubsub.Service);
        _pubsub.Start();
        _log.WriteLine($"validator: pubsub ws://{_pubsub.LocalEndPoint}");
    }

    private async ValueTask StopPubSubAsync()
    {
        Chain.Events = null;
        if (_pubsub is not null) await _pubsub.DisposeAsync().ConfigureAwait(false);
    }

    private void WritePubSubMetrics(PrometheusText m)
    {
        if (_pubsub is not { } pubsub) return;
        PubSubCounters c = pubsub.Counters;
        m.Gauge("fast_pubsub_connections", "Open PubSub (WebSocket) connections", Interlocked.Read(ref c.ConnectionsOpen))
         .Counter("fast_pubsub_connections_total", "PubSub connections", Interlocked.Read(ref c.ConnectionsAccepted), "result=\"accepted\"")
         .Counter("fast_pubsub_connections_total", "PubSub connections", Interlocked.Read(ref c.ConnectionsRejectedPerAddress), "result=\"rejected_per_ip\"")
         .Counter("fast_pubsub_connections_total", "PubSub connections", Interlocked.Read(ref c.ConnectionsRejectedTotal), "result=\"rejected_max_connections\"")
         .Counter("fast_pubsub_connections_total", "PubSub connections", Interlocked.Read(ref c.SlowConsumersDropped), "result=\"dropped_slow_consumer\"")
         .Gauge("fast_pubsub_subscriptions", "Active PubSub subscriptions", Interlocked.Read(ref c.SubscriptionsActive))
         .Counter("fast_pubsub_requests_total", "PubSub JSON-RPC calls", Interlocked.Read(ref c.Requests))
         .Counter("fast_pubsub_events_total", "Chain events (frozen, confirmed, rooted) the PubSub thread handled", Interlocked.Read(ref c.EventsHandled))
         .Counter("fast_pubsub_notifications_total", "PubSub notifications queued to subscribers", Interlocked.Read(ref c.Notifications))
         .Counter("fast_pubsub_notification_bytes_total", "Bytes of notifications built (each built once per event, then shared by its subscribers)", Interlocked.Read(ref c.NotificationBytes))
         .Gauge("fast_pubsub_queued_bytes", $"Outgoing PubSub bytes queued for all connections (bound {pubsub.Limits.MaxQueuedBytesTotal})", Interlocked.Read(ref c.QueuedBytes));
        Drop(m, "pubsub", "parse_error", Interlocked.Read(ref c.ParseErrors));
        Drop(m, "pubsub", "invalid_request", Interlocked.Read(ref c.InvalidRequests));
        Drop(m, "pubsub", "method_not_found", Interlocked.Read(ref c.MethodNotFound));
        Drop(m, "pubsub", "invalid_params", Interlocked.Read(ref c.InvalidParams));
        Drop(m, "pubsub", "subscription_limit", Interlocked.Read(ref c.SubscriptionsRefusedLimit));
        Drop(m, "pubsub", "busy", Interlocked.Read(ref c.CommandsDropped));
        Drop(m, "pubsub", "protocol_error", Interlocked.Read(ref c.ProtocolErrors));
        Drop(m, "pubsub", "message_too_large", Interlocked.Read(ref c.MessagesTooLarge));
        Drop(m, "pubsub", "handshake_refused", Interlocked.Read(ref c.HandshakesRefused));
        Drop(m, "pubsub", "handshake_timeout", Interlocked.Read(ref c.HandshakesTimedOut));
        Drop(m, "pubsub", "slow_consumer", Interlocked.Read(ref c.SlowConsumersDropped));
        Drop(m, "pubsub", "event_queue_full", Interlocked.Read(ref c.EventsDropped));
        Drop(m, "pubsub", "slots_skipped", Interlocked.Read(ref c.SlotsSkipped));
        m.Counter("fast_pubsub_failures_total", "PubSub events or commands whose handling failed (their notifications were lost; the thread went on)", Interlocked.Read(ref c.Failures));
    }
}
