namespace Fast.Core.Collections;

/// <summary>
/// What a <see cref="BoundedQueue{T}"/> calls after each item it takes in, so a consumer that waits for
/// work (instead of polling) is woken: the implementation decides whether anyone waits (Fast.Node's
/// <c>Doorbell</c>). It must be cheap when no one does: it runs on every enqueue.
/// </summary>
public interface IQueueWaker
{
    void Wake();
}
