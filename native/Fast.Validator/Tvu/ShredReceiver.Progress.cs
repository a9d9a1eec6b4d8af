namespace Fast.Validator.Tvu;

public sealed partial class ShredReceiver
{
    /// <summary>
    /// Slots being received but not full (nor broken), lowest first, into <paramref name="slots"/>;
    /// returns how many. What repair looks at.
    /// </summary>
    public int IncompleteSlots(Span<ulong> slots)
    {
        int n = 0;
        foreach ((ulong slot, SlotState state) in _slots)
        {
            if (n == slots.Length) break;
            if (!state.Full && !state.Broken && !state.Duplicate) slots[n++] = slot;
        }
        return n;
    }

    /// <summary>How far a slot got: data shreds held, the last index when the LAST_IN_SLOT shred is known (else −1), and the highest data index held (−1 for none).</summary>
    public bool TryGetProgress(ulong slot, out int dataHeld, out long lastIndex, out long highestHeld)
    {
        dataHeld = 0;
        lastIndex = highestHeld = -1;
        if (!_slots.TryGetValue(slot, out SlotState? state)) return false;
        dataHeld = state.DataCount;
        lastIndex = state.LastIndex;
        highestHeld = state.HighestData;
        return true;
    }

    /// <summary>The parent slot a slot's data shreds name (false until one of its data shreds is held).</summary>
    public bool TryGetParentSlot(ulong slot, out ulong parentSlot)
    {
        parentSlot = 0;
        if (!_slots.TryGetValue(slot, out SlotState? state) || !state.ParentKnown) return false;
        parentSlot = state.ParentSlot;
        return true;
    }

    /// <summary>The data indexes below <paramref name="end"/> not held for <paramref name="slot"/>, lowest first; returns how many were written.</summary>
    public int MissingDataIndexes(ulong slot, uint end, Span<uint> missing)
    {
        if (!_slots.TryGetValue(slot, out SlotState? state)) return 0;
        int n = 0;
        for (uint i = 0; i < end && n < missing.Length; i++)
        {
            if (!SlotState.Test(state.DataHeld, i)) missing[n++] = i;
        }
        return n;
    }
}
