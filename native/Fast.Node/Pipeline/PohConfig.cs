namespace Fast.Node.Pipeline;

/// <summary>
/// How the proof-of-history service runs. Slot timing comes from flags (<c>--slot-ms</c>,
/// <c>--ticks-per-slot</c>) and <see cref="HashesPerTick"/> from genesis; the validator fills the
/// record, <see cref="Validate"/> says what is wrong in operator terms. Defaults: 600 ms slots of
/// 64 ticks (9.375 ms per tick) at 93,750 hashes per tick, i.e. 10 M hashes/s (Agave's mainnet
/// rate; `fast bench poh` prints what this machine sustains).
/// </summary>
public sealed record PohConfig
{
    public const int DefaultSlotMs = 600;
    public const int DefaultTicksPerSlot = 64;

    /// <summary>10 M hashes/s over a 9.375 ms tick.</summary>
    public const ulong DefaultHashesPerTick = 93_750;

    /// <summary>Hashes per tick in <see cref="LowPowerDevnet"/>: enough to order records, cheap enough for many validators on two cores.</summary>
    public const ulong LowPowerHashesPerTick = 128;

    /// <summary>Target slot duration in milliseconds (<c>--slot-ms</c>).</summary>
    public int SlotMs { get; init; } = DefaultSlotMs;

    /// <summary>Ticks per slot (<c>--ticks-per-slot</c>).</summary>
    public int TicksPerSlot { get; init; } = DefaultTicksPerSlot;

    /// <summary>Hashes per tick, from genesis. Records count toward it (as in Agave).</summary>
    public ulong HashesPerTick { get; init; } = DefaultHashesPerTick;

    /// <summary>
    /// Hashes per native call. Records are mixed in between batches, so this bounds a record's wait:
    /// 1,024 hashes ≈ 37 µs at 27 M hashes/s, while the call overhead stays below 0.1 %.
    /// </summary>
    public int HashesPerBatch { get; init; } = 1024;

    /// <summary>The core the PoH thread is pinned to; null leaves it to the scheduler.</summary>
    public int? Core { get; init; }

    /// <summary>
    /// Low-power mode for local devnets: hash only when a tick is due and sleep to the wall clock in
    /// between (instead of spinning a core), so many validators share two cores. Use with few
    /// <see cref="HashesPerTick"/> (see <see cref="LowPowerDevnet"/>).
    /// </summary>
    public bool LowPower { get; init; }


    /// <summary>Records the banking stage may have in flight to PoH (each a ~80-byte struct: 4,096 ≈ 330 KB).</summary>
    public int RecordQueueCapacity { get; init; } = 4096;

    /// <summary>Entries and ticks awaiting the broadcaster (each a ~130-byte struct: 16,384 ≈ 2 MB, over a full slot of entries at 64 ticks + 16 K records).</summary>
    public int EntryQueueCapacity { get; init; } = 16_384;

    /// <summary>Slot ends awaiting the leader's slot logic.</summary>
    public int SlotEndQueueCapacity { get; init; } = 256;

    /// <summary>Record outcomes awaiting the banking stage (each ~70 bytes).</summary>
    public int OutcomeQueueCapacity { get; init; } = 4096;

    /// <summary>Records mixed in between two batches at most, so a flood of records cannot starve the tick.</summary>
    public int MaxRecordsPerDrain { get; init; } = 256;

    /// <summary>Target duration of one tick, in nanoseconds (600 ms / 64 = 9,375,000).</summary>
    public long TickNanoseconds => SlotMs * 1_000_000L / TicksPerSlot;

    /// <summary>The hash rate this configuration needs to keep the target slot time.</summary>
    public double RequiredHashesPerSecond => HashesPerTick * 1e9 / TickNanoseconds;

    /// <summary>A local-devnet configuration: <see cref="LowPower"/> with <see cref="LowPowerHashesPerTick"/>.</summary>
    public static PohConfig LowPowerDevnet(int slotMs = DefaultSlotMs, int ticksPerSlot = DefaultTicksPerSlot) =>
        new() { SlotMs = slotMs, TicksPerSlot = ticksPerSlot, HashesPerTick = LowPowerHashesPerTick, LowPower = true };

    /// <summary>Null when the configuration can run; otherwise what is wrong, in one line.</summary>
    public string? Validate()
    {
        if (SlotMs is < 1 or > 3_600_000) return $"--slot-ms must be 1..3600000, not {SlotMs}";
        if (TicksPerSlot is < 1 or > 100_000) return $"--ticks-per-slot must be 1..100000, not {TicksPerSlot}";
        if (TickNanoseconds < 100_000) return $"a tick of {TickNanoseconds} ns is too short (--slot-ms / --ticks-per-slot must be at least 0.1 ms)";
        if (HashesPerTick < 2) return $"hashes per tick must be at least 2, not {HashesPerTick}";
        if (HashesPerBatch < 1) return $"hashes per batch must be at least 1, not {HashesPerBatch}";
        if (Core is < 0) return $"the PoH core must be a CPU number, not {Core}";
        if (RecordQueueCapacity < 2 || EntryQueueCapacity < 2 || SlotEndQueueCapacity < 2 || OutcomeQueueCapacity < 2) return "every PoH queue needs a capacity of at least 2";
        if (MaxRecordsPerDrain < 1) return $"records per drain must be at least 1, not {MaxRecordsPerDrain}";
        return null;
    }
}
