using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using Fast.Core.Collections;
using Fast.Core.Primitives;

namespace Fast.Node.Rpc.PubSub;

/// <summary>A live subscription, owned by the PubSub thread.</summary>
public sealed class Subscription(ulong id, SubscriptionSpec spec, PubSubConnection connection)
{
    public ulong Id { get; } = id;
    public SubscriptionSpec Spec { get; } = spec;
    public PubSubConnection Connection { get; } = connection;

    /// <summary>accountSubscribe: the account as last notified (or as it was when subscribed).</summary>
    public Hash Fingerprint { get; set; }

    /// <summary>signatureSubscribe with enableReceivedNotification: "receivedSignature" was sent.</summary>
    public bool ReceivedSent { get; set; }
}

/// <summary>
/// The PubSub thread ("fast-pubsub"): owns every subscription, takes subscribe/unsubscribe commands
/// from the connections and chain events from the validator (two bounded queues: the banking and
/// ledger threads only enqueue, and an event that finds the queue full is dropped and counted), and
/// turns each event into notifications — built once per event (and per encoding), then fanned out to
/// the subscribers' send queues. What each event notifies is in PubSubService.Chain.cs and
/// PubSubService.Blocks.cs. Reads the chain through <see cref="IRpcBackend"/> (thread-safe) and
/// writes blocks with the JSON-RPC getBlock handler, so a blockNotification is getBlock's shape.
/// </summary>
public sealed partial class PubSubService : IChainEvents, IDisposable
{
    private readonly IRpcBackend _backend;
    private readonly RpcMethods _methods;
    private readonly PubSubLimits _limits;
    private readonly BoundedQueue<ChainEvent> _events;
    private readonly ConcurrentQueue<PubSubCommand> _commands = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly Thread _thread;
    private readonly ArrayBufferWriter<byte> _scratch = new(4096);
    private readonly Dictionary<ulong, Subscription> _subscriptions = [];
    private readonly Dictionary<ulong, Subscription>[] _byKind;
    private readonly Dictionary<PubSubConnection, HashSet<ulong>> _byConnection = [];
    private int _queuedCommands;
    private ulong _nextId = 1;
    private volatile bool _stopping;

    public PubSubService(IRpcBackend backend, PubSubLimits limits, PubSubCounters counters, int maxResponseBytes = JsonRpcProcessor.DefaultMaxResponseBytes)
    {
        _backend = backend;
        _methods = new RpcMethods(backend, maxResponseBytes);
        _limits = limits;
        Counters = counters;
        _events = new BoundedQueue<ChainEvent>(limits.EventQueue);
        _byKind = new Dictionary<ulong, Subscription>[Enum.GetValues<SubscriptionKind>().Length];
        for (int i = 0; i < _byKind.Length; i++) _byKind[i] = [];
        _confirmedSlot = backend.Slot(Commitment.Confirmed);
        _rootSlot = backend.Slot(Commitment.Finalized);
        _thread = new Thread(Run) { Name = "fast-pubsub", IsBackground = true };
    }

    public PubSubCounters Counters { get; }

    /// <summary>The last exception the PubSub thread survived (for the operator), or null.</summary>
    public string? LastFailure { get; private set; }

    public void Start() => _thread.Start();

    /// <summary>Queues a command from a connection; false when the queue is full (the connection answers "busy").</summary>
    public bool TryPost(PubSubCommand command)
    {
        if (command.Kind != PubSubCommandKind.Closed && Interlocked.Increment(ref _queuedCommands) > _limits.CommandQueue)
        {
            Interlocked.Decrement(ref _queuedCommands);
            return false;
        }
        if (command.Kind == PubSubCommandKind.Closed) Interlocked.Increment(ref _queuedCommands);
        _commands.Enqueue(command);
        _wake.Set();
        return true;
    }

    public void SlotFrozen(ulong slot, ulong parent) => Post(new ChainEvent(ChainEventKind.Frozen, slot, parent));

    public void SlotConfirmed(ulong slot) => Post(new ChainEvent(ChainEventKind.Confirmed, slot, 0));

    public void SlotRooted(ulong slot) => Post(new ChainEvent(ChainEventKind.Rooted, slot, 0));

    private void Post(ChainEvent e)
    {
        if (!_events.TryEnqueue(e))
        {
            Interlocked.Increment(ref Counters.EventsDropped);
            return;
        }
        _wake.Set();
    }

    private void Run()
    {
        while (!_stopping)
        {
            _wake.WaitOne(250);
            try
            {
                while (_commands.TryDequeue(out PubSubCommand? command))
                {
                    Interlocked.Decrement(ref _queuedCommands);
                    Handle(command);
                }
                int handled = 0;
                // Commands get a turn between events, so a burst of slots does not starve subscribes.
                while (handled++ < 64 && _events.TryDequeue(out ChainEvent e)) Handle(e);
                if (!_events.IsEmpty) _wake.Set();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A failed read (storage) or a bug costs this event's notifications, never the node.
                Interlocked.Increment(ref Counters.Failures);
                LastFailure = e.GetType().Name + ": " + e.Message;
            }
        }
    }

    private void Handle(PubSubCommand command)
    {
        switch (command.Kind)
        {
            case PubSubCommandKind.Subscribe:
                Subscribe(command.Connection, command.RequestId, command.Spec!);
                break;
            case PubSubCommandKind.Unsubscribe:
                Unsubscribe(command);
                break;
            case PubSubCommandKind.Closed:
                if (_byConnection.Remove(command.Connection, out HashSet<ulong>? ids))
                {
                    foreach (ulong id in ids) RemoveSubscription(id, fromConnection: false);
                }
                break;
        }
    }

    private void Subscribe(PubSubConnection connection, string requestId, SubscriptionSpec spec)
    {
        if (connection.IsClosed) return;
        _byConnection.TryGetValue(connection, out HashSet<ulong>? ids);
        if ((ids?.Count ?? 0) >= _limits.MaxSubscriptionsPerConnection || _subscriptions.Count >= _limits.MaxSubscriptions)
        {
            Interlocked.Increment(ref Counters.SubscriptionsRefusedLimit);
            string which = (ids?.Count ?? 0) >= _limits.MaxSubscriptionsPerConnection ? $"{_limits.MaxSubscriptionsPerConnection} per connection" : $"{_limits.MaxSubscriptions} on this node";
            connection.Enqueue(Outbound.Error(requestId, new RpcError(RpcError.InternalError, $"Internal error: too many subscriptions ({which})")));
            return;
        }
        Subscription subscription = new(_nextId++, spec, connection);
        if (ids is null) _byConnection[connection] = ids = [];
        ids.Add(subscription.Id);
        _subscriptions[subscription.Id] = subscription;
        _byKind[(int)spec.Kind][subscription.Id] = subscription;
        Interlocked.Increment(ref Counters.SubscriptionsActive);
        if (spec.Kind == SubscriptionKind.Account) subscription.Fingerprint = AccountNotification.Fingerprint(_backend.Account(spec.Key, spec.Commitment, out _));
        connection.Enqueue(Outbound.Response(requestId, Encoding.ASCII.GetBytes(subscription.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        // Solana: a signature already at the asked commitment is notified at once (then the subscription ends).
        if (spec.Kind == SubscriptionKind.Signature && !NotifySignatureIfReached(subscription)) NotifyReceived(subscription);
    }

    private void Unsubscribe(PubSubCommand command)
    {
        if (!_subscriptions.TryGetValue(command.Subscription, out Subscription? subscription) || subscription.Connection != command.Connection || subscription.Spec.Kind != command.SubscriptionKind)
        {
            Interlocked.Increment(ref Counters.InvalidParams);
            command.Connection.Enqueue(Outbound.Error(command.RequestId, RpcError.Params("Invalid subscription id.")));
            return;
        }
        RemoveSubscription(subscription.Id, fromConnection: true);
        command.Connection.Enqueue(Outbound.Response(command.RequestId, "true"u8));
    }

    private void RemoveSubscription(ulong id, bool fromConnection)
    {
        if (!_subscriptions.Remove(id, out Subscription? subscription)) return;
        _byKind[(int)subscription.Spec.Kind].Remove(id);
        Interlocked.Decrement(ref Counters.SubscriptionsActive);
        if (fromConnection && _byConnection.TryGetValue(subscription.Connection, out HashSet<ulong>? ids)) ids.Remove(id);
    }

    /// <summary>Active subscriptions of <paramref name="kind"/> (PubSub thread; tests read it after the thread is idle).</summary>
    internal int CountOf(SubscriptionKind kind) => _byKind[(int)kind].Count;

    /// <summary>Queues a notification's shared bytes for <paramref name="subscription"/>.</summary>
    private void Send(Subscription subscription, byte[] notification)
    {
        if (!subscription.Connection.Enqueue(new Outbound(OutboundKind.Notification, notification, subscription.Id))) return;
        Interlocked.Increment(ref Counters.Notifications);
        Interlocked.Add(ref Counters.NotificationBytes, notification.Length);
    }

    /// <summary>Builds a notification whose result <paramref name="write"/> writes with the scratch writer.</summary>
    private byte[] Build(string method, Action<System.Text.Json.Utf8JsonWriter> write)
    {
        _scratch.Clear();
        using (System.Text.Json.Utf8JsonWriter w = new(_scratch)) write(w);
        return Outbound.NotificationBytes(method, _scratch.WrittenSpan);
    }

    public void Dispose()
    {
        _stopping = true;
        _wake.Set();
        if (_thread.IsAlive) _thread.Join(TimeSpan.FromSeconds(5));
        _wake.Dispose();
    }
}
