namespace Fast.Node.Rpc.PubSub;

/// <summary>
/// What the validator's chain tells PubSub: a slot froze (processed), the confirmed tip moved, a slot
/// was rooted (finalized). ChainState calls it from the banking and ledger-writer threads, so an
/// implementation must return at once and never block (PubSubService queues and counts drops).
/// </summary>
public interface IChainEvents
{
    void SlotFrozen(ulong slot, ulong parent);

    void SlotConfirmed(ulong slot);

    void SlotRooted(ulong slot);
}

/// <summary>Which commitment a chain event moved: processed (frozen), confirmed, finalized (rooted).</summary>
public enum ChainEventKind : byte
{
    Frozen,
    Confirmed,
    Rooted,
}

/// <summary>One chain event in the queue from the validator's threads to the PubSub thread.</summary>
public readonly record struct ChainEvent(ChainEventKind Kind, ulong Slot, ulong Parent);

/// <summary>What a connection asks of the PubSub thread.</summary>
public enum PubSubCommandKind : byte
{
    Subscribe,
    Unsubscribe,

    /// <summary>The connection closed: its subscriptions go.</summary>
    Closed,
}

/// <summary>A request from a connection's task to the PubSub thread, which owns every subscription.</summary>
public sealed record PubSubCommand(PubSubCommandKind Kind, PubSubConnection Connection, string RequestId, SubscriptionSpec? Spec, SubscriptionKind SubscriptionKind, ulong Subscription);
