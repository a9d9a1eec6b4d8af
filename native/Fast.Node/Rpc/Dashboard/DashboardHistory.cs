using System.Text.Json;

namespace Fast.Node.Rpc.Dashboard;

/// <summary>One history point: the chain at one moment and what happened since the point before it.</summary>
public readonly record struct DashboardPoint(
    long UnixMs, ulong Processed, ulong Confirmed, ulong Finalized, double TransactionsPerSecond, LatencyBucket Latency);

/// <summary>
/// The dashboard's last minutes: one <see cref="DashboardPoint"/> per period (a second by default) in a
/// ring of <see cref="Capacity"/> points, so its memory is fixed. <see cref="Record"/> is called by the
/// node's dashboard timer (one thread); <see cref="WriteSince"/> by HTTP request threads. Both take a
/// lock held only to copy a point in or the points out (never by a pipeline thread).
/// </summary>
public sealed class DashboardHistory
{
    /// <summary>Points kept: ten minutes of one-second points.</summary>
    public const int DefaultCapacity = 600;

    private readonly Lock _gate = new();
    private readonly DashboardPoint[] _ring;
    private int _count;
    private int _next;
    private bool _started;
    private long _lastMonotonicMs;
    private ulong _lastTransactions;

    public DashboardHistory(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        _ring = new DashboardPoint[capacity];
    }

    public int Capacity => _ring.Length;

    public int Count
    {
        get
        {
            lock (_gate) return _count;
        }
    }

    /// <summary>
    /// Adds a point: the slots now, the transactions per second since the previous call (from the
    /// cumulative committed count and a monotonic clock), and the latency bucket of the period. The
    /// first call only sets the baseline for the rate (no point: there is no period yet).
    /// </summary>
    public void Record(long unixMs, long monotonicMs, ulong processed, ulong confirmed, ulong finalized, ulong cumulativeTransactions, LatencyBucket latency)
    {
        lock (_gate)
        {
            if (!_started)
            {
                _started = true;
                _lastMonotonicMs = monotonicMs;
                _lastTransactions = cumulativeTransactions;
                return;
            }
            double seconds = Math.Max(0.001, (monotonicMs - _lastMonotonicMs) / 1000.0);
            // A count that went back (a restart's recovery resets it) is a period of no known rate, not a negative one.
            ulong transactions = cumulativeTransactions >= _lastTransactions ? cumulativeTransactions - _lastTransactions : 0;
            _lastMonotonicMs = monotonicMs;
            _lastTransactions = cumulativeTransactions;
            _ring[_next] = new DashboardPoint(unixMs, processed, confirmed, finalized, transactions / seconds, latency);
            _next = (_next + 1) % _ring.Length;
            if (_count < _ring.Length) _count++;
        }
    }

    /// <summary>The points newer than <paramref name="sinceUnixMs"/> (oldest first) as parallel arrays under "history".</summary>
    public void WriteSince(Utf8JsonWriter w, long sinceUnixMs)
    {
        DashboardPoint[] points = PointsSince(sinceUnixMs);
        w.WriteStartObject("history");
        WriteColumn(w, "t", points, static (Utf8JsonWriter w, in DashboardPoint p) => w.WriteNumberValue(p.UnixMs));
        WriteColumn(w, "tps", points, static (Utf8JsonWriter w, in DashboardPoint p) => w.WriteNumberValue(Math.Round(p.TransactionsPerSecond, 1)));
        WriteColumn(w, "latencyStartMs", points, static (Utf8JsonWriter w, in DashboardPoint p) => WriteMsOrNull(w, p.Latency.Slots, p.Latency.MeanStartToConfirmedMs));
        WriteColumn(w, "latencyFreezeMs", points, static (Utf8JsonWriter w, in DashboardPoint p) => WriteMsOrNull(w, p.Latency.Slots, p.Latency.MeanFreezeToConfirmedMs));
        WriteColumn(w, "latencyMaxMs", points, static (Utf8JsonWriter w, in DashboardPoint p) => WriteMsOrNull(w, p.Latency.Slots, p.Latency.MaxStartToConfirmedMs));
        WriteColumn(w, "processed", points, static (Utf8JsonWriter w, in DashboardPoint p) => w.WriteNumberValue(p.Processed));
        WriteColumn(w, "confirmed", points, static (Utf8JsonWriter w, in DashboardPoint p) => w.WriteNumberValue(p.Confirmed));
        WriteColumn(w, "finalized", points, static (Utf8JsonWriter w, in DashboardPoint p) => w.WriteNumberValue(p.Finalized));
        w.WriteEndObject();
    }

    /// <summary>The points newer than <paramref name="sinceUnixMs"/>, oldest first.</summary>
    public DashboardPoint[] PointsSince(long sinceUnixMs)
    {
        lock (_gate)
        {
            int oldest = (_next - _count + _ring.Length) % _ring.Length;
            int skip = 0;
            while (skip < _count && _ring[(oldest + skip) % _ring.Length].UnixMs <= sinceUnixMs) skip++;
            var points = new DashboardPoint[_count - skip];
            for (int i = 0; i < points.Length; i++) points[i] = _ring[(oldest + skip + i) % _ring.Length];
            return points;
        }
    }

    private delegate void PointWriter(Utf8JsonWriter w, in DashboardPoint p);

    private static void WriteColumn(Utf8JsonWriter w, string name, DashboardPoint[] points, PointWriter write)
    {
        w.WriteStartArray(name);
        foreach (DashboardPoint p in points) write(w, p);
        w.WriteEndArray();
    }

    private static void WriteMsOrNull(Utf8JsonWriter w, int slots, double ms)
    {
        if (slots == 0) w.WriteNullValue();
        else w.WriteNumberValue(Math.Round(ms, 1));
    }
}
