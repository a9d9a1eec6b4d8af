namespace Fast.Core.Primitives;

/// <summary>
/// An epoch number: a fixed run of slots with one leader schedule and one stake snapshot.
/// </summary>
public readonly record struct Epoch(ulong Value) : IComparable<Epoch>
{
    public int CompareTo(Epoch other) => Value.CompareTo(other.Value);

    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static Epoch operator +(Epoch value, ulong count) => new(checked(value.Value + count));
    public static ulong operator -(Epoch left, Epoch right) => checked(left.Value - right.Value);
    public static bool operator <(Epoch left, Epoch right) => left.Value < right.Value;
    public static bool operator >(Epoch left, Epoch right) => left.Value > right.Value;
    public static bool operator <=(Epoch left, Epoch right) => left.Value <= right.Value;
    public static bool operator >=(Epoch left, Epoch right) => left.Value >= right.Value;
}
