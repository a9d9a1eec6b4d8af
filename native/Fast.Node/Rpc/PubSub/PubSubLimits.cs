namespace Fast.Node.Rpc.PubSub;

/// <summary>
/// What the PubSub server lets clients hold (flags of `fast validator`). Memory bound: queued
/// outgoing messages never pass <see cref="MaxQueuedBytesTotal"/> in all (a connection whose
/// message would pass it while it is still behind is dropped), nor
/// <see cref="MaxQueuedBytesPerConnection"/> per connection; beside that each open connection holds
/// two buffers of <see cref="MaxMessageBytes"/> (receive, assembly) and a send buffer the size of the
/// largest frame it sent. At the defaults: 256 MiB + 1,024 × (2 × 64 KiB + send buffer).
/// </summary>
public sealed record PubSubLimits
{
    /// <summary>Open WebSocket connections per remote address (--rpc-pubsub-max-connections-per-ip).</summary>
    public int MaxConnectionsPerAddress { get; init; } = 64;

    /// <summary>All open WebSocket connections.</summary>
    public int MaxConnections { get; init; } = 1024;

    /// <summary>Active subscriptions one connection may hold (--rpc-pubsub-max-subscriptions-per-connection).</summary>
    public int MaxSubscriptionsPerConnection { get; init; } = 1000;

    /// <summary>Active subscriptions of all connections together.</summary>
    public int MaxSubscriptions { get; init; } = 100_000;

    /// <summary>Largest message a client may send (a frame or the assembled fragments); more closes with 1009.</summary>
    public int MaxMessageBytes { get; init; } = 64 * 1024;

    /// <summary>Outgoing bytes queued for one connection; a client that falls this far behind is dropped (--rpc-pubsub-max-queued-mb).</summary>
    public long MaxQueuedBytesPerConnection { get; init; } = 16L << 20;

    /// <summary>Outgoing bytes queued for all connections together.</summary>
    public long MaxQueuedBytesTotal { get; init; } = 256L << 20;

    /// <summary>The opening handshake must arrive within this.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Chain events waiting for the PubSub thread; more are dropped and counted (the banking and ledger threads never wait).</summary>
    public int EventQueue { get; init; } = 4096;

    /// <summary>Subscribe/unsubscribe requests waiting for the PubSub thread; more are answered "busy".</summary>
    public int CommandQueue { get; init; } = 65_536;

    /// <summary>Slots a commitment may jump in one event and still have each slot's transactions notified (older ones are skipped, counted).</summary>
    public int MaxSlotsPerEvent { get; init; } = 64;
}

/// <summary>What the PubSub server did and refused; read by /metrics. Incremented from the connections' tasks and the PubSub thread (Interlocked).</summary>
public sealed class PubSubCounters
{
    public long ConnectionsAccepted;
    public long ConnectionsOpen;
    public long ConnectionsRejectedPerAddress;
    public long ConnectionsRejectedTotal;
    public long HandshakesRefused;
    public long HandshakesTimedOut;
    public long ProtocolErrors;
    public long MessagesTooLarge;
    public long SlowConsumersDropped;
    public long Requests;
    public long ParseErrors;
    public long InvalidRequests;
    public long MethodNotFound;
    public long InvalidParams;
    public long SubscriptionsRefusedLimit;
    public long CommandsDropped;
    public long SubscriptionsActive;
    public long Notifications;
    public long NotificationBytes;
    public long EventsHandled;
    public long EventsDropped;
    public long SlotsSkipped;
    public long QueuedBytes;

    /// <summary>Events or commands whose handling threw (a storage read failed, or a bug); the thread goes on.</summary>
    public long Failures;
}
