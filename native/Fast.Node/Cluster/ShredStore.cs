using Fast.Core.Shreds;
using Fast.Validator.Repair;

namespace Fast.Node.Cluster;

/// <summary>
/// The data shreds this node holds, received, recovered or its own, kept whole so repair serves peers
/// the original bytes (each proves itself by its Merkle proof and the leader's signed root). In memory,
/// for the slots above the root less <see cref="RetainedSlotsBelowRoot"/>: a node serves repair for
/// what it holds since it started (a restarted node's Blockstore keeps entries, not shreds: see
/// docs/cluster.md). The cluster network thread's alone.
/// </summary>
public sealed class ShredStore : IShredStore
{
    /// <summary>Slots kept below the root for peers that are catching up.</summary>
    public const ulong RetainedSlotsBelowRoot = 512;

    private readonly Dictionary<ulong, List<byte[]?>> _slots = [];

    public int SlotCount => _slots.Count;

    public void Put(ulong slot, uint index, ReadOnlySpan<byte> shred)
    {
        if (index >= ShredLayout.MaxShredsPerSlot) return;
        if (!_slots.TryGetValue(slot, out List<byte[]?>? shreds)) _slots[slot] = shreds = [];
        while (shreds.Count <= index) shreds.Add(null);
        shreds[(int)index] ??= shred.ToArray();
    }

    public byte[]? Get(ulong slot, uint index) =>
        _slots.TryGetValue(slot, out List<byte[]?>? shreds) && index < shreds.Count ? shreds[(int)index] : null;

    public int ReadDataShred(ulong slot, uint index, Span<byte> destination)
    {
        byte[]? shred = Get(slot, index);
        if (shred is null || shred.Length > destination.Length) return 0;
        shred.CopyTo(destination);
        return shred.Length;
    }

    public long HighestDataIndex(ulong slot)
    {
        if (!_slots.TryGetValue(slot, out List<byte[]?>? shreds)) return -1;
        for (int i = shreds.Count - 1; i >= 0; i--)
        {
            if (shreds[i] is not null) return i;
        }
        return -1;
    }

    /// <summary>Forgets slots below <paramref name="root"/> − <see cref="RetainedSlotsBelowRoot"/>.</summary>
    public void Prune(ulong root)
    {
        if (root <= RetainedSlotsBelowRoot) return;
        ulong floor = root - RetainedSlotsBelowRoot;
        foreach (ulong slot in _slots.Keys.Where(s => s < floor).ToList()) _slots.Remove(slot);
    }
}
