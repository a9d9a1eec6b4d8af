using System.Diagnostics;

namespace Fast.Node.LoadGen;

/// <summary>
/// bench-tps's estimate of the node's current slot between RPC observations: the last slot the
/// node reported plus the wall time since (rounded up), at the shorter of 400 ms and the average
/// slot duration observed so far — so while the node does not answer, the estimate runs ahead of
/// it rather than behind, and blockhashes read older than they are (the safe side). Observed by
/// the controller (an async task), read by the sender and signer threads: state is swapped as one
/// immutable snapshot.
/// </summary>
public sealed class SlotClock
{
    /// <summary>The slot duration assumed before the node's own has been measured.</summary>
    public const double AssumedSlotMs = 400;

    private sealed record Snapshot(ulong Slot, long At, ulong FirstSlot, long FirstAt, double TicksPerSlot);

    private Snapshot? _snapshot;

    /// <summary>The node reported <paramref name="slot"/> at <paramref name="timestamp"/> (Stopwatch ticks).</summary>
    public void Observe(ulong slot, long timestamp)
    {
        Snapshot? last = Volatile.Read(ref _snapshot);
        double assumed = AssumedSlotMs / 1000 * Stopwatch.Frequency;
        if (last is null)
        {
            Volatile.Write(ref _snapshot, new Snapshot(slot, timestamp, slot, timestamp, assumed));
            return;
        }
        if (slot < last.Slot) return; // an older answer arriving late says nothing new
        double measured = slot - last.FirstSlot >= 4 ? (double)(timestamp - last.FirstAt) / (slot - last.FirstSlot) : assumed;
        Volatile.Write(ref _snapshot, new Snapshot(slot, timestamp, last.FirstSlot, last.FirstAt, Math.Max(1, Math.Min(assumed, measured))));
    }

    /// <summary>Whether any slot was observed yet.</summary>
    public bool Started => Volatile.Read(ref _snapshot) is not null;

    /// <summary>The node's slot at <paramref name="timestamp"/>, extrapolated from the last observation (0 before any).</summary>
    public ulong Estimate(long timestamp)
    {
        Snapshot? s = Volatile.Read(ref _snapshot);
        if (s is null) return 0;
        long elapsed = Math.Max(0, timestamp - s.At);
        return s.Slot + (ulong)Math.Ceiling(elapsed / s.TicksPerSlot);
    }

    /// <summary>The slot duration the estimate uses, in ms.</summary>
    public double SlotMs => (Volatile.Read(ref _snapshot)?.TicksPerSlot ?? AssumedSlotMs / 1000 * Stopwatch.Frequency) * 1000 / Stopwatch.Frequency;
}
