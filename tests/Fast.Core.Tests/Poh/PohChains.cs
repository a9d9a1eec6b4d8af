using Fast.Core.Collections;
using Fast.Core.Poh;
using Fast.Core.Primitives;

namespace Fast.Core.Tests.Poh;

/// <summary>A sink that keeps everything the generator emits, for assertions.</summary>
internal sealed class CollectingSink : IPohSink
{
    public List<PohEntry> Entries { get; } = [];
    public List<PohSlotEnd> SlotEnds { get; } = [];
    public List<(PohRecord Record, PohRecordStatus Status)> Rejections { get; } = [];

    public void OnEntry(in PohEntry entry) => Entries.Add(entry);

    public void OnSlotEnded(in PohSlotEnd slotEnd) => SlotEnds.Add(slotEnd);

    public void OnRecordRejected(in PohRecord record, PohRecordStatus status) => Rejections.Add((record, status));
}

/// <summary>A struct sink that only counts (for the zero-allocation test).</summary>
internal struct CountingSink : IPohSink
{
    public long Entries;
    public long Ticks;
    public long SlotEnds;
    public long Rejections;

    public void OnEntry(in PohEntry entry)
    {
        Entries++;
        if (entry.IsTick) Ticks++;
    }

    public void OnSlotEnded(in PohSlotEnd slotEnd) => SlotEnds++;

    public void OnRecordRejected(in PohRecord record, PohRecordStatus status) => Rejections++;
}

/// <summary>Chains made by the real generator, with records at random points, for the verifier's tests.</summary>
internal static class PohChains
{
    private static readonly byte[] Payload = [1, 2, 3];

    internal static Hash RandomHash(Random random)
    {
        byte[] bytes = new byte[Hash.Size];
        random.NextBytes(bytes);
        return new Hash(bytes);
    }

    /// <summary>Runs a generator from <paramref name="start"/> until <paramref name="ticks"/> ticks, mixing in a record after a batch with probability <paramref name="recordChance"/>.</summary>
    internal static List<PohEntry> Generate(Random random, Hash start, ulong hashesPerTick, int ticks, int batch, double recordChance, int ticksPerSlot = 4)
    {
        PohGenerator generator = new(start, 0, hashesPerTick, ticksPerSlot);
        BoundedQueue<PohRecord> records = new(16);
        CollectingSink sink = new();
        long id = 0;
        while (generator.TickHeight < (ulong)ticks)
        {
            if (random.NextDouble() < recordChance)
            {
                records.TryEnqueue(new PohRecord(generator.Slot, RandomHash(random), 1, Payload, ++id));
            }
            generator.DrainRecords(records, 4, ref sink);
            generator.HashBatch((ulong)random.Next(1, batch + 1), ref sink);
        }
        return sink.Entries;
    }

    internal static PohSegment[] Segments(List<PohEntry> entries) => [.. entries.Select(e => e.ToSegment())];
}
