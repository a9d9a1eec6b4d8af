namespace Fast.Core.Primitives;

/// <summary>
/// A slot number: one leader's turn (ticksPerSlot PoH ticks, ~600 ms by default). Slot 0 is genesis.
/// </summary>
public readonly record struct Slot(ulong Value) : IComparable<Slot>
{
    public int CompareTo(Slot other) => Value.CompareTo(other.Value);

    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static Slot operator +(Slot value, ulong count) => new(checked(value.Value + count));
    public static ulong operator -(Slot left, Slot right) => checked(left.Value - right.Value);
    public static bool operator <(Slot left, Slot right) => left.Value < right.Value;
    public static bool operator >(Slot left, Slot right) => left.Value > right.Value;
    public static bool operator <=(Slot left, Slot right) => left.Value <= right.Value;
    public static bool operator >=(Slot left, Slot right) => left.Value >= right.Value;
}
