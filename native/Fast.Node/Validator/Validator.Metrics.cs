using System.Globalization;
using Fast.Core.Codec;
using Fast.Node.Rpc;

namespace Fast.Node.Validator;

/// <summary>/metrics: slots, commitment, throughput, queue depths, drops by stage and reason, stage rates.</summary>
public sealed partial class Validator
{
    /// <summary>
    /// The counts at a reader's previous render, so its rate gauges cover the time since then: /metrics
    /// scrapes and the dashboard each keep their own, and neither skews the other's rates.
    /// </summary>
    private sealed class MetricsRateBase
    {
        public long At = Environment.TickCount64;
        public ulong Transactions;
        public long Hashes;
        public long Verified;
        public long Executed;
    }

    private readonly MetricsRateBase _scrapeRates = new();

    private void WriteMetrics(PrometheusText m, JsonRpcProcessor rpc) => WriteMetrics(m, rpc, _scrapeRates);

    private void WriteMetrics(PrometheusText m, JsonRpcProcessor rpc, MetricsRateBase rates)
    {
        ChainState chain = Chain;
        m.Gauge("fast_slot", "Slot by commitment", chain.ProcessedSlot, "commitment=\"processed\"")
         .Gauge("fast_slot", "Slot by commitment", chain.Confirmed?.Slot ?? 0, "commitment=\"confirmed\"")
         .Gauge("fast_slot", "Slot by commitment", chain.Root?.Slot ?? 0, "commitment=\"finalized\"")
         .Gauge("fast_root_slot", "The last rooted (finalized) slot", chain.Root?.Slot ?? 0)
         .Counter("fast_transactions_total", "Committed transactions (processed commitment)", chain.ProcessedTransactions)
         .Gauge("fast_sigverify_threads", "Sigverify threads of this node", _options.SigverifyThreads)
         .Gauge("fast_sigverify_batch", "Signatures per BIP-340 batch verification (1: unbatched)", _options.SigverifyBatch)
         .Gauge("fast_banking_workers", "Sealevel execution threads of this node", _options.BankingThreads)
         .Gauge("fast_signature_index_statuses", "Statuses findable by signature (kept until rooted and past the blockhash age)", Signatures.Count)
         .Gauge("fast_signature_index_segments", "Signature index segments held (each 96 B × entries per segment)", Signatures.Segments)
         .Gauge("fast_process_resident_bytes", "Resident memory of this node process (/proc/self/statm)", ProcessMemory.ResidentBytes())
         .Gauge("fast_gc_heap_bytes", "Managed heap size at the last GC (FASTER pages, status cache, signature index, entry buffers live here)", GC.GetGCMemoryInfo().HeapSizeBytes)
         .Counter("fast_gc_pause_seconds_total", "Time every thread of this node was paused for garbage collection", GC.GetTotalPauseDuration().TotalSeconds)
         .Counter("fast_gc_collections_total", "Garbage collections by generation", GC.CollectionCount(0), "generation=\"0\"")
         .Counter("fast_gc_collections_total", "Garbage collections by generation", GC.CollectionCount(1), "generation=\"1\"")
         .Counter("fast_gc_collections_total", "Garbage collections by generation", GC.CollectionCount(2), "generation=\"2\"");
        foreach (int core in _options.SigverifyCores ?? [])
        {
            m.Gauge("fast_dedicated_core", "A core only one stage's threads of this node run on (--sigverify-cores)", 1, $"core=\"{core}\",stage=\"sigverify\"");
        }

        // Rates over the time since the previous scrape.
        long now = Environment.TickCount64;
        double seconds = Math.Max(0.001, (now - Interlocked.Exchange(ref rates.At, now)) / 1000.0);
        ulong transactions = chain.ProcessedTransactions;
        m.Gauge("fast_tps", "Committed transactions per second since the previous scrape", (transactions - Interlocked.Exchange(ref rates.Transactions, transactions)) / seconds);
        if (chain.LatestFrozen is SlotRecord frozen)
        {
            m.Gauge("fast_slot_transactions", "Committed transactions in the latest frozen slot", frozen.TransactionCount)
             .Gauge("fast_slot_duration_ms", "Wall time of the latest frozen slot", frozen.DurationMs);
        }

        m.Gauge("fast_queue_depth", "Items waiting in a stage queue", _sigverifyInput.Count, "queue=\"sigverify\"")
         .Gauge("fast_queue_depth", "Items waiting in a stage queue", _bankingInput.Count, "queue=\"banking\"")
         .Gauge("fast_packet_buffers_free", "Free packet buffers", _packets.Available)
         .Gauge("fast_entry_buffers", "Entry buffers created (of the pool's cap)", _entryBuffers.Created);

        Net.Ingest.IngestCounters ingest = _ingestCounters;
        m.Counter("fast_tpu_packets_total", "Packets received by the TPU", Volatile.Read(ref ingest.UdpPackets), "transport=\"udp\"")
         .Counter("fast_tpu_packets_total", "Packets received by the TPU", Volatile.Read(ref ingest.TcpFrames), "transport=\"tcp\"")
         .Counter("fast_tpu_connections_total", "TCP connections", Volatile.Read(ref ingest.TcpConnectionsAccepted), "result=\"accepted\"")
         .Counter("fast_tpu_connections_total", "TCP connections", Volatile.Read(ref ingest.TcpConnectionsRejected), "result=\"rejected\"")
         .Counter("fast_tpu_connections_total", "TCP connections", Volatile.Read(ref ingest.TcpConnectionsRejectedPerAddress), "result=\"rejected_per_ip\"")
         .Counter("fast_tpu_connections_total", "TCP connections", Volatile.Read(ref ingest.TcpConnectionsClosedForError), "result=\"closed_for_error\"")
         .Counter("fast_tpu_connections_total", "TCP connections", Volatile.Read(ref ingest.TcpConnectionsTimedOut), "result=\"timed_out\"");
        Drop(m, "ingest", "queue_full", Volatile.Read(ref ingest.DroppedQueueFull));
        Drop(m, "ingest", "no_buffer", Volatile.Read(ref ingest.DroppedNoBuffer));
        Drop(m, "ingest", "bad_size", Volatile.Read(ref ingest.DroppedMalformedSize));

        if (_sigverify is { } sigverify)
        {
            Pipeline.SigverifyCounters s = sigverify.Counters;
            long verified = Volatile.Read(ref s.Verified);
            m.Counter("fast_sigverify_verified_total", "Transactions whose signatures verified", verified)
             .Gauge("fast_sigverify_rate", "Verified transactions per second since the previous scrape", (verified - Interlocked.Exchange(ref rates.Verified, verified)) / seconds);
            Drop(m, "sigverify", "invalid_signature", Volatile.Read(ref s.DroppedInvalidSignature));
            Drop(m, "sigverify", "duplicate", Volatile.Read(ref s.DroppedDuplicate));
            Drop(m, "sigverify", "output_full", Volatile.Read(ref s.DroppedOutputFull));
            foreach (DecodeStatus status in Enum.GetValues<DecodeStatus>())
            {
                if (status == DecodeStatus.Ok) continue;
                Drop(m, "sigverify", "malformed_" + status.ToString().ToLowerInvariant(), Volatile.Read(ref s.DroppedMalformed[(int)status]));
            }
        }
        if (_banking is { } banking)
        {
            BankingCounters b = banking.Counters;
            long executed = Volatile.Read(ref b.Executed);
            m.Counter("fast_banking_executed_total", "Transactions executed", executed)
             .Gauge("fast_exec_rate", "Executed transactions per second since the previous scrape", (executed - Interlocked.Exchange(ref rates.Executed, executed)) / seconds)
             .Counter("fast_banking_committed_total", "Transactions committed (fee paid)", Volatile.Read(ref b.Committed))
             .Counter("fast_banking_failed_total", "Committed transactions whose instructions failed", Volatile.Read(ref b.FailedCommitted))
             .Counter("fast_banking_not_committed_total", "Recorded transactions that could not pay their fee", Volatile.Read(ref b.NotCommitted))
             .Counter("fast_banking_entries_total", "Entries recorded", Volatile.Read(ref b.Entries))
             .Counter("fast_banking_slots_frozen_total", "Banks frozen", Volatile.Read(ref b.SlotsFrozen))
             .Counter("fast_banking_checkpoints_total", "Accounts checkpoints started (written in the background)", Volatile.Read(ref b.Checkpoints))
             .Counter("fast_banking_checkpoints_durable_total", "Accounts checkpoints that became durable", Volatile.Read(ref b.CheckpointsDurable))
             .Counter("fast_banking_checkpoints_deferred_total", "Checkpoints due while the previous one was still being written (retried at the next root)", Volatile.Read(ref b.CheckpointsDeferred))
             .Gauge("fast_checkpoint_durable_root_slot", "Root slot of the last durable accounts checkpoint (a crash recovers here and replays later slots)", Volatile.Read(ref b.DurableRootSlot))
             .Gauge("fast_ledger_floor_slot", "Slots below this were purged from the Blockstore (--limit-ledger-slots; 0: nothing purged)", Volatile.Read(ref b.LedgerFloor))
             .Counter("fast_ledger_purges_total", "Blockstore purges", Volatile.Read(ref b.LedgerPurges))
             .Gauge("fast_ledger_address_index_addresses", "Distinct addresses in the Blockstore's address index (getSignaturesForAddress)", _blockstore.AddressIndexSize.Addresses)
             .Gauge("fast_ledger_address_index_entries", "(address, transaction) entries in the address index, 32 B each", _blockstore.AddressIndexSize.Entries)
             .Counter("fast_status_append_failures_total", "Slots whose transaction statuses the Blockstore refused", Volatile.Read(ref b.StatusAppendFailures))
             .Gauge("fast_accounts_log_bytes", "Span of the accounts log (FASTER hybrid log, begin to tail)", _accounts.LogBytes)
             .Counter("fast_accounts_compaction_slices_total", "Accounts-log compaction slices (run on the banking thread at a root)", Volatile.Read(ref b.CompactionSlices))
             .Counter("fast_accounts_compacted_bytes_total", "Accounts-log bytes compaction covered", Volatile.Read(ref b.CompactedBytes))
             .Counter("fast_accounts_compaction_copied_bytes_total", "Bytes of current accounts compaction copied to the log's tail", Volatile.Read(ref b.CompactionCopiedBytes))
             .Gauge("fast_accounts_compaction_max_ms", "Longest compaction slice", Volatile.Read(ref b.MaxCompactionMicroseconds) / 1000.0)
             .Gauge("fast_checkpoint_start_max_ms", "Longest time the banking thread spent starting a checkpoint (the rest is written in the background)", Volatile.Read(ref b.MaxCheckpointStartMicroseconds) / 1000.0)
             .Gauge("fast_checkpoint_duration_ms", "Start-to-durable time of the last accounts checkpoint", Volatile.Read(ref b.LastCheckpointMicroseconds) / 1000.0)
             .Gauge("fast_root_duration_ms", "Time the last root (flush into FASTER, checkpoint when due) held the banking thread", Volatile.Read(ref b.LastRootMicroseconds) / 1000.0)
             .Gauge("fast_root_duration_max_ms", "Longest root so far", Volatile.Read(ref b.MaxRootMicroseconds) / 1000.0)
             .Counter("fast_banking_records_retried_total", "Entries re-recorded because their slot ended", Volatile.Read(ref b.RecordsRetriedNextSlot));
            Drop(m, "banking", "blockhash", Volatile.Read(ref b.DroppedBlockhash));
            Drop(m, "banking", "already_processed", Volatile.Read(ref b.DroppedAlreadyProcessed));
            Drop(m, "banking", "duplicate", Volatile.Read(ref b.DroppedDuplicate));
            Drop(m, "banking", "fee_payer", Volatile.Read(ref b.DroppedFeePayer));
            Drop(m, "banking", "block_account_data", Volatile.Read(ref b.DroppedBlockData));
            Drop(m, "banking", "block_full", Volatile.Read(ref b.DroppedBlockFull));
            Drop(m, "banking", "ledger_behind", Volatile.Read(ref b.DroppedLedgerBehind));
            Drop(m, "banking", "slot_abandoned", Volatile.Read(ref b.TransactionsVoided));
            m.Counter("fast_banking_records_ledger_behind_total", "Records PoH refused because the ledger writer's queue had no room (retried, then dropped)", Volatile.Read(ref b.RecordsLedgerBehind))
             .Counter("fast_banking_slots_abandoned_total", "Working slots discarded because PoH abandoned them", Volatile.Read(ref b.SlotsAbandoned));
        }
        if (_poh is { } poh)
        {
            long hashes = poh.Hashes;
            m.Counter("fast_poh_hashes_total", "PoH hashes", hashes)
             .Gauge("fast_poh_rate", "PoH hashes per second since the previous scrape", (hashes - Interlocked.Exchange(ref rates.Hashes, hashes)) / seconds)
             .Counter("fast_poh_ticks_total", "PoH ticks", poh.Ticks)
             .Counter("fast_poh_late_ticks_total", "Ticks produced late (the machine does not sustain hashes per tick)", poh.LateTicks)
             .Counter("fast_poh_records_total", "Records mixed in", poh.RecordsRecorded, "result=\"recorded\"")
             .Counter("fast_poh_records_total", "Records mixed in", poh.RecordsRejected, "result=\"rejected\"");
            Drop(m, "poh", "entries", poh.EntriesDropped);
            Drop(m, "poh", "ledger_behind", poh.RecordsLedgerBehind);
            m.Counter("fast_poh_slots_abandoned_total", "Slots abandoned because a tick found the ledger writer's queue full (dead: never confirmed)", poh.SlotsAbandoned);
        }
        if (_ledger is { } ledger)
        {
            LedgerCounters l = ledger.Counters;
            m.Counter("fast_ledger_slots_completed_total", "Slots written complete to the Blockstore", Volatile.Read(ref l.SlotsCompleted))
             .Counter("fast_ledger_append_failures_total", "Blockstore appends refused", Volatile.Read(ref l.AppendFailures))
             .Counter("fast_ledger_slots_abandoned_total", "Slots written in part and left incomplete because PoH abandoned them", Volatile.Read(ref l.SlotsAbandoned));
        }
        RpcCounters r = rpc.Counters;
        m.Counter("fast_rpc_requests_total", "JSON-RPC calls", Volatile.Read(ref r.Requests));
        Drop(m, "rpc", "parse_error", Volatile.Read(ref r.ParseErrors));
        Drop(m, "rpc", "invalid_request", Volatile.Read(ref r.InvalidRequests));
        Drop(m, "rpc", "method_not_found", Volatile.Read(ref r.MethodNotFound));
        Drop(m, "rpc", "invalid_params", Volatile.Read(ref r.InvalidParams));
        Drop(m, "rpc", "too_large", Volatile.Read(ref r.TooLarge));
        Drop(m, "rpc", "response_too_large", Volatile.Read(ref r.ResponseTooLarge));
        m.Counter("fast_rpc_connections_rejected_total", "RPC connections closed at once: their IP address held --rpc-max-connections-per-ip", _rpc?.ConnectionsRejectedPerAddress ?? 0, "reason=\"per_ip\"")
         .Counter("fast_rpc_account_read_retries_total", "Account reads started again: a root began during their disk reads", _forks.ReadRetries)
         .Counter("fast_rpc_account_reads_locked_total", "Account reads that waited for the disk under the root lock after losing every race with rooting", _forks.LockedDiskReads);
        if (SendRetries is SendTransactionRetries retries)
        {
            SendRetryCounters c = retries.Counters;
            const string Help = "sendTransaction transactions the node re-sends until they land: tracked, re-sent, and why tracking ended";
            m.Gauge("fast_rpc_send_retry_pending", "sendTransaction transactions tracked for re-sending now", retries.Count)
             .Counter("fast_rpc_send_retry_total", Help, Volatile.Read(ref c.Tracked), "event=\"tracked\"")
             .Counter("fast_rpc_send_retry_total", Help, Volatile.Read(ref c.Resent), "event=\"resent\"")
             .Counter("fast_rpc_send_retry_total", Help, Volatile.Read(ref c.Landed), "event=\"landed\"")
             .Counter("fast_rpc_send_retry_total", Help, Volatile.Read(ref c.Expired), "event=\"expired\"")
             .Counter("fast_rpc_send_retry_total", Help, Volatile.Read(ref c.Exhausted), "event=\"retries_exhausted\"")
             .Counter("fast_rpc_send_retry_total", Help, Volatile.Read(ref c.Untracked), "event=\"untracked_full\"");
        }
        WriteLargestAccountsMetrics(m);
        WriteClusterMetrics(m);
        WritePubSubMetrics(m);
    }

    private static void Drop(PrometheusText m, string stage, string reason, long value) =>
        m.Counter("fast_dropped_total", "Packets, transactions or requests dropped, by stage and reason", value,
            string.Create(CultureInfo.InvariantCulture, $"stage=\"{stage}\",reason=\"{reason}\""));
}
