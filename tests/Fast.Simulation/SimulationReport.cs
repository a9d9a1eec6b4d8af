using System.Globalization;
using System.Text;
using System.Text.Json;
using Fast.Validator.Forks;
using Fast.Validator.Repair;
using Fast.Validator.Tvu;

namespace Fast.Simulation;

/// <summary>
/// What a run measured, as one JSON object (ARCHITECTURE.md's benchmark convention, minus the machine:
/// a report must be identical across machines for one seed). Fractions are printed with four
/// decimals from integer counts. Only what the simulated cluster really does is reported: blocks are
/// broadcast, received, recovered, deshredded and chained into forks; they are not executed yet, so
/// there is no bank hash to compare (the notes say so).
/// </summary>
internal sealed class SimulationReport
{
    /// <summary>A node holds a slot "in slot" when it has every data shred within this long after the leader sent the last one.</summary>
    public const long DeliveryWindowNs = 400_000_000;

    private readonly SortedDictionary<string, object> _fields = new(StringComparer.Ordinal);
    private readonly List<string> _notes = [];

    public long SlotsProduced { get; private set; }
    public long SlotsReceivedByAll { get; private set; }
    public double ShredDeliveryInSlot { get; private set; }
    public double FecRecoveredWithoutRepair { get; private set; }
    public long RootDivergence { get; private set; }
    public long EquivocationsDetected { get; private set; }
    public long HonestNodesWithEvidence { get; private set; }
    public long DeshredFailures { get; private set; }
    public long RootedSlotsMin { get; private set; }

    public static SimulationReport Measure(Simulation sim)
    {
        SimulationReport r = new();
        SimulationOptions o = sim.Options;
        SimNode[] nodes = sim.Nodes;
        SortedDictionary<ulong, (long LastSendNs, int Sets, BlockRef Block, int Leader)> produced = sim.Producer.Produced;
        r.SlotsProduced = produced.Count;

        // Delivery within the slot, and FEC sets completed without repair, over (receiver, produced slot) pairs.
        long pairs = 0, inTime = 0, setsExpected = 0;
        foreach ((ulong slot, (long lastSend, int sets, BlockRef _, int leader)) in produced)
        {
            for (int i = 0; i < nodes.Length; i++)
            {
                if (i == leader || WasDownAround(sim, i, slot)) continue;
                pairs++;
                setsExpected += sets;
                if (nodes[i].FullAt.TryGetValue(slot, out long at) && at <= lastSend + DeliveryWindowNs) inTime++;
            }
        }
        long setsCompleted = 0;
        TvuCounters total = default;
        foreach (SimNode n in nodes)
        {
            TvuCounters c = n.Tvu.Counters;
            setsCompleted += c.SetsCompletedByReceipt + c.SetsRecovered + n.RetiredCounters.SetsCompletedByReceipt + n.RetiredCounters.SetsRecovered;
            Sum(ref total, c);
            Sum(ref total, n.RetiredCounters);
            r.DeshredFailures += n.DeshredFailures;
        }
        r.ShredDeliveryInSlot = pairs == 0 ? 1 : (double)inTime / pairs;
        r.FecRecoveredWithoutRepair = setsExpected == 0 ? 1 : Math.Min(1.0, (double)setsCompleted / setsExpected);

        // The final chain: the tip most live nodes chose (ties: the lowest block).
        SimNode[] live = [.. nodes.Where(n => !n.Down)];
        BlockRef tip = live.GroupBy(n => n.Forks.Best).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
        SimNode tipHolder = live.First(n => n.Forks.Best == tip);
        List<BlockRef> chain = [];
        for (BlockRef b = tip; ; )
        {
            chain.Add(b);
            if (!tipHolder.Forks.TryGetParent(b, out b)) break;
        }
        chain.AddRange(tipHolder.Rooted.Values.Where(b => b.Slot < tipHolder.Forks.Root.Slot));
        foreach (BlockRef b in chain)
        {
            if (b.Slot == 0 || !produced.ContainsKey(b.Slot)) continue;
            if (live.All(n => n.Forks.Contains(b) || (n.Rooted.TryGetValue(b.Slot, out BlockRef rb) && rb == b))) r.SlotsReceivedByAll++;
        }

        // Two honest nodes rooting different blocks at one slot.
        SortedDictionary<ulong, BlockRef> firstRoot = [];
        SortedSet<ulong> diverged = [];
        foreach (SimNode n in nodes.Where(n => !n.Byzantine))
        {
            foreach ((ulong slot, BlockRef b) in n.Rooted)
            {
                if (!firstRoot.TryAdd(slot, b) && firstRoot[slot] != b) diverged.Add(slot);
            }
        }
        r.RootDivergence = diverged.Count;
        r.RootedSlotsMin = live.Length == 0 ? 0 : live.Min(n => (long)n.Forks.Root.Slot);

        foreach (SimNode n in nodes.Where(n => !n.Byzantine))
        {
            r.EquivocationsDetected += n.Evidence.Select(e => e.Slot).Distinct().Count();
            if (n.Evidence.Count > 0) r.HonestNodesWithEvidence++;
        }

        r._fields["validators"] = o.Validators;
        r._fields["slots"] = o.Slots;
        r._fields["seed"] = o.Seed;
        r._fields["loss_ppm"] = o.LossPpm;
        r._fields["latency_ms"] = o.LatencyMs;
        r._fields["jitter_ms"] = o.JitterMs;
        r._fields["tps"] = o.Tps;
        r._fields["slot_ms"] = o.SlotMs;
        r._fields["slots_produced"] = r.SlotsProduced;
        r._fields["slots_skipped"] = (long)o.Slots - r.SlotsProduced;
        r._fields["slots_received_by_all"] = r.SlotsReceivedByAll;
        r._fields["shred_delivery_in_slot"] = Fraction(r.ShredDeliveryInSlot);
        r._fields["fec_recovered_without_repair"] = Fraction(r.FecRecoveredWithoutRepair);
        long repairRequests = 0, repairServed = 0, repairAccepted = 0, repairNotHeld = 0, repairDropped = 0, repairUnsolicited = 0;
        foreach (SimNode n in nodes)
        {
            RepairCounters rc = n.Repair.Counters;
            repairNotHeld += rc.NotHeld;
            repairDropped += rc.DroppedMalformed + rc.DroppedBadSignature + rc.DroppedUnknownRequester + rc.DroppedWrongRecipient + rc.DroppedRateLimited;
            repairUnsolicited += rc.ResponsesUnsolicited;
            repairRequests += n.Repair.Counters.RequestsSent;
            repairServed += n.Repair.Counters.Served;
            repairAccepted += n.Repair.Counters.ResponsesAccepted;
        }
        r._fields["repair_requests"] = repairRequests;
        r._fields["repair_served"] = repairServed;
        r._fields["repair_responses_accepted"] = repairAccepted;
        r._fields["repair_not_held"] = repairNotHeld;
        r._fields["repair_dropped"] = repairDropped;
        r._fields["repair_responses_unsolicited"] = repairUnsolicited;
        r._fields["root_divergence"] = r.RootDivergence;
        r._fields["equivocations_detected"] = r.EquivocationsDetected;
        r._fields["honest_nodes_with_evidence"] = r.HonestNodesWithEvidence;
        r._fields["lowest_root_slot"] = r.RootedSlotsMin;
        r._fields["transfers_sent"] = sim.Producer.TransfersSent;
        r._fields["deshred_failures"] = r.DeshredFailures;
        r._fields["packets_sent"] = sim.Network.PacketsSent;
        r._fields["packets_lost"] = sim.Network.PacketsLost;
        r._fields["packets_cut_by_partition"] = sim.Network.PacketsCut;
        r._fields["shreds_recovered"] = total.ShredsRecovered;
        r._fields["shreds_dropped_duplicate"] = total.DroppedDuplicate;
        r._fields["shreds_dropped_bad_signature"] = total.DroppedBadSignature;
        r._fields["shreds_dropped_conflicting_version"] = total.DroppedConflictingVersion;
        r._fields["signatures_verified"] = sim.Verifier.Verified;
        r._fields["gossip_peers_known_min"] = live.Length == 0 ? 0 : live.Min(n => (long)n.Gossip.PeerCount);
        r._notes.Add("blocks are broadcast over Turbine, received, erasure-recovered, deshredded and chained into forks; they are not executed yet, so no bank hash is compared (bank_hash_mismatches comes with the replay machine)");
        r._notes.Add("roots are local (31 slots deep on the chosen fork); votes come with the consensus work");
        return r;
    }

    public string ToJson()
    {
        using MemoryStream stream = new();
        using (Utf8JsonWriter w = new(stream))
        {
            w.WriteStartObject();
            w.WriteString("simulation", "fast");
            w.WriteStartObject("results");
            foreach ((string key, object value) in _fields)
            {
                switch (value)
                {
                    case string s: w.WritePropertyName(key); w.WriteRawValue(s); break;
                    case int i: w.WriteNumber(key, i); break;
                    case long l: w.WriteNumber(key, l); break;
                    case ulong u: w.WriteNumber(key, u); break;
                    case uint u32: w.WriteNumber(key, u32); break;
                    default: throw new InvalidOperationException("unexpected report value " + value.GetType());
                }
            }
            w.WriteEndObject();
            w.WriteStartArray("notes");
            foreach (string n in _notes) w.WriteStringValue(n);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static bool WasDownAround(Simulation sim, int node, ulong slot) =>
        sim.Options.CrashSlots is SlotWindow w && node >= sim.Nodes.Length - sim.Options.CrashNodes && slot + 1 >= w.From && slot <= w.To;

    private static string Fraction(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);

    private static void Sum(ref TvuCounters total, in TvuCounters c)
    {
        total.ShredsRecovered += c.ShredsRecovered;
        total.DroppedDuplicate += c.DroppedDuplicate;
        total.DroppedBadSignature += c.DroppedBadSignature;
        total.DroppedConflictingVersion += c.DroppedConflictingVersion;
    }
}
