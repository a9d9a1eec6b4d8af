using Fast.Exec.Banking;
using Fast.Storage.Accounts;

namespace Fast.Node.Validator;

/// <summary>What the banking stage did. Written by the banking thread, read by /metrics.</summary>
public sealed class BankingCounters
{
    public long Entries;
    public long Executed;
    public long Committed;
    public long NotCommitted;
    public long FailedCommitted;
    public long DroppedBlockhash;
    public long DroppedAlreadyProcessed;
    public long DroppedDuplicate;
    public long DroppedFeePayer;
    public long DroppedBlockData;
    public long DroppedBlockFull;
    public long RecordsRetriedNextSlot;
    /// <summary>Records PoH refused because the ledger writer's queue had no room (each retried for a moment).</summary>
    public long RecordsLedgerBehind;
    /// <summary>Transactions dropped because the ledger writer stayed behind (clients retry).</summary>
    public long DroppedLedgerBehind;
    /// <summary>Working slots discarded because PoH abandoned them.</summary>
    public long SlotsAbandoned;
    /// <summary>Transactions executed in an abandoned slot, hence void.</summary>
    public long TransactionsVoided;
    public long SlotsFrozen;
    public long Roots;
    public long Checkpoints;
    public long CheckpointsDurable;
    public long CheckpointsDeferred;
    public long DurableRootSlot;
    public long LastCheckpointMicroseconds;
    public long MaxCheckpointStartMicroseconds;
    public long LedgerFloor;
    public long CompactionSlices;
    public long CompactedBytes;
    public long CompactionCopiedBytes;
    public long MaxCompactionMicroseconds;
    public long LedgerPurges;
    public long NoEntryBuffer;
    public long LastRootMicroseconds;
    public long MaxRootMicroseconds;

    /// <summary>Slots whose transaction statuses the Blockstore refused (should stay 0).</summary>
    public long StatusAppendFailures;

    // A cluster node (BankingStage.Cluster.cs, BankingStage.Replay.cs).
    public long LeaderSlotsStarted;
    public long LeaderSlotsSkipped;
    public long OwnBlockIdsMissing;
    /// <summary>Verified transactions dropped because this node was not about to lead and no leader's TPU address was known.</summary>
    public long DroppedNotLeader;
    /// <summary>Verified transactions forwarded to the current and next leaders (Gulf Stream).</summary>
    public long Forwarded;
    public long BlocksReplayed;
    public long ReplayedTransactions;
    /// <summary>Per replayed block: how long after its slot's scheduled end the network thread had it whole.</summary>
    public readonly Rpc.LatencyHistogram ReplayWholeAfterSlotEnd = new();
    /// <summary>Per replayed block: from whole to its replay's start (the banking thread busy, or the parent not replayed yet).</summary>
    public readonly Rpc.LatencyHistogram ReplayWait = new();
    /// <summary>Per replayed block: its replay (PoH, signatures, execution, freeze, store).</summary>
    public readonly Rpc.LatencyHistogram ReplayDuration = new();
    /// <summary>Per replayed block: how long after its slot's scheduled end it was replayed (the node's lag behind the leader).</summary>
    public readonly Rpc.LatencyHistogram ReplayDoneAfterSlotEnd = new();
    /// <summary>Received blocks that broke a rule (PoH, a signature, a block rule): marked dead, never applied.</summary>
    public long BlocksInvalid;
    /// <summary>Received blocks for a slot this node already has a bank for (a second version, or its own).</summary>
    public long BlocksAlreadyHeld;
    /// <summary>Received blocks whose parent is not (yet) replayed: held until it is.</summary>
    public long BlocksWaitingForParent;
    /// <summary>Received blocks on a parent that can never be replayed here (below the root or dead).</summary>
    public long BlocksUnconnectable;

    /// <summary>Adds what rooting a slot did (banking thread).</summary>
    public void Record(in RootOutcome outcome)
    {
        if (outcome.Checkpointed)
        {
            Checkpoints++;
            MaxCheckpointStartMicroseconds = Math.Max(MaxCheckpointStartMicroseconds, (long)outcome.CheckpointStartElapsed.TotalMicroseconds);
        }
        if (outcome.CheckpointDeferred) CheckpointsDeferred++;
        if (outcome.Compaction is CompactionReport compaction)
        {
            CompactionSlices++;
            CompactedBytes += compaction.ScannedBytes;
            CompactionCopiedBytes += compaction.CopiedBytes;
            MaxCompactionMicroseconds = Math.Max(MaxCompactionMicroseconds, (long)compaction.Duration.TotalMicroseconds);
        }
        if (outcome.CompletedCheckpoint is CheckpointReport durable)
        {
            CheckpointsDurable++;
            DurableRootSlot = (long)durable.Slot;
            LastCheckpointMicroseconds = (long)durable.Duration.TotalMicroseconds;
        }
    }
}
