using Fast.Node.Cluster;
using Fast.Node.Rpc;

namespace Fast.Node.Validator;

/// <summary>/metrics of a cluster node: gossip, shreds (TVU), repair, broadcast, replay and leader slots, drops by reason.</summary>
public sealed partial class Validator
{
    private void WriteClusterMetrics(PrometheusText m)
    {
        if (_network is not ClusterNetwork network) return;
        (Fast.Validator.Tvu.TvuCounters tvu, Fast.Validator.Repair.RepairCounters repair, Fast.Validator.Gossip.GossipCounters gossip, int peers, ulong root) = network.Stats;
        ClusterCounters c = network.Counters;
        m.Gauge("fast_cluster_peers", "Peers gossip knows (verified by ping, not expired)", peers)
         .Gauge("fast_cluster_repair_root_slot", "Root of the network thread's fork tree (shreds below it are refused)", root)
         .Counter("fast_cluster_packets_total", "Cluster UDP packets received", Volatile.Read(ref c.GossipPackets), "port=\"gossip\"")
         .Counter("fast_cluster_packets_total", "Cluster UDP packets received", Volatile.Read(ref c.ShredPackets), "port=\"tvu\"")
         .Counter("fast_cluster_packets_total", "Cluster UDP packets received", Volatile.Read(ref c.RepairPackets), "port=\"repair\"")
         .Counter("fast_cluster_packets_sent_total", "Cluster UDP packets sent", Volatile.Read(ref c.PacketsSent))
         .Counter("fast_cluster_send_errors_total", "Cluster UDP sends that failed (full buffer, unreachable)", Volatile.Read(ref c.SendErrors))
         .Counter("fast_shreds_broadcast_total", "Shreds this node sent as leader", Volatile.Read(ref c.OwnShredsSent))
         .Counter("fast_shreds_accepted_total", "Shreds that passed every check", tvu.Accepted)
         .Counter("fast_shreds_retransmitted_total", "Shreds sent on to Turbine children", tvu.Retransmitted)
         .Counter("fast_shreds_recovered_total", "Data shreds rebuilt by Reed-Solomon recovery", tvu.ShredsRecovered)
         .Counter("fast_fec_sets_total", "FEC sets completed", tvu.SetsCompletedByReceipt, "how=\"received\"")
         .Counter("fast_fec_sets_total", "FEC sets completed", tvu.SetsRecovered, "how=\"recovered\"")
         .Counter("fast_fec_sets_total", "FEC sets completed", tvu.SetsCompletedWithRepair, "how=\"repaired\"")
         .Counter("fast_slots_full_total", "Slots whose every data shred is held", tvu.SlotsFull)
         .Counter("fast_equivocations_total", "Leaders caught signing two versions of a slot (evidence kept)", tvu.Equivocations)
         .Counter("fast_blocks_delivered_total", "Whole blocks handed to replay", Volatile.Read(ref c.BlocksDelivered))
         .Counter("fast_repair_requests_total", "Repair requests sent", repair.RequestsSent)
         .Counter("fast_repair_served_total", "Repair requests answered with a shred", repair.Served)
         .Counter("fast_repair_responses_total", "Repair responses accepted", repair.ResponsesAccepted)
         .Counter("fast_gossip_values_total", "Gossip values inserted", gossip.ValuesInserted);
        Drop(m, "tvu", "malformed", tvu.DroppedMalformed);
        Drop(m, "tvu", "wrong_version", tvu.DroppedWrongVersion);
        Drop(m, "tvu", "out_of_range", tvu.DroppedOutOfRange);
        Drop(m, "tvu", "duplicate", tvu.DroppedDuplicate);
        Drop(m, "tvu", "bad_signature", tvu.DroppedBadSignature);
        Drop(m, "tvu", "root_mismatch", tvu.DroppedRootMismatch);
        Drop(m, "tvu", "conflicting_version", tvu.DroppedConflictingVersion);
        Drop(m, "tvu", "set_rejected", tvu.DroppedSetRejected);
        Drop(m, "tvu", "too_many_sets", tvu.DroppedTooManySets);
        Drop(m, "repair", "malformed", repair.DroppedMalformed);
        Drop(m, "repair", "bad_signature", repair.DroppedBadSignature);
        Drop(m, "repair", "unknown_requester", repair.DroppedUnknownRequester);
        Drop(m, "repair", "wrong_recipient", repair.DroppedWrongRecipient);
        Drop(m, "repair", "rate_limited", repair.DroppedRateLimited);
        Drop(m, "repair", "unsolicited", repair.ResponsesUnsolicited);
        Drop(m, "gossip", "decode_error", gossip.DecodeErrors);
        Drop(m, "gossip", "bad_signature", gossip.BadSignature);
        Drop(m, "gossip", "wrong_shred_version", gossip.WrongShredVersion);
        Drop(m, "gossip", "wrong_genesis", gossip.WrongGenesis);
        Drop(m, "gossip", "stale", gossip.Stale);
        Drop(m, "gossip", "from_the_future", gossip.FromTheFuture);
        Drop(m, "gossip", "unpinged_peer", gossip.FromUnpingedPeer);
        Drop(m, "gossip", "rate_limited", gossip.RateLimited);
        Drop(m, "gossip", "table_full", gossip.TableFull);
        Drop(m, "cluster", "deshred_failed", Volatile.Read(ref c.DeshredFailures));
        Drop(m, "cluster", "block_queue_full", Volatile.Read(ref c.BlocksDroppedQueueFull));
        if (_preverifier is ReplayPreverifier p)
        {
            m.Counter("fast_replay_preverified_transactions_total", "Transactions of other leaders' blocks whose signatures were verified while the shreds arrived", Volatile.Read(ref p.TransactionsVerified))
             .Counter("fast_replay_signature_cache_total", "Replayed transactions looked up among the pre-verified", p.Known.Hits, "result=\"hit\"")
             .Counter("fast_replay_signature_cache_total", "Replayed transactions looked up among the pre-verified", p.Known.Misses, "result=\"miss\"");
            Drop(m, "preverify", "invalid_signature", Volatile.Read(ref p.TransactionsInvalid));
            Drop(m, "preverify", "queue_full", Volatile.Read(ref p.ChunksDroppedQueueFull));
            Drop(m, "preverify", "replay_started", Volatile.Read(ref p.ChunksSkippedReplayStarted));
        }
        if (_banking?.Counters is BankingCounters b)
        {
            m.Counter("fast_blocks_replayed_total", "Other leaders' blocks replayed and frozen", Volatile.Read(ref b.BlocksReplayed))
             .Counter("fast_replayed_transactions_total", "Transactions in replayed blocks", Volatile.Read(ref b.ReplayedTransactions))
             .Counter("fast_leader_slots_total", "Scheduled leader slots", Volatile.Read(ref b.LeaderSlotsStarted), "result=\"led\"")
             .Counter("fast_leader_slots_total", "Scheduled leader slots", Volatile.Read(ref b.LeaderSlotsSkipped), "result=\"skipped\"")
             .Counter("fast_forwarded_total", "Transactions forwarded to the leaders (Gulf Stream)", Volatile.Read(ref b.Forwarded))
             .Histogram("fast_replay_whole_after_slot_end_seconds", "Per replayed block: when the node had it whole, after its slot's scheduled end (genesis clock)", b.ReplayWholeAfterSlotEnd)
             .Histogram("fast_replay_wait_seconds", "Per replayed block: from whole to the start of its replay (banking thread busy, or parent not replayed)", b.ReplayWait)
             .Histogram("fast_replay_duration_seconds", "Per replayed block: its replay (PoH, signatures, execution, freeze, store)", b.ReplayDuration)
             .Histogram("fast_replay_done_after_slot_end_seconds", "Per replayed block: replayed, after its slot's scheduled end (the lag behind the leader)", b.ReplayDoneAfterSlotEnd);
            Drop(m, "replay", "invalid_block", Volatile.Read(ref b.BlocksInvalid));
            Drop(m, "replay", "already_held", Volatile.Read(ref b.BlocksAlreadyHeld));
            Drop(m, "replay", "unconnectable", Volatile.Read(ref b.BlocksUnconnectable));
            Drop(m, "banking", "not_leader", Volatile.Read(ref b.DroppedNotLeader));
        }
    }
}
