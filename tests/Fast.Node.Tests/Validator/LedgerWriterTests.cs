using System.Diagnostics;
using Fast.Core.Poh;
using Fast.Core.Primitives;
using Fast.Node.Pipeline;
using Fast.Node.Validator;
using Fast.Storage.Blocks;
using Fast.Testing;
using Xunit;

namespace Fast.Node.Tests.Validator;

/// <summary>PoH → ledger writer → Blockstore on their real threads, with the writer stalled (a slow disk) so PoH's queue overflows.</summary>
public class LedgerWriterTests
{
    private const int TicksPerSlot = 4;

    [Fact]
    public void A_stalled_ledger_writer_loses_no_recorded_entry_leaks_no_buffer_and_confirms_only_complete_slots()
    {
        using TempDir dir = new("ledger-writer");
        using var blockstore = Blockstore.Open(new BlockstoreOptions { Directory = dir.File("blocks") });
        ChainState chain = new();
        // 10 ms ticks, 40 ms slots; the writer sleeps 50 ms before every append (about one a slot), so it falls behind and the 32-item queue overflows.
        PohConfig config = PohConfig.LowPowerDevnet(slotMs: 40, ticksPerSlot: TicksPerSlot) with { EntryQueueCapacity = 32 };
        using PohService poh = new(config, Hash.Compute("stalled writer"u8), tickHeight: TicksPerSlot); // slot 1, on slot 0
        using LedgerWriter writer = new(poh, blockstore, chain, TicksPerSlot) { StallMilliseconds = 50 };
        EntryBufferPool pool = new(32, 64);
        writer.Start();
        poh.Start();

        // The banking stage's side: a buffer with two references per record; ours goes back on any answer, the writer's with the entry.
        Dictionary<long, ulong> recorded = [];
        Dictionary<PohRecordStatus, int> refused = [];
        var clock = Stopwatch.StartNew();
        long id = 0;
        // At least 2 s, and on a starved machine until slots were abandoned, records refused and slots completed (30 s at most).
        while (clock.ElapsedMilliseconds < 2000
               || ((poh.SlotsAbandoned == 0 || refused.GetValueOrDefault(PohRecordStatus.LedgerBehind) == 0 || writer.Counters.SlotsCompleted < 4 || recorded.Count < 20)
                   && clock.ElapsedMilliseconds < 30_000))
        {
            EntryBuffer? buffer = pool.TryRent(references: 2);
            Assert.NotNull(buffer); // a leak would exhaust the 32 buffers
            Marker(++id).CopyTo(buffer.Array, 0);
            buffer.Length = Hash.Size;
            ulong slot = poh.Slot;
            Assert.True(poh.Records.TryEnqueue(new PohRecord(slot, Hash.Compute(Marker(id)), 1, buffer.Memory[..buffer.Length], id)));
            PohRecordOutcome outcome = AwaitOutcome(poh, id);
            buffer.Release();
            if (outcome.IsRecorded)
            {
                recorded[id] = outcome.Slot;
            }
            else
            {
                buffer.Release();
                refused[outcome.Status] = refused.GetValueOrDefault(outcome.Status) + 1;
            }
        }
        poh.Stop();
        writer.Stop();
        Assert.Null(writer.Failure);

        Assert.True(poh.SlotsAbandoned > 0, "the stall abandoned slots");
        Assert.True(refused.GetValueOrDefault(PohRecordStatus.LedgerBehind) > 0, "records were refused while the writer was behind");
        Assert.True(recorded.Count >= 10, $"only {recorded.Count} records recorded");
        Assert.Equal(pool.MaxBuffers, pool.Available);

        // Every recorded entry is in the Blockstore, in the slot PoH said.
        Dictionary<ulong, byte[]> slots = blockstore.Slots().ToDictionary(s => s, s => blockstore.ReadSlotEntries(s)!);
        foreach ((long record, ulong slot) in recorded)
        {
            Assert.True(slots.TryGetValue(slot, out byte[]? bytes) && bytes.AsSpan().IndexOf(Marker(record)) >= 0, $"record {record} of slot {slot} is not in the ledger");
        }

        // Durable exactly when complete; each complete slot builds on the previous complete one (abandoned ones are skipped).
        ulong parent = 0;
        int complete = 0;
        foreach (ulong slot in slots.Keys.Order())
        {
            Assert.True(blockstore.TryGetSlotMeta(slot, out SlotMeta meta));
            Assert.Equal(meta.IsComplete, chain.IsDurable(slot));
            Assert.Equal(parent, meta.ParentSlot);
            if (!meta.IsComplete) continue;
            Assert.Equal(TicksPerSlot * (int)(slot - parent), CountTicks(slots[slot])); // an abandoned slot's ticks are carried by the next block
            parent = slot;
            complete++;
        }
        Assert.True(complete > 3, $"only {complete} complete slots");
    }

    private static byte[] Marker(long id) => Hash.Compute(BitConverter.GetBytes(id)).Span.ToArray();

    private static PohRecordOutcome AwaitOutcome(PohService poh, long id)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (poh.RecordOutcomes.TryDequeue(out PohRecordOutcome outcome) && outcome.RecordId == id) return outcome;
            Thread.Sleep(0);
        }
        throw new TimeoutException($"PoH did not answer record {id}");
    }

    /// <summary>Ticks among the entries: each is num_hashes (8) + hash (32) + a one-byte shortvec count + transactions (ours: 32 bytes).</summary>
    private static int CountTicks(byte[] entries)
    {
        int ticks = 0;
        for (int offset = 0; offset < entries.Length;)
        {
            byte count = entries[offset + 40];
            if (count == 0) ticks++;
            offset += 41 + (count == 0 ? 0 : Hash.Size);
        }
        return ticks;
    }
}
