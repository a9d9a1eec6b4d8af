namespace Fast.Storage.Accounts;

/// <summary>
/// Sizes of the FASTER store behind <see cref="AccountsDb"/>. The defaults suit a validator; tests
/// shrink them. Powers of two are rounded down by FASTER.
/// </summary>
public sealed record AccountsDbOptions
{
    /// <summary>Folder for the hybrid log and checkpoints (created when absent).</summary>
    public required string Directory { get; init; }

    /// <summary>Hash index size in bytes (64 B per bucket of 7 keys): 64 MiB ≈ 7 M accounts before overflow buckets.</summary>
    public long IndexBytes { get; init; } = 64L << 20;

    /// <summary>
    /// Hybrid-log page size in bytes. A record must fit in a page, so the default (16 MiB) holds a
    /// 10 MiB account; a smaller page limits the largest account this store can hold.
    /// </summary>
    public long PageBytes { get; init; } = 16L << 20;

    /// <summary>Memory for the in-memory part of the log (older pages live on disk only).</summary>
    public long MemoryBytes { get; init; } = 512L << 20;

    /// <summary>
    /// Read the hybrid log with pread on the calling thread (<see cref="PreadLogDevice"/>; not on Windows)
    /// instead of FASTER's own device, which completes every read on the thread pool. Both use the same
    /// files, so a store opens with either. Writes go through FASTER's device in both cases (write-through; buffered with pread, O_DIRECT without).
    /// </summary>
    public bool PreadLogReads { get; init; } = true;

    /// <summary>Size of each log file on disk.</summary>
    public long SegmentBytes { get; init; } = 1L << 30;

    /// <summary>
    /// Compact the log once it spans more than this (and more than twice what the last compaction pass
    /// left); 0 never compacts. See AccountsDb.Compaction.cs.
    /// </summary>
    public long CompactAboveBytes { get; init; } = 1L << 30;

    /// <summary>Log bytes one compaction slice covers (whole pages, at least one): the most a root waits for compaction.</summary>
    public long CompactionSliceBytes { get; init; } = 16L << 20;

    /// <summary>
    /// The longest a checkpoint may take to become durable before the store reports a failed device
    /// (FASTER 2.6.5 never completes a checkpoint whose flush failed, e.g. on a full disk).
    /// </summary>
    public TimeSpan CheckpointTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The largest account data this store accepts (derived from the page size).</summary>
    public int MaxDataLength => (int)Math.Min(Account.MaxDataLength, PageBytes - 256);
}
