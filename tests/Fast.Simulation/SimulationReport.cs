using System.Globalization;
using System.Text;
using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Validator.Forks;
using Fast.Validator.Replay;
using Fast.Validator.Repair;
using Fast.Validator.Tvu;

namespace Fast.Simulation;

/// <summary>
/// What a run measured, as one JSON object (ARCHITECTURE.md's benchmark convention, minus the machine:
/// a report must be identical across machines for one seed). Fractions are printed with four
/// decimals from integer counts. Only what the simulated cluster really does is reported: blocks are
/// broadcast, received, recovered, deshredded, replayed by every node on its own banks (PoH, signatures,
/// execution, freeze) and chained into forks; <c>bank_hash_mismatches</c> counts the slots where two
/// nodes froze the same block (slot and block id) to different bank hashes.
/// </summary>
internal sealed partial class SimulationReport
{
    /// <summary>A node holds a slot "in slot" when it has every data shred within this long after the leader sent the last one.</summary>
    public const long DeliveryWindowNs = 400_000_000;

    private readonly SortedDictionary<string, object> _fields = new(StringComparer.Ordinal);
    private readonly List<string> _notes = [];

    public long SlotsProduced { get; private set; }
    public long SlotsReplayedByAll { get; private set; }
    public long BankHashMismatches { get; private set; }
    public long SlotsFrozenByMoreThanOne { get; private set; }
    public long InvalidBlocksDeadOnEveryHonestNode { get; private set; }
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
        if (Environment.GetEnvironmentVariable("FAST_SIM_TRACE") is not null) Trace(sim);
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
        long[] missing = new long[nodes.Length];
        foreach (BlockRef b in chain)
        {
            if (b.Slot == 0 || !produced.ContainsKey(b.Slot)) continue;
            bool all = true;
            foreach (SimNode n in live)
            {
                if (n.Forks.Contains(b) || (n.Rooted.TryGetValue(b.Slot, out BlockRef rb) && rb == b)) continue;
                missing[n.Index]++;
                all = false;
            }
            if (all) r.SlotsReplayedByAll++;
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

        MeasureReplay(sim, r);
        r.MeasureCrash(sim, tip, missing);
        r.MeasureEquivocation(sim);

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
        r._fields["slots_replayed_by_all"] = r.SlotsReplayedByAll;
        r._fields["final_chain_blocks_missing_per_node"] = Array(missing);
        r._fields["blocks_waiting_for_parent_at_end"] = nodes.Sum(n => (long)n.Replay.BlocksWaiting);
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
        r._notes.Add("every node replays every whole block it receives through Fast.Validator's ReplayMachine on its own banks (FASTER accounts store per node): PoH rule, signatures (answers shared between nodes by the block's bytes), execution, freeze; leaders execute what they record");
        r._notes.Add("roots are local (31 slots deep on the chosen fork); votes come with the consensus work");
        return r;
    }

    /// <summary>The replay figures: bank hashes compared across nodes, slots replayed and dead per node, invalid blocks caught.</summary>
    private static void MeasureReplay(Simulation sim, SimulationReport r)
    {
        SimNode[] nodes = sim.Nodes;
        SortedDictionary<BlockRef, (Hash Hash, int Nodes)> first = [];
        SortedSet<ulong> mismatched = [];
        foreach (SimNode n in nodes)
        {
            foreach ((BlockRef block, Hash hash) in n.FrozenHashes)
            {
                if (!first.TryGetValue(block, out (Hash Hash, int Nodes) seen))
                {
                    first[block] = (hash, 1);
                    continue;
                }
                first[block] = (seen.Hash, seen.Nodes + 1);
                if (seen.Hash != hash) mismatched.Add(block.Slot);
            }
        }
        r.BankHashMismatches = mismatched.Count;
        r.SlotsFrozenByMoreThanOne = first.Values.LongCount(v => v.Nodes > 1);

        SimNode[] honest = [.. nodes.Where(n => !n.Byzantine && !n.MakesInvalidBlocks)];
        foreach (ulong slot in sim.Producer.InvalidBlocks)
        {
            if (honest.All(n => n.DeadSlots.ContainsKey(slot))) r.InvalidBlocksDeadOnEveryHonestNode++;
        }
        r._fields["bank_hash_mismatches"] = r.BankHashMismatches;
        r._fields["blocks_frozen_by_more_than_one_node"] = r.SlotsFrozenByMoreThanOne;
        r._fields["slots_replayed_per_node"] = Array(nodes.Select(n => n.SlotsReplayed));
        r._fields["slots_dead_per_node"] = Array(nodes.Select(n => (long)n.DeadSlots.Count));
        r._fields["slots_dead_by_poh"] = nodes.Sum(n => (long)n.DeadSlots.Values.Count(f => f == ReplayFailure.Poh));
        r._fields["slots_dead_by_signature"] = nodes.Sum(n => (long)n.DeadSlots.Values.Count(f => f == ReplayFailure.Signature));
        r._fields["slots_dead_by_execution"] = nodes.Sum(n => (long)n.DeadSlots.Values.Count(f => f == ReplayFailure.Execution));
        r._fields["blocks_unconnectable"] = nodes.Sum(n => n.BlocksUnconnectable);
        r._fields["transactions_executed"] = nodes.Sum(n => n.TransactionsExecuted);
        r._fields["transactions_executed_min_per_node"] = nodes.Length == 0 ? 0 : nodes.Min(n => n.TransactionsExecuted);
        r._fields["transfers_refused_by_admission"] = sim.Producer.TransfersRefused;
        r._fields["invalid_blocks_produced"] = (long)sim.Producer.InvalidBlocks.Count;
        r._fields["invalid_blocks_dead_on_every_honest_node"] = r.InvalidBlocksDeadOnEveryHonestNode;
        r._fields["block_signature_checks_run"] = sim.BlockSignatures.BlocksVerified;
        r._fields["block_signature_checks_reused"] = sim.BlockSignatures.BlocksReused;
    }

    /// <summary>Debugging aid (FAST_SIM_TRACE set): each node's best and root, and every produced block with its parent, to stderr.</summary>
    private static void Trace(Simulation sim)
    {
        foreach (SimNode n in sim.Nodes) Console.Error.WriteLine($"node {n.Index}: best {n.Forks.Best.Slot} root {n.Forks.Root.Slot} bank root {n.Banks.Root.Slot} replayed {n.SlotsReplayed} dead {n.DeadSlots.Count}");
        foreach ((ulong slot, (long _, int _, BlockRef block, int leader)) in sim.Producer.Produced)
        {
            string holders = string.Concat(sim.Nodes.Select(n => n.Forks.Contains(block) || (n.Rooted.TryGetValue(slot, out BlockRef rb) && rb == block) ? "+" : n.FrozenHashes.ContainsKey(block) ? "f" : "."));
            Console.Error.WriteLine($"slot {slot} leader {leader} {holders}");
        }
    }

    private static string Array(IEnumerable<long> values) => "[" + string.Join(",", values.Select(v => v.ToString(CultureInfo.InvariantCulture))) + "]";

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
