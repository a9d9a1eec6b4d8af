namespace Fast.Exec.Scheduling;

/// <summary>
/// Transactions handed to one worker together: none conflicts with a transaction in any other batch
/// in flight; within the batch they run in order, so a batch may chain transactions on a hot account.
/// Written by the coordinator before it is queued and by its worker while it runs.
/// </summary>
internal sealed class ExecutionBatch(int slotIndex, int capacity)
{
    /// <summary>This batch's place in the scheduler's batch table (what goes through the queues).</summary>
    public readonly int SlotIndex = slotIndex;

    /// <summary>Unique, increasing: marks the locks this batch holds.</summary>
    public long Id;

    public readonly int[] Transactions = new int[capacity];
    public int Count;

    /// <summary>Overlay entries whose locks the batch holds (each once).</summary>
    public int[] Held = new int[capacity * 4];
    public int HeldCount;

    // Totals of the committed transactions, written by the executing worker.
    public ulong Fees;
    public ulong Signatures;
    public ulong Committed;
    public long ExecutionNanoseconds;

    /// <summary>Executed by a helper thread rather than the coordinator (for the CPU-time split).</summary>
    public bool ByHelper;

    public void Reset(long id)
    {
        Id = id;
        Count = 0;
        HeldCount = 0;
        Fees = 0;
        Signatures = 0;
        Committed = 0;
        ByHelper = false;
    }

    public void Hold(int entry)
    {
        if (HeldCount == Held.Length) Array.Resize(ref Held, Held.Length * 2);
        Held[HeldCount++] = entry;
    }
}

/// <summary>
/// The lock state of one overlay entry, kept by the coordinator thread only (workers never touch it).
/// An entry is held by <see cref="Holders"/> batches — many readers, or exactly one writer — and
/// may be reserved for the current scheduling pass by an earlier transaction that had to wait, so
/// later ones cannot overtake it (block order is kept for every pair of conflicting transactions).
/// </summary>
internal struct AccountLock
{
    public long LastBatch;
    public long ReservedWriteEpoch;
    public long ReservedReadEpoch;
    public int Holders;
    public bool WriteHeld;
}
