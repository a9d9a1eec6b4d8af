using Fast.Core.Primitives;
using Fast.Core.Shreds;
using Fast.Validator.Forks;

namespace Fast.Simulation;

/// <summary>
/// The report's figures for the injected faults (issue 11's "Done when" at 100 nodes): whether the
/// --crash nodes caught up after their restart (every block of the final chain replayed, rooted with
/// the rest, and how many slots the catch-up took), and whether every honest node that was shown both
/// versions of an equivocating leader's slot reported it and kept evidence that verifies. Each figure
/// is a count over nodes or (node, slot) pairs, zero in a run without that fault.
/// </summary>
internal sealed partial class SimulationReport
{
    public long CrashedNodesCaughtUp { get; private set; }
    public long MaxSlotsBehindAtEnd { get; private set; }
    public long EquivocationsSeenByHonest { get; private set; }
    public long EquivocationsSeenButNotReported { get; private set; }

    /// <summary>
    /// Crashed nodes (the last --crash K by index) that hold every block of the final chain
    /// (<paramref name="missing"/> is per node) and rooted at least as far as the lowest root of the
    /// live nodes that never crashed; the slots each took after its restart to reach the slowest
    /// never-crashed node's tip (<see cref="Simulation.CaughtUpAtSlot"/>; −1 when one never did); and
    /// the live nodes' distance, in slots, from the final tip.
    /// </summary>
    private void MeasureCrash(Simulation sim, BlockRef tip, long[] missing)
    {
        SimNode[] nodes = sim.Nodes;
        long lowestSteadyRoot = long.MaxValue;
        foreach (SimNode n in nodes)
        {
            if (!n.Down && !sim.Crashes(n.Index)) lowestSteadyRoot = Math.Min(lowestSteadyRoot, (long)n.Forks.Root.Slot);
        }
        long crashed = 0, crashedLowestRoot = 0, catchUpSlotsMax = 0;
        bool first = true;
        foreach (SimNode n in nodes)
        {
            if (!sim.Crashes(n.Index)) continue;
            crashed++;
            long root = (long)n.Forks.Root.Slot;
            crashedLowestRoot = first ? root : Math.Min(crashedLowestRoot, root);
            first = false;
            if (!n.Down && missing[n.Index] == 0 && root >= lowestSteadyRoot) CrashedNodesCaughtUp++;
            if (sim.Options.CrashSlots is SlotWindow w && catchUpSlotsMax >= 0)
            {
                catchUpSlotsMax = sim.CaughtUpAtSlot.TryGetValue(n.Index, out ulong at) ? Math.Max(catchUpSlotsMax, (long)(at - w.To)) : -1;
            }
        }
        foreach (SimNode n in nodes)
        {
            if (!n.Down && n.Forks.Best.Slot < tip.Slot) MaxSlotsBehindAtEnd = Math.Max(MaxSlotsBehindAtEnd, (long)(tip.Slot - n.Forks.Best.Slot));
        }
        _fields["crashed_nodes"] = crashed;
        _fields["crashed_nodes_caught_up"] = CrashedNodesCaughtUp;
        _fields["crashed_nodes_lowest_root_slot"] = crashedLowestRoot;
        _fields["crashed_nodes_catch_up_slots_max"] = catchUpSlotsMax;
        _fields["max_slots_behind_at_end"] = MaxSlotsBehindAtEnd;
    }

    /// <summary>
    /// For every honest node and every slot an equivocating leader sent two versions of: whether the
    /// node's receiver was handed shreds of both versions (<see cref="SimNode.EquivocatingSlotSignaturesSeen"/>
    /// against the producer's record of which set signature is which version), and if so whether it
    /// reported the slot (holds evidence for it). Every piece of evidence an honest node holds is
    /// verified as a slashing instruction would (<see cref="DuplicateShredEvidence.Verify"/>).
    /// </summary>
    private void MeasureEquivocation(Simulation sim)
    {
        SortedDictionary<(ulong Slot, Hash SignatureR), bool> versions = sim.Producer.EquivocatedSetVersions();
        SortedSet<ulong> slots = sim.Producer.EquivocatedSlots();
        long reported = 0, nodesSawBoth = 0, evidenceHeld = 0, evidenceProven = 0;
        foreach (SimNode n in sim.Nodes.Where(n => !n.Byzantine))
        {
            bool sawBoth = false;
            foreach ((ulong slot, List<Hash> seen) in n.EquivocatingSlotSignaturesSeen)
            {
                if (!slots.Contains(slot)) continue;
                bool a = false, b = false;
                foreach (Hash r in seen)
                {
                    if (!versions.TryGetValue((slot, r), out bool isB)) continue;
                    a |= !isB;
                    b |= isB;
                }
                if (!a || !b) continue;
                sawBoth = true;
                EquivocationsSeenByHonest++;
                if (n.Evidence.Exists(e => e.Slot == slot)) reported++;
                else EquivocationsSeenButNotReported++;
            }
            if (sawBoth) nodesSawBoth++;
            foreach ((ulong slot, byte[] evidence) in n.Evidence)
            {
                evidenceHeld++;
                if (DuplicateShredEvidence.Verify(sim.Schedule.LeaderAt(slot), evidence, out _) == EvidenceVerdict.Proven) evidenceProven++;
            }
        }
        _fields["equivocating_slots"] = (long)slots.Count;
        _fields["equivocations_seen_by_honest"] = EquivocationsSeenByHonest;
        _fields["equivocations_reported_by_honest"] = reported;
        _fields["equivocations_seen_but_not_reported"] = EquivocationsSeenButNotReported;
        _fields["honest_nodes_that_saw_both_versions"] = nodesSawBoth;
        _fields["honest_evidence_held"] = evidenceHeld;
        _fields["honest_evidence_proven"] = evidenceProven;
    }
}
