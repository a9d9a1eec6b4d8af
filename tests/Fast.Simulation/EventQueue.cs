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
}

/// <summary>One scheduled event. Packet bytes are shared read-only: one array for every receiver of a multicast.</summary>
public readonly record struct SimEvent(SimEventKind Kind, int Node, ulong Slot = 0, int FromNode = -1, ushort ToPort = 0, byte[]? Packet = null, int Length = 0);

/// <summary>
/// The simulation's one clock: a min-heap of events by (virtual time, insertion number). The
/// insertion number breaks ties, so two events at the same nanosecond always run in the order they
/// were scheduled and a seed replays the same run.
/// </summary>
public sealed class EventQueue
{
    private readonly PriorityQueue<SimEvent, (long Time, long Seq)> _heap = new();
    private long _seq;

    public long Now { get; private set; }

    public int Count => _heap.Count;

    public long Scheduled => _seq;

    public void At(long timeNs, in SimEvent e)
    {
        if (timeNs < Now) throw new InvalidOperationException($"event scheduled in the past ({timeNs} < {Now})");
        _heap.Enqueue(e, (timeNs, _seq++));
    }

    public void After(long delayNs, in SimEvent e) => At(Now + delayNs, e);

    /// <summary>The time of the next event (false when none is left).</summary>
    public bool TryPeekTime(out long timeNs)
    {
        bool any = _heap.TryPeek(out _, out (long Time, long Seq) when);
        timeNs = when.Time;
        return any;
    }

    /// <summary>Moves the clock forward to <paramref name="timeNs"/> with no event (a replay step's boundary).</summary>
    public void AdvanceTo(long timeNs)
    {
        if (timeNs < Now) throw new InvalidOperationException($"the clock cannot go back ({timeNs} < {Now})");
        Now = timeNs;
    }

    public bool TryNext(long until, out SimEvent e)
    {
        if (_heap.TryPeek(out _, out (long Time, long Seq) when) && when.Time <= until)
        {
            e = _heap.Dequeue();
            Now = when.Time;
            return true;
        }
        e = default;
        return false;
    }
}
