using Fast.Core.Shreds;
using Fast.Validator.Repair;

namespace Fast.Simulation;

/// <summary>
/// A simulated node's Blockstore: the data shreds it holds, by slot and index, as references to the
/// packets it received (shared read-only with every other receiver of the same packet, so 100 nodes do
/// not keep 100 copies). Serves repair; pruned below the retained window.
/// </summary>
internal sealed class SimShredStore : IShredStore
{
    private readonly SortedDictionary<ulong, byte[]?[]> _slots = [];

    public void Put(ulong slot, uint index, byte[] shred)
    {
        if (index >= ShredLayout.MaxShredsPerSlot) return;
        if (!_slots.TryGetValue(slot, out byte[]?[]? shreds))
        {
            shreds = new byte[]?[64];
            _slots[slot] = shreds;
        }
        if (index >= shreds.Length)
        {
            Array.Resize(ref shreds, (int)Math.Min(ShredLayout.MaxShredsPerSlot, Math.Max(index + 1, (uint)shreds.Length * 2)));
            _slots[slot] = shreds;
        }
        shreds[index] = shred;
    }

    public byte[]?[]? Slot(ulong slot) => _slots.GetValueOrDefault(slot);

    public int ReadDataShred(ulong slot, uint index, Span<byte> destination)
    {
        if (!_slots.TryGetValue(slot, out byte[]?[]? shreds) || index >= shreds.Length || shreds[index] is not byte[] shred) return 0;
        shred.CopyTo(destination);
        return shred.Length;
    }

    public long HighestDataIndex(ulong slot)
    {
        if (!_slots.TryGetValue(slot, out byte[]?[]? shreds)) return -1;
        for (int i = shreds.Length - 1; i >= 0; i--) if (shreds[i] is not null) return i;
        return -1;
    }

    public void PruneBelow(ulong slot)
    {
        while (_slots.Count > 0)
        {
            ulong first = _slots.Keys.First();
            if (first >= slot) break;
            _slots.Remove(first);
        }
    }
}
