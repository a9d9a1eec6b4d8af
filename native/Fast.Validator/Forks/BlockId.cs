using Fast.Core.Primitives;

namespace Fast.Validator.Forks;

/// <summary>
/// One block: a slot and the id of what its leader sent for it (the root of its last FEC set). An
/// equivocating leader makes two blocks for one slot, so everything that names a block — forks,
/// roots, repair, evidence, votes — names it by this pair, never by slot alone (ARCHITECTURE.md,
/// "Block identity"; the decision is written in docs/cluster.md). Ordered by slot, then id, so sorted
/// collections of blocks iterate the same way on every node.
/// </summary>
public readonly record struct BlockRef(ulong Slot, Hash Id) : IComparable<BlockRef>
{
    public int CompareTo(BlockRef other)
    {
        int c = Slot.CompareTo(other.Slot);
        return c != 0 ? c : Id.CompareTo(other.Id);
    }

    public override string ToString() => $"{Slot}/{Convert.ToHexString(Id.Span[..4]).ToLowerInvariant()}";
}
