using System.Diagnostics;
using Fast.Core.Poh;
using Fast.Core.Primitives;
using Fast.Node.Pipeline;
using Xunit;

namespace Fast.Node.Tests.Pipeline;

/// <summary>The PoH service on its real thread with the real clock (short runs with loose timing bounds: the machine is shared).</summary>
public class PohServiceTests
{
    private static readonly byte[] Payload = [1, 2, 3, 4];

    private static List<T> Drain<T>(Fast.Core.Collections.BoundedQueue<T> queue)
    {
        List<T> items = [];
        while (queue.TryDequeue(out T item)) items.Add(item);
        return items;
    }

    private static void AssertChainVerifies(Hash start, List<PohEntry> entries, ulong hashesPerTick)
    {
        PohSegment[] segments = [.. entries.Select(e => e.ToSegment())];
        Assert.Equal(PohVerifyResult.Valid, PohVerifier.Verify(start, segments));
        ulong carried = 0;
        Assert.Equal(PohVerifyResult.Valid, PohVerifier.CheckTickHashCounts(segments, hashesPerTick, ref carried));
    }

    [Fact]
    public void A_low_power_service_ticks_on_the_wall_clock_answers_every_record_and_its_entries_verify()
    {
        PohConfig config = PohConfig.LowPowerDevnet(slotMs: 80, ticksPerSlot: 4) with { Core = 0 }; // 20 ms ticks
        var start = Hash.Compute("low power"u8);
        using PohService service = new(config, start, 0);
        var clock = Stopwatch.StartNew();
        service.Start();
        Assert.True(service.IsRunning);

        List<PohEntry> entries = [];
        int sent = 0;
        // 40 records, however long a loaded host takes (at least 300 ms: several slots); a wall-clock-only bound sent 10 at load 30.
        while ((sent < 40 || clock.ElapsedMilliseconds < 300) && clock.ElapsedMilliseconds < 10_000)
        {
            entries.AddRange(Drain(service.Entries));
            ulong slot = (ulong)entries.Count(e => e.IsTick) / 4; // may be stale at a slot boundary: then the answer is SlotEnded
            if (service.Records.TryEnqueue(new PohRecord(slot, Hash.Compute(BitConverter.GetBytes(sent)), 1, Payload, sent))) sent++;
            Thread.Sleep(7);
        }
        service.Stop();
        double elapsedTicks = clock.Elapsed.TotalMilliseconds / 20;
        entries.AddRange(Drain(service.Entries));

        Assert.Equal(0, service.PinErrno);
        Assert.Equal(0, service.EntriesDropped);
        long ticks = entries.Count(e => e.IsTick);
        Assert.Equal(service.Ticks, ticks);
        Assert.InRange(ticks, 5, (long)elapsedTicks + 1); // paced: never ahead of the wall clock
        AssertChainVerifies(start, entries, config.HashesPerTick);

        List<PohRecordOutcome> outcomes = Drain(service.RecordOutcomes);
        Assert.Equal(service.RecordsRecorded + service.RecordsRejected, outcomes.Count);
        Assert.InRange(outcomes.Count, sent - 2, sent); // at most one still queued and one waiting for a tick when the service stopped
        Assert.True(service.RecordsRecorded > 10, $"only {service.RecordsRecorded} of {sent} records recorded");
        foreach (PohRecordOutcome outcome in outcomes.Where(o => o.IsRecorded))
        {
            PohEntry entry = Assert.Single(entries, e => !e.IsTick && e.RecordId == outcome.RecordId);
            Assert.Equal(outcome.EntryHash, entry.Hash);
            Assert.True(entry.Transactions.Span.SequenceEqual(Payload));
        }
        List<PohSlotEnd> slotEnds = Drain(service.SlotEnds);
        Assert.Equal(ticks / 4, slotEnds.Count);
        Assert.Equal([.. Enumerable.Range(0, slotEnds.Count).Select(i => (ulong)i)], slotEnds.Select(s => s.Slot));
    }

    [Fact]
    public void A_flat_out_service_holds_its_ticks_to_the_slot_time()
    {
        PohConfig config = new() { SlotMs = 40, TicksPerSlot = 4, HashesPerTick = 5000, HashesPerBatch = 512 }; // 10 ms ticks, far more than 5,000 hashes' time
        var start = Hash.Compute("flat out"u8);
        using PohService service = new(config, start, 0);
        var clock = Stopwatch.StartNew();
        service.Start();
        Thread.Sleep(150);
        service.Stop();
        double elapsedTicks = clock.Elapsed.TotalMilliseconds / 10;

        List<PohEntry> entries = Drain(service.Entries);
        Assert.InRange(entries.Count, 5, (long)elapsedTicks + 1);
        Assert.All(entries, e => Assert.Equal(5000UL, e.NumHashes));
        AssertChainVerifies(start, entries, config.HashesPerTick);
        Assert.InRange(service.Hashes, entries.Count * 5000L, (entries.Count + 1) * 5000L); // plus part of the period it stopped in
    }

    [Fact]
    public void A_full_entry_queue_drops_and_counts_but_never_stalls_the_clock()
    {
        PohConfig config = PohConfig.LowPowerDevnet(slotMs: 20, ticksPerSlot: 4) with { EntryQueueCapacity = 2, SlotEndQueueCapacity = 2 }; // 5 ms ticks, nobody reads
        using PohService service = new(config, Hash.Zero, 0);
        service.Start();
        Thread.Sleep(120);
        long ticksBefore = service.Ticks;
        Thread.Sleep(60);
        service.Stop();
        Assert.True(service.Ticks > ticksBefore, "the clock kept ticking");
        // Each abandoned slot's ticks go into the next block, which then spans both slots' time: fewer slots, fewer drops.
        Assert.True(service.EntriesDropped > 2, $"dropped {service.EntriesDropped}");
        Assert.True(service.SlotEndsDropped > 0);
        Assert.Equal(service.EntriesDropped, service.SlotsAbandoned); // one drop abandons its slot; the rest of that slot is not offered
        Assert.True(service.Ticks >= service.EntriesPublished + service.EntriesDropped);
    }

    [Fact]
    public void A_record_is_answered_recorded_only_once_its_entry_is_queued_for_the_ledger()
    {
        // 10 ms ticks, an entry queue of 16 that nobody drains: it fills, and records must then be refused, not lost.
        PohConfig config = PohConfig.LowPowerDevnet(slotMs: 40, ticksPerSlot: 4) with { EntryQueueCapacity = 16 };
        using PohService service = new(config, Hash.Zero, 0);
        service.Start();
        List<PohRecordOutcome> outcomes = [];
        var clock = Stopwatch.StartNew();
        long id = 0;
        // At least 400 ms, and on a starved machine until the queue has filled and refused records (10 s at most).
        while (clock.ElapsedMilliseconds < 400 || (service.RecordsLedgerBehind == 0 && clock.ElapsedMilliseconds < 10_000))
        {
            ulong slot = (ulong)(service.Ticks / 4);
            service.Records.TryEnqueue(new PohRecord(slot, Hash.Compute(BitConverter.GetBytes(++id)), 1, Payload, id));
            outcomes.AddRange(Drain(service.RecordOutcomes));
            Thread.Sleep(1);
        }
        service.Stop();
        outcomes.AddRange(Drain(service.RecordOutcomes));
        List<PohEntry> queued = Drain(service.Entries);

        List<PohRecordOutcome> recorded = [.. outcomes.Where(o => o.IsRecorded)];
        Assert.NotEmpty(recorded);
        Assert.Contains(outcomes, o => o.Status == PohRecordStatus.LedgerBehind);
        Assert.True(service.RecordsLedgerBehind > 0);
        foreach (PohRecordOutcome outcome in recorded)
        {
            PohEntry entry = Assert.Single(queued, e => !e.IsTick && e.RecordId == outcome.RecordId);
            Assert.Equal(outcome.EntryHash, entry.Hash);
        }
        Assert.Equal(recorded.Count, queued.Count(e => !e.IsTick));
    }

    [Fact]
    public void A_tick_that_cannot_be_queued_abandons_its_slot_and_the_next_slot_verifies_on_the_abandoned_slots_parent()
    {
        // 5 ms ticks; the reader stalls now and then, so the 8-item queue overflows and some slots are abandoned.
        PohConfig config = PohConfig.LowPowerDevnet(slotMs: 20, ticksPerSlot: 4) with { EntryQueueCapacity = 8 };
        var start = Hash.Compute("abandon"u8);
        using PohService service = new(config, start, 0);
        service.Start();
        List<PohEntry> stream = [];
        List<PohSlotEnd> ends = [];
        var clock = Stopwatch.StartNew();
        long id = 0;
        // At least 600 ms, and on a starved machine until slots were both abandoned and completed (10 s at most).
        while (clock.ElapsedMilliseconds < 600
               || ((service.SlotsAbandoned == 0 || stream.Count(e => e.IsTick && e.TickHeight % 4 == 0) < 5) && clock.ElapsedMilliseconds < 10_000))
        {
            bool stalled = clock.ElapsedMilliseconds / 60 % 2 == 1;
            if (!stalled) stream.AddRange(Drain(service.Entries));
            ends.AddRange(Drain(service.SlotEnds));
            service.Records.TryEnqueue(new PohRecord(service.Slot, Hash.Compute(BitConverter.GetBytes(++id)), 1, Payload, id));
            Drain(service.RecordOutcomes);
            Thread.Sleep(2);
        }
        service.Stop();
        stream.AddRange(Drain(service.Entries));
        ends.AddRange(Drain(service.SlotEnds));

        Assert.True(service.SlotsAbandoned > 0, "the stalls abandoned slots");
        Assert.Contains(ends, e => e.Abandoned);
        Assert.Contains(ends, e => !e.Abandoned);
        HashSet<ulong> abandoned = [.. ends.Where(e => e.Abandoned).Select(e => e.Slot)];

        // The ledger writer's rule: a slot is complete when its final tick arrives; each builds on the last
        // complete one and carries the ticks of every slot since it (the abandoned slot's ticks again).
        Hash parentHash = start;
        long parentSlot = -1;
        int complete = 0;
        foreach (IGrouping<ulong, PohEntry> slot in stream.GroupBy(e => e.Slot))
        {
            List<PohEntry> entries = [.. slot];
            bool hasFinalTick = entries[^1].IsTick && entries[^1].TickHeight == (slot.Key + 1) * 4;
            if (!hasFinalTick) continue; // abandoned, or cut off when the service stopped
            Assert.DoesNotContain(slot.Key, abandoned);
            Assert.Equal(4 * ((long)slot.Key - parentSlot), entries.Count(e => e.IsTick));
            AssertChainVerifies(parentHash, entries, config.HashesPerTick);
            parentHash = entries[^1].Hash;
            parentSlot = (long)slot.Key;
            complete++;
        }
        Assert.True(complete > 3, $"only {complete} complete slots");
        Assert.All(abandoned, s => Assert.DoesNotContain(stream, e => e.Slot == s && e.IsTick && e.TickHeight == (s + 1) * 4));
    }

    [Fact]
    public void A_block_on_an_older_parent_carries_the_skipped_slots_ticks_then_the_clock_idles()
    {
        // 50 ms ticks, a 200 ms slot: room for the record on a 2-core runner where other test assemblies run at the same time
        // (with 10 ms ticks and a 40 ms slot a descheduled PoH thread saw slot 5 end before it took the record).
        var config = PohConfig.LowPowerDevnet(slotMs: 200, ticksPerSlot: 4);
        using PohService service = new(config, Hash.Zero, 0, idle: true);
        service.Start();
        Thread.Sleep(30);
        Assert.Empty(Drain(service.Entries)); // idle: nothing hashed before a block starts
        var parent = Hash.Compute("parent slot 1"u8);
        // Slot 5 on slot 1 (its last tick at height 8): slots 2 .. 4 were skipped; slot 5 ends 200 ms from now.
        long end = TimeProvider.System.GetTimestamp() + TimeProvider.System.TimestampFrequency * 200 / 1000;
        // Banking's order: the block starts, then its records come (a record that finds PoH idle is refused).
        Assert.True(service.TryStartBlock(parent, 8, 5, end, idleAfter: true));
        service.Records.TryEnqueue(new PohRecord(5, Hash.Compute("tx"u8), 1, Payload, 1));
        var clock = Stopwatch.StartNew();
        while (service.SlotEnds.Count == 0 && clock.ElapsedMilliseconds < 5000) Thread.Sleep(1);
        Thread.Sleep(40);
        service.Stop();

        List<PohEntry> entries = Drain(service.Entries);
        Assert.All(entries, e => Assert.Equal(5UL, e.Slot));
        Assert.Equal(16, entries.Count(e => e.IsTick)); // (5 - 1) × 4: the skipped slots' ticks and the block's own
        Assert.Equal(24UL, entries[^1].TickHeight);
        Assert.Single(entries, e => !e.IsTick); // the record waited for slot 5 and went into it
        Assert.True(entries.FindIndex(e => !e.IsTick) > entries.FindIndex(e => e.TickHeight == 20), "the record is mixed in only once slot 5 began");
        AssertChainVerifies(parent, entries, config.HashesPerTick);
        PohSlotEnd slotEnd = Assert.Single(Drain(service.SlotEnds));
        Assert.Equal(5UL, slotEnd.Slot);
        Assert.Equal((1L, PohRecordStatus.Recorded), Drain(service.RecordOutcomes).Select(o => (o.RecordId, o.Status)).Single());
    }

    [Fact]
    public void A_low_power_clock_asleep_between_ticks_takes_a_record_when_it_comes_not_at_the_next_tick()
    {
        // 250 ms ticks: a thread that only woke for ticks (or polled slowly) would answer a record up to 250 ms late.
        var config = PohConfig.LowPowerDevnet(slotMs: 1000, ticksPerSlot: 4);
        using PohService service = new(config, Hash.Zero, 0);
        service.Start();
        var clock = Stopwatch.StartNew();
        while (service.Ticks == 0 && clock.ElapsedMilliseconds < 5000) Thread.Sleep(1);
        Thread.Sleep(20); // asleep mid-tick now
        List<double> waits = [];
        for (int i = 0; i < 5; i++)
        {
            long sent = Stopwatch.GetTimestamp();
            Assert.True(service.Records.TryEnqueue(new PohRecord(service.Slot, Hash.Compute([(byte)i]), 1, Payload, 10 + i)));
            while (service.RecordOutcomes.Count == 0 && Stopwatch.GetElapsedTime(sent).TotalMilliseconds < 2000) Thread.Sleep(0);
            waits.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
            Drain(service.RecordOutcomes);
            Thread.Sleep(30);
        }
        service.Stop();
        waits.Sort();
        // The median record is answered long before a 250 ms tick; a loaded runner may delay one or two.
        Assert.True(waits[2] < 100, $"record waits (ms): {string.Join(", ", waits.Select(w => w.ToString("F1")))}");
    }

    [Fact]
    public void An_idle_clock_sleeps_until_rung_and_answers_a_stray_record_at_once()
    {
        var config = PohConfig.LowPowerDevnet(slotMs: 200, ticksPerSlot: 4);
        using PohService service = new(config, Hash.Zero, 0, idle: true);
        service.Start();
        Thread.Sleep(150); // well into an idle sleep (100 ms without a ring)
        long sent = Stopwatch.GetTimestamp();
        Assert.True(service.Records.TryEnqueue(new PohRecord(3, Hash.Zero, 1, Payload, 7)));
        while (service.RecordOutcomes.Count == 0 && Stopwatch.GetElapsedTime(sent).TotalMilliseconds < 2000) Thread.Sleep(0);
        double waited = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
        long stopping = Stopwatch.GetTimestamp();
        service.Stop(); // a stop rings too: no 100 ms wait for the idle sleep to run out
        double stopped = Stopwatch.GetElapsedTime(stopping).TotalMilliseconds;
        PohRecordOutcome outcome = Assert.Single(Drain(service.RecordOutcomes));
        Assert.Equal(7L, outcome.RecordId);
        Assert.NotEqual(PohRecordStatus.Recorded, outcome.Status); // idle: nothing is being produced
        Assert.Empty(Drain(service.Entries));
        Assert.True(waited < 80, $"the stray record was answered after {waited:F1} ms");
        Assert.True(stopped < 80, $"stopping took {stopped:F1} ms");
    }

    [Fact]
    public void Records_for_an_ended_or_future_slot_are_answered_with_the_reason()
    {
        var config = PohConfig.LowPowerDevnet(slotMs: 200, ticksPerSlot: 4);
        using PohService service = new(config, Hash.Zero, tickHeight: 8); // slot 2
        service.Records.TryEnqueue(new PohRecord(1, Hash.Zero, 1, Payload, 1));
        service.Records.TryEnqueue(new PohRecord(9, Hash.Zero, 1, Payload, 2));
        service.Records.TryEnqueue(new PohRecord(2, Hash.Zero, 1, Payload, 3));
        service.Start();
        var clock = Stopwatch.StartNew();
        while (service.RecordOutcomes.Count < 3 && clock.ElapsedMilliseconds < 5000) Thread.Sleep(1);
        service.Stop();
        Assert.Equal(
            [(1L, PohRecordStatus.SlotEnded), (2L, PohRecordStatus.SlotNotStarted), (3L, PohRecordStatus.Recorded)],
            Drain(service.RecordOutcomes).Select(o => (o.RecordId, o.Status)));
        PohEntry entry = Assert.Single(Drain(service.Entries), e => !e.IsTick);
        Assert.Equal(2UL, entry.Slot);
    }

    [Fact]
    public void A_reset_moves_the_chain_to_the_new_hash_and_tick_height()
    {
        var config = PohConfig.LowPowerDevnet(slotMs: 40, ticksPerSlot: 4); // 10 ms ticks
        using PohService service = new(config, Hash.Zero, 0);
        service.Start();
        Thread.Sleep(30);
        var fork = Hash.Compute("another fork"u8);
        Assert.True(service.TryReset(fork, 400));
        Thread.Sleep(60);
        service.Stop();

        List<PohEntry> entries = Drain(service.Entries);
        int firstAfter = entries.FindIndex(e => e.TickHeight > 400);
        Assert.True(firstAfter > 0, "ticks before and after the reset");
        Assert.Equal(401UL, entries[firstAfter].TickHeight);
        Assert.Equal(100UL, entries[firstAfter].Slot);
        AssertChainVerifies(fork, entries[firstAfter..], config.HashesPerTick);
    }

    [Fact]
    public void A_core_that_does_not_exist_is_reported_and_the_clock_runs_anyway()
    {
        PohConfig config = PohConfig.LowPowerDevnet(slotMs: 20, ticksPerSlot: 4) with { Core = 1000 };
        using PohService service = new(config, Hash.Zero, 0);
        service.Start();
        SpinWait.SpinUntil(() => service.Ticks > 0, TimeSpan.FromSeconds(10)); // a starved machine may take a while to run the thread
        service.Stop();
        Assert.NotEqual(0, service.PinErrno);
        Assert.True(service.Ticks > 0);
    }

    public static TheoryData<PohConfig, string> InvalidConfigs => new()
    {
        { new PohConfig { SlotMs = 0 }, "--slot-ms" },
        { new PohConfig { TicksPerSlot = 0 }, "--ticks-per-slot" },
        { new PohConfig { SlotMs = 1, TicksPerSlot = 64 }, "too short" },
        { new PohConfig { HashesPerTick = 1 }, "hashes per tick" },
        { new PohConfig { HashesPerBatch = 0 }, "hashes per batch" },
        { new PohConfig { Core = -1 }, "core" },
        { new PohConfig { EntryQueueCapacity = 1 }, "capacity" },
    };

    [Theory]
    [MemberData(nameof(InvalidConfigs))]
    public void Invalid_configurations_are_refused_with_a_one_line_reason(PohConfig config, string mentions)
    {
        string? error = config.Validate();
        Assert.NotNull(error);
        Assert.Contains(mentions, error);
        Assert.DoesNotContain('\n', error);
        ArgumentException thrown = Assert.Throws<ArgumentException>(() => new PohService(config, Hash.Zero, 0));
        Assert.Contains(mentions, thrown.Message);
    }

    [Fact]
    public void The_default_configuration_is_600_ms_slots_of_64_ticks_at_10_M_hashes_per_second()
    {
        PohConfig config = new();
        Assert.Null(config.Validate());
        Assert.Equal(9_375_000, config.TickNanoseconds);
        Assert.Equal(10e6, config.RequiredHashesPerSecond, 1e-3);
        Assert.Null(PohConfig.LowPowerDevnet().Validate());
    }
}
