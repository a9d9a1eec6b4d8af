using Fast.Core.Primitives;
using Fast.Core.Repair;
using Fast.Core.Shreds;

namespace Fast.Simulation;

/// <summary>
/// What a simulated node was shown of the equivocating leaders' slots, for the report's check that
/// every honest node that saw both versions of a slot reported it and kept the evidence. The node
/// notes the set signature (its first 32 bytes, R) of each shred handed to its receiver for a slot an
/// equivocating leader leads and the receiver still looks at (above its root), from Turbine or an
/// accepted repair response; after the run the
/// producer's record says which version each signature signed (<see cref="BlockProducer.EquivocatedSetVersions"/>).
/// Nothing is noted in a run without byzantine leaders.
/// </summary>
internal sealed partial class SimNode
{
    /// <summary>Per slot of an equivocating leader: the distinct set signatures (R halves) this node's receiver was handed.</summary>
    public SortedDictionary<ulong, List<Hash>> EquivocatingSlotSignaturesSeen { get; } = [];

    /// <summary>A shred is about to reach the receiver: note its set signature when its slot's leader equivocates.</summary>
    private void NoteShredSeen(ReadOnlySpan<byte> packet)
    {
        Pubkey[] byzantine = _sim.ByzantineIdentities;
        if (byzantine.Length == 0 || !ShredView.TryParse(packet, out ShredView shred).IsOk || shred.Slot <= Tvu.RootSlot) return;
        Pubkey leader = _sim.ScheduleOf(Index).LeaderAt(shred.Slot);
        if (System.Array.IndexOf(byzantine, leader) < 0) return;
        if (!EquivocatingSlotSignaturesSeen.TryGetValue(shred.Slot, out List<Hash>? seen))
        {
            seen = [];
            EquivocatingSlotSignaturesSeen[shred.Slot] = seen;
        }
        Hash r = new(shred.SignatureBytes[..Hash.Size]);
        if (!seen.Contains(r)) seen.Add(r);
    }

    /// <summary>A repair response's shred, when the repair machine will accept it (its nonce is one we sent).</summary>
    private void NoteRepairedShredSeen(ReadOnlySpan<byte> packet, long acceptedBefore)
    {
        if (Repair.Counters.ResponsesAccepted == acceptedBefore) return;
        if (RepairWire.TrySplitResponse(packet, out ReadOnlySpan<byte> shred, out uint _)) NoteShredSeen(shred);
    }
}
