namespace Fast.Node.Rpc.PubSub;

/// <summary>
/// Hands every chain event to two listeners in turn (PubSub and the dashboard's latency measurement
/// both follow <see cref="Validator.ChainState.Events"/>). Called where the events are raised (the
/// banking and ledger-writer threads), so both listeners must not block.
/// </summary>
public sealed class ChainEventsFanOut(IChainEvents first, IChainEvents second) : IChainEvents
{
    /// <summary><paramref name="added"/> alone when there is no <paramref name="existing"/> listener, else both.</summary>
    public static IChainEvents Of(IChainEvents? existing, IChainEvents added) => existing is null ? added : new ChainEventsFanOut(existing, added);

    public void SlotFrozen(ulong slot, ulong parent)
    {
        first.SlotFrozen(slot, parent);
        second.SlotFrozen(slot, parent);
    }

    public void SlotConfirmed(ulong slot)
    {
        first.SlotConfirmed(slot);
        second.SlotConfirmed(slot);
    }

    public void SlotRooted(ulong slot)
    {
        first.SlotRooted(slot);
        second.SlotRooted(slot);
    }
}
