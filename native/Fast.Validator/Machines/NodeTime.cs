namespace Fast.Validator.Machines;

/// <summary>
/// A node's clock reading, in nanoseconds since an arbitrary origin (the node's start, or the
/// simulation's). Machines never read a clock: every event they handle carries the time it happened,
/// given by Fast.Node (a monotonic clock) or by the simulator (virtual time). Only differences and
/// comparisons mean anything; two nodes' readings are not comparable.
/// </summary>
public readonly record struct NodeTime(long Nanoseconds) : IComparable<NodeTime>
{
    public static NodeTime Zero => default;

    public static NodeTime FromMilliseconds(long milliseconds) => new(checked(milliseconds * 1_000_000));

    public static NodeTime FromMicroseconds(long microseconds) => new(checked(microseconds * 1_000));

    public long Milliseconds => Nanoseconds / 1_000_000;

    public NodeTime AddMilliseconds(long milliseconds) => new(checked(Nanoseconds + milliseconds * 1_000_000));

    public NodeTime Add(long nanoseconds) => new(checked(Nanoseconds + nanoseconds));

    /// <summary>Nanoseconds from <paramref name="earlier"/> to this reading (negative when it is later).</summary>
    public long Since(NodeTime earlier) => Nanoseconds - earlier.Nanoseconds;

    public int CompareTo(NodeTime other) => Nanoseconds.CompareTo(other.Nanoseconds);

    public static bool operator <(NodeTime a, NodeTime b) => a.Nanoseconds < b.Nanoseconds;
    public static bool operator >(NodeTime a, NodeTime b) => a.Nanoseconds > b.Nanoseconds;
    public static bool operator <=(NodeTime a, NodeTime b) => a.Nanoseconds <= b.Nanoseconds;
    public static bool operator >=(NodeTime a, NodeTime b) => a.Nanoseconds >= b.Nanoseconds;

    public override string ToString() => $"{Nanoseconds / 1_000_000.0:F3} ms";
}
