namespace Fast.Storage.Blocks;

/// <summary>When the <see cref="Blockstore"/> makes appended entries durable (survive kill -9 and power loss up to the OS).</summary>
public enum BlockstoreCommitPolicy
{
    /// <summary>Commit when an append completes a slot and when a slot is rooted: a complete slot is durable once <see cref="Blockstore.AppendEntries"/> returns. Default.</summary>
    SlotComplete,

    /// <summary>Commit after every append: every accepted batch is durable when the call returns (slowest).</summary>
    EveryAppend,

    /// <summary>Only <see cref="Blockstore.Commit"/> makes data durable.</summary>
    Manual,
}

/// <summary>Where and how the <see cref="Blockstore"/> keeps its FasterLog.</summary>
public sealed record BlockstoreOptions
{
    /// <summary>Folder for the log files and commit records (created when absent).</summary>
    public required string Directory { get; init; }

    public BlockstoreCommitPolicy CommitPolicy { get; init; } = BlockstoreCommitPolicy.SlotComplete;

    /// <summary>Log page size in bytes; one append (its header plus entry bytes) must fit in a page.</summary>
    public long PageBytes { get; init; } = 4L << 20;

    /// <summary>Memory for the in-memory tail of the log.</summary>
    public long MemoryBytes { get; init; } = 64L << 20;

    /// <summary>Size of each log file on disk.</summary>
    public long SegmentBytes { get; init; } = 1L << 30;

    /// <summary>
    /// 2 MiB chunks of the address index (getSignaturesForAddress) kept in memory, the newest; older
    /// ones are written to scratch files in the ledger folder and read back from there. Default 8 (16 MiB).
    /// </summary>
    public int AddressIndexResidentChunks { get; init; } = AddressSignatureIndex.DefaultResidentChunks;

    /// <summary>The most entry bytes one append may carry.</summary>
    public int MaxAppendBytes => (int)Math.Min(int.MaxValue, PageBytes - 1024);
}
