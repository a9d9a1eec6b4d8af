using Fast.Node.Rpc.PubSub;

namespace Fast.Node.Rpc.Dashboard;

/// <summary>
/// Measures how long slots take to be confirmed, for the dashboard's latency chart: told of every
/// freeze and confirmation (it is one of <see cref="Validator.ChainState.Events"/>' listeners), it notes when
/// each slot froze here and how long after the slot's start that was, and, when the confirmed tip
/// moves, adds every newly confirmed slot's freeze → confirmed time and slot start → confirmed time
/// to the current bucket, which <see cref="TakeBucket"/> empties once per history point. Slot start →
/// confirmed bounds the wait of any transaction in the slot. Called on the banking and
/// ledger-writer threads, so it never blocks: fixed arrays and interlocked updates only, no
/// allocation. A slot whose freeze it did not see (older than <see cref="FreezeTimesKept"/> slots, or
/// frozen before it was attached) is not counted.
/// </summary>
public sealed class ConfirmationLatency : IChainEvents
{
    /// <summary>Freeze times are kept for this many recent slots (a ring indexed by slot).</summary>
    public const int FreezeTimesKept = 1024;

    /// <summary>At most this many slots are measured per confirmation step (a big jump after a stall counts its newest slots).</summary>
    public const int MaxSlotsPerStep = 64;

    private readonly long[] _frozenAtMs = new long[FreezeTimesKept];
    private readonly long[] _startToFreezeMicros = new long[FreezeTimesKept];
    private readonly long[] _frozenSlot = new long[FreezeTimesKept];
    private readonly Func<long> _nowMs;
    private readonly Func<ulong, double> _startToFreezeMs;
    private long _lastConfirmed = -1;
    private long _count;
    private long _sumStartMicros;
    private long _sumFreezeMicros;
    private long _maxStartMicros;

    /// <param name="nowMs">A monotonic clock in milliseconds (the node's Environment.TickCount64).</param>
    /// <param name="startToFreezeMs">
    /// Asked when a slot freezes: how long ago the slot started (a leader's own block: the time it took to
    /// make; a replayed block: the time since the slot's scheduled start; 0 when unknown).
    /// </param>
    public ConfirmationLatency(Func<long> nowMs, Func<ulong, double> startToFreezeMs)
    {
        _nowMs = nowMs;
        _startToFreezeMs = startToFreezeMs;
        Array.Fill(_frozenSlot, -1);
    }

    public void SlotFrozen(ulong slot, ulong parent)
    {
        int i = (int)(slot % FreezeTimesKept);
        // The time first, then the slot that makes it valid (a reader checks the slot on both sides).
        Volatile.Write(ref _frozenSlot[i], -1);
        Volatile.Write(ref _frozenAtMs[i], _nowMs());
        Volatile.Write(ref _startToFreezeMicros[i], (long)(Math.Max(0, _startToFreezeMs(slot)) * 1000));
        Volatile.Write(ref _frozenSlot[i], (long)slot);
    }

    public void SlotConfirmed(ulong slot)
    {
        long now = _nowMs();
        long previous = Interlocked.Exchange(ref _lastConfirmed, (long)slot);
        if (previous >= (long)slot) return;
        long from = Math.Max(previous + 1, (long)slot - MaxSlotsPerStep + 1);
        for (long s = from; s <= (long)slot; s++)
        {
            int i = (int)((ulong)s % FreezeTimesKept);
            if (Volatile.Read(ref _frozenSlot[i]) != s) continue;
            long frozenAt = Volatile.Read(ref _frozenAtMs[i]);
            long startToFreeze = Volatile.Read(ref _startToFreezeMicros[i]);
            if (Volatile.Read(ref _frozenSlot[i]) != s) continue;
            long freezeMicros = Math.Max(0, now - frozenAt) * 1000;
            long startMicros = freezeMicros + startToFreeze;
            Interlocked.Increment(ref _count);
            Interlocked.Add(ref _sumFreezeMicros, freezeMicros);
            Interlocked.Add(ref _sumStartMicros, startMicros);
            long max = Volatile.Read(ref _maxStartMicros);
            while (startMicros > max)
            {
                long seen = Interlocked.CompareExchange(ref _maxStartMicros, startMicros, max);
                if (seen == max) break;
                max = seen;
            }
        }
    }

    public void SlotRooted(ulong slot)
    {
    }

    /// <summary>The slots confirmed since the previous call and their mean and worst latencies; empties the bucket.</summary>
    public LatencyBucket TakeBucket()
    {
        long count = Interlocked.Exchange(ref _count, 0);
        long start = Interlocked.Exchange(ref _sumStartMicros, 0);
        long freeze = Interlocked.Exchange(ref _sumFreezeMicros, 0);
        long max = Interlocked.Exchange(ref _maxStartMicros, 0);
        return count == 0 ? default : new LatencyBucket((int)count, start / 1000.0 / count, freeze / 1000.0 / count, max / 1000.0);
    }
}

/// <summary>
/// What <see cref="ConfirmationLatency"/> measured over one history period: how many slots were confirmed,
/// their mean slot start → confirmed and freeze → confirmed times, and the worst slot start → confirmed.
/// </summary>
public readonly record struct LatencyBucket(int Slots, double MeanStartToConfirmedMs, double MeanFreezeToConfirmedMs, double MaxStartToConfirmedMs);
