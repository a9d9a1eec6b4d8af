using Fast.Node.Cluster;

namespace Fast.Node.Validator;

/// <summary>
/// Whether a node that is catching up can still do it by repair. Peers keep shreds for
/// <see cref="ShredStore.RetainedSlotsBelowRoot"/> slots below their root, and their root trails the
/// newest block by the root distance; a node whose replay stopped more than both below the newest
/// block it received needs slots nobody serves any more. It would wait forever: it says so and stops
/// (a snapshot to start from is not supported yet). A node still replaying is never stopped.
/// </summary>
public static class CatchUpVerdict
{
    /// <summary>How long replay must stand still before the node gives up.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>The one-line reason to stop, or null while catching up by repair is still possible.</summary>
    public static string? Hopeless(ulong replayed, ulong newestReceived, ulong rootDistance, TimeSpan withoutProgress)
    {
        if (newestReceived <= replayed || withoutProgress < Patience) return null;
        ulong behind = newestReceived - replayed;
        ulong served = ShredStore.RetainedSlotsBelowRoot + rootDistance;
        if (behind <= served) return null;
        return $"this node replayed up to slot {replayed} but the cluster is at slot {newestReceived} or later: {behind} slots behind, further back than the "
            + $"{ShredStore.RetainedSlotsBelowRoot} slots below their root that peers keep for repair, and no slot was replayed for {withoutProgress.TotalSeconds:0} s. "
            + "It cannot catch up without a snapshot, which is not supported yet: start it on a copy of a peer's ledger";
    }
}
