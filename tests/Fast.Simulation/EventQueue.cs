namespace Fast.Simulation;

/// <summary>What a scheduled simulation event is.</summary>
public enum SimEventKind : byte
{
    /// <summary>A packet reaches a node.</summary>
    Deliver,
    /// <summary>A node's periodic timer fires (its machines' OnTick).</summary>
    Tick,
    /// <summary>A slot's leader window opens on the scheduled leader.</summary>
    SlotStart,
    /// <summary>A node goes down (--crash) or comes back.</summary>
    Crash,
    Restart,
    /// <summary>The active leaders record the ticks and transfers due (every 20 ms).</summary>
    ProducerStep,
}

/// <summary>One scheduled event. Packet bytes are shared read-only: one array for every receiver of a multicast.</summary>
public readonly record struct SimEvent(SimEventKind Kind, int Node, ulong Slot = 0, int FromNode = -1, ushort ToPort = 0, byte[]? Packet = null, int Length = 0);

/// <summary>
/// One clock of the simulation: a min-heap of events by (virtual time, source, number). Each node has
/// its own (its packets and timers), and the cluster one more (slot starts, crashes, the leaders'
/// steps; source −1). An event's source is the node that scheduled it and its number counts that
/// source's events, so two events at the same nanosecond always run in the same order however the
/// nodes were spread over threads, and a seed replays the same run.
/// </summary>
public sealed class EventQueue(int source)
{
    private readonly PriorityQueue<SimEvent, (long Time, int Source, long Seq)> _heap = new();
    private long _seq;

    /// <summary>The time of the event being run (or the step this clock was last moved to).</summary>
    public long Now { get; private set; }

    public int Count => _heap.Count;

    /// <summary>Events this clock's owner has numbered (its own and the packets it sent).</summary>
    public long Scheduled => _seq;

    /// <summary>The next number of this clock's owner (a packet it sends is numbered from it).</summary>
    public long NextSeq() => _seq++;

    /// <summary>An event of this clock's owner.</summary>
    public void At(long timeNs, in SimEvent e) => At(timeNs, source, NextSeq(), e);

    /// <summary>An event from <paramref name="from"/> (its number <paramref name="seq"/>), e.g. a packet it sent.</summary>
    public void At(long timeNs, int from, long seq, in SimEvent e)
    {
        if (timeNs < Now) throw new InvalidOperationException($"event scheduled in the past ({timeNs} < {Now})");
        _heap.Enqueue(e, (timeNs, from, seq));
    }

    public void After(long delayNs, in SimEvent e) => At(Now + delayNs, e);

    /// <summary>The time of the next event (false when none is left).</summary>
    public bool TryPeekTime(out long timeNs)
    {
        bool any = _heap.TryPeek(out _, out (long Time, int Source, long Seq) when);
        timeNs = when.Time;
        return any;
    }

    /// <summary>Moves the clock forward to <paramref name="timeNs"/> with no event (the start of a step).</summary>
    public void AdvanceTo(long timeNs)
    {
        if (timeNs > Now) Now = timeNs;
    }

    /// <summary>The next event before <paramref name="beforeNs"/> (exclusive), if any; the clock moves to it.</summary>
    public bool TryNextBefore(long beforeNs, out SimEvent e)
    {
        if (_heap.TryPeek(out _, out (long Time, int Source, long Seq) when) && when.Time < beforeNs)
        {
            e = _heap.Dequeue();
            Now = when.Time;
            return true;
        }
        e = default;
        return false;
    }
}
