using System.Security.Cryptography;
using Fast.Core.Codec;
using Fast.Core.Collections;
using Fast.Core.Ledger;
using Fast.Core.Poh;
using Fast.Core.Primitives;
using Fast.Core.Tests.Transactions;
using Fast.Crypto;
using Fast.Testing;
using Xunit;

namespace Fast.Core.Tests.Poh;

public class PohGeneratorTests
{
    private static readonly byte[] Payload = [9, 9, 9];

    /// <summary>The independent answer: .NET's SHA256 applied <paramref name="count"/> times.</summary>
    private static byte[] DotnetChain(ReadOnlySpan<byte> start, int count)
    {
        byte[] hash = start.ToArray();
        for (int i = 0; i < count; i++) hash = SHA256.HashData(hash);
        return hash;
    }

    private static byte[] DotnetMixin(ReadOnlySpan<byte> previous, ReadOnlySpan<byte> mixin) => SHA256.HashData([.. previous, .. mixin]);

    [Fact]
    public void Ticks_come_every_hashes_per_tick_hashes_and_equal_dotnet_sha256_chained_from_the_zero_hash()
    {
        PohGenerator generator = new(Hash.Zero, 0, hashesPerTick: 5, ticksPerSlot: 3);
        CollectingSink sink = new();
        while (generator.TickHeight < 6) generator.HashBatch(2, ref sink);

        Assert.Equal(6, sink.Entries.Count);
        byte[] expected = new byte[32];
        for (int i = 0; i < 6; i++)
        {
            expected = DotnetChain(expected, 5);
            PohEntry tick = sink.Entries[i];
            Assert.True(tick.IsTick);
            Assert.Equal(5UL, tick.NumHashes);
            Assert.Equal(new Hash(expected), tick.Hash);
            Assert.Equal((ulong)(i + 1), tick.TickHeight);
            Assert.Equal((ulong)(i / 3), tick.Slot);
        }
        // Known answer: 30 hashes from 32 zero bytes, independently of this file's helper.
        Assert.Equal(Convert.ToHexStringLower(DotnetChain(new byte[32], 30)), Convert.ToHexStringLower(sink.Entries[5].Hash.Span));
        Assert.Equal([new PohSlotEnd(0, 3, sink.Entries[2].Hash), new PohSlotEnd(1, 6, sink.Entries[5].Hash)], sink.SlotEnds);
        Assert.Equal(2UL, generator.Slot);
        Assert.Equal(30UL, generator.TotalHashes);
    }

    [Fact]
    public void A_record_is_sha256_of_the_chain_and_its_mixin_and_its_hash_counts_toward_the_tick()
    {
        PohGenerator generator = new(Hash.Zero, 0, hashesPerTick: 10, ticksPerSlot: 8);
        CollectingSink sink = new();
        Hash mixin = PohChains.RandomHash(new Random(1));

        Assert.Equal(3UL, generator.HashBatch(3, ref sink));
        Assert.Equal(PohRecordStatus.Recorded, generator.Record(new PohRecord(0, mixin, 1, Payload, 77), ref sink));
        generator.HashBatch(100, ref sink);

        Assert.Equal(2, sink.Entries.Count);
        PohEntry entry = sink.Entries[0];
        byte[] afterThree = DotnetChain(new byte[32], 3);
        byte[] mixed = DotnetMixin(afterThree, mixin.Span);
        Assert.Equal(new Hash(mixed), entry.Hash);
        Assert.Equal(4UL, entry.NumHashes);
        Assert.Equal(1, entry.TransactionCount);
        Assert.Equal(77, entry.RecordId);
        Assert.Equal(mixin, entry.Mixin);
        Assert.True(entry.Transactions.Span.SequenceEqual(Payload));

        PohEntry tick = sink.Entries[1];
        Assert.True(tick.IsTick);
        Assert.Equal(6UL, tick.NumHashes); // 10 per tick, 4 of them before the record's entry
        Assert.Equal(new Hash(DotnetChain(mixed, 6)), tick.Hash);
    }

    [Fact]
    public void The_batch_size_does_not_change_the_chain()
    {
        List<PohEntry>? first = null;
        foreach (ulong batch in new ulong[] { 1, 3, 64, 100_000 })
        {
            PohGenerator generator = new(Hash.Zero, 0, hashesPerTick: 50, ticksPerSlot: 2);
            CollectingSink sink = new();
            BoundedQueue<PohRecord> records = new(4);
            Random random = new(3);
            ulong nextRecordAt = 17;
            while (generator.TickHeight < 5)
            {
                // Records at fixed hash counts, so every batch size mixes them at the same place.
                ulong until = nextRecordAt - generator.TotalHashes;
                generator.HashBatch(Math.Min(batch, until), ref sink);
                if (generator.TotalHashes == nextRecordAt)
                {
                    records.TryEnqueue(new PohRecord(generator.Slot, PohChains.RandomHash(random), 1, Payload, 0));
                    generator.DrainRecords(records, 1, ref sink);
                    nextRecordAt += 23;
                }
            }
            first ??= sink.Entries;
            Assert.Equal(first.Select(e => (e.NumHashes, e.Hash, e.Mixin)), sink.Entries.Select(e => (e.NumHashes, e.Hash, e.Mixin)));
        }
    }

    [Fact]
    public void A_record_that_arrives_with_only_the_tick_hash_left_waits_for_the_next_tick_period()
    {
        PohGenerator generator = new(Hash.Zero, 0, hashesPerTick: 4, ticksPerSlot: 8);
        CollectingSink sink = new();
        BoundedQueue<PohRecord> records = new(4);
        generator.HashBatch(3, ref sink);
        Assert.Equal(1UL, generator.HashesUntilTick);

        Assert.Equal(PohRecordStatus.TickDue, generator.Record(new PohRecord(0, Hash.Zero, 1, Payload, 1), ref sink));
        records.TryEnqueue(new PohRecord(0, Hash.Zero, 1, Payload, 1));
        Assert.Equal(1, generator.DrainRecords(records, 10, ref sink));
        Assert.True(generator.HasPendingRecord);
        Assert.Empty(sink.Entries);

        generator.HashBatch(1000, ref sink); // only the tick's hash
        Assert.Single(sink.Entries);
        Assert.True(sink.Entries[0].IsTick);
        Assert.Equal(4UL, sink.Entries[0].NumHashes);

        Assert.Equal(0, generator.DrainRecords(records, 10, ref sink)); // the pending one, not from the queue
        Assert.False(generator.HasPendingRecord);
        Assert.Equal(2, sink.Entries.Count);
        Assert.Equal(1UL, sink.Entries[1].NumHashes);
        Assert.Equal(1UL, sink.Entries[1].TickHeight);
        Assert.Empty(sink.Rejections);
    }

    [Fact]
    public void A_record_for_a_slot_whose_last_tick_was_hashed_is_rejected_as_slot_ended()
    {
        PohGenerator generator = new(Hash.Zero, 0, hashesPerTick: 4, ticksPerSlot: 2);
        CollectingSink sink = new();
        BoundedQueue<PohRecord> records = new(8);

        // Slot 0's last tick period: three hashes, then a record for slot 0 that must wait for the tick...
        generator.HashBatch(4, ref sink);
        generator.HashBatch(3, ref sink);
        records.TryEnqueue(new PohRecord(0, Hash.Zero, 1, Payload, 1));
        generator.DrainRecords(records, 10, ref sink);
        Assert.True(generator.HasPendingRecord);
        // ...and that tick completes slot 0, so the record is refused, as Agave's PohRecorder refuses it.
        generator.HashBatch(1, ref sink);
        Assert.Equal(1UL, generator.Slot);
        generator.DrainRecords(records, 10, ref sink);

        records.TryEnqueue(new PohRecord(0, Hash.Zero, 1, Payload, 2));
        records.TryEnqueue(new PohRecord(5, Hash.Zero, 1, Payload, 3));
        records.TryEnqueue(new PohRecord(1, Hash.Zero, 0, Payload, 4));
        records.TryEnqueue(new PohRecord(1, Hash.Zero, 1, Payload, 5));
        Assert.Equal(4, generator.DrainRecords(records, 10, ref sink));

        Assert.Equal(
            [(1L, PohRecordStatus.SlotEnded), (2L, PohRecordStatus.SlotEnded), (3L, PohRecordStatus.SlotNotStarted), (4L, PohRecordStatus.Invalid)],
            sink.Rejections.Select(r => (r.Record.Id, r.Status)));
        PohEntry recorded = Assert.Single(sink.Entries, e => !e.IsTick);
        Assert.Equal(5, recorded.RecordId);
        Assert.Equal(1UL, recorded.Slot);
        Assert.Equal([new PohSlotEnd(0, 2, sink.Entries[1].Hash)], sink.SlotEnds);
    }

    [Fact]
    public void Draining_takes_at_most_the_requested_number_of_records()
    {
        PohGenerator generator = new(Hash.Zero, 0, hashesPerTick: 1000, ticksPerSlot: 8);
        CollectingSink sink = new();
        BoundedQueue<PohRecord> records = new(16);
        for (int i = 0; i < 10; i++) records.TryEnqueue(new PohRecord(0, Hash.Zero, 1, Payload, i));
        Assert.Equal(3, generator.DrainRecords(records, 3, ref sink));
        Assert.Equal(7, records.Count);
        Assert.Equal(3, sink.Entries.Count);
        Assert.All(sink.Entries, e => Assert.Equal(1UL, e.NumHashes));
    }

    [Fact]
    public void Reset_restarts_the_chain_from_a_new_hash_at_a_new_tick_height()
    {
        PohGenerator generator = new(Hash.Zero, 0, hashesPerTick: 8, ticksPerSlot: 4);
        CollectingSink sink = new();
        generator.HashBatch(5, ref sink);
        Hash other = PohChains.RandomHash(new Random(4));
        generator.Reset(other, 40);
        Assert.Equal(10UL, generator.Slot);
        Assert.Equal(8UL, generator.HashesUntilTick);
        generator.HashBatch(8, ref sink);
        PohEntry tick = Assert.Single(sink.Entries);
        Assert.Equal(new Hash(DotnetChain(other.Span, 8)), tick.Hash);
        Assert.Equal(8UL, tick.NumHashes);
        Assert.Equal(41UL, tick.TickHeight);
        Assert.Equal(10UL, tick.Slot);
    }

    [Fact]
    public void Entries_with_real_transactions_serialise_with_EntryWriter_parse_back_and_verify()
    {
        Random random = new(11);
        var payer = Keypair.Generate();
        PohGenerator generator = new(Hash.Zero, 0, hashesPerTick: 20, ticksPerSlot: 4);
        CollectingSink sink = new();
        List<byte[]> batches = [];
        for (int round = 0; round < 6; round++)
        {
            byte[][] txs = [.. Enumerable.Range(0, round % 3 + 1).Select(i => TestTransactions.Transfer(payer, TestTransactions.RandomKey(random), (ulong)(round * 10 + i), default))];
            byte[] concatenated = [.. txs.SelectMany(t => t)];
            batches.Add(concatenated);
            generator.HashBatch((ulong)random.Next(1, 15), ref sink);
            PohRecordStatus status = generator.Record(new PohRecord(generator.Slot, MixinOf(txs.Length, concatenated), txs.Length, concatenated, round), ref sink);
            if (status == PohRecordStatus.TickDue)
            {
                generator.HashBatch(1, ref sink);
                status = generator.Record(new PohRecord(generator.Slot, MixinOf(txs.Length, concatenated), txs.Length, concatenated, round), ref sink);
            }
            Assert.Equal(PohRecordStatus.Recorded, status);
        }
        generator.HashBatch(generator.HashesUntilTick, ref sink);

        byte[] wire = new byte[sink.Entries.Sum(e => e.EncodedLength)];
        SpanWriter writer = new(wire);
        foreach (PohEntry entry in sink.Entries) entry.WriteTo(ref writer);
        Assert.False(writer.Overflowed);
        Assert.Equal(wire.Length, writer.Position);

        var segments = new PohSegment[sink.Entries.Count];
        Assert.Equal(DecodeResult.Success, PohSegment.TryParseEntries(wire, segments, out int count));
        Assert.Equal(sink.Entries.Count, count);
        Assert.Equal(sink.Entries.Select(e => e.ToSegment()), segments);
        Assert.Equal(PohVerifyResult.Valid, PohVerifier.Verify(Hash.Zero, segments));

        int recordIndex = 0;
        int offset = 0;
        foreach (PohEntry entry in sink.Entries)
        {
            Assert.True(EntryView.TryParsePrefix(wire.AsSpan(offset), out EntryView view).IsOk);
            offset += view.Length;
            if (view.IsTick) continue;
            Assert.True(view.TransactionBytes.SequenceEqual(batches[recordIndex++]));
        }
        Assert.Equal(6, recordIndex);
    }

    [Fact]
    public void Hashes_per_tick_below_two_and_ticks_per_slot_below_one_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new PohGenerator(Hash.Zero, 0, 1, 64));
        Assert.Throws<ArgumentException>(() => new PohGenerator(Hash.Zero, 0, 100, 0));
    }

    [Fact]
    public void The_generator_allocates_nothing_while_running_with_records()
    {
        PohGenerator generator = new(Hash.Zero, 0, hashesPerTick: 300, ticksPerSlot: 4);
        BoundedQueue<PohRecord> records = new(64);
        CountingSink sink = new();
        byte[] transactions = new byte[600];
        Hash mixin = PohChains.RandomHash(new Random(2));
        long id = 0;
        long allocated = Allocations.Measure(20_000, () =>
        {
            records.TryEnqueue(new PohRecord(generator.Slot, mixin, 2, transactions, ++id));
            if (id % 3 == 0) records.TryEnqueue(new PohRecord(generator.Slot - 1, mixin, 2, transactions, ++id)); // refused after a slot ends
            generator.DrainRecords(records, 8, ref sink);
            generator.HashBatch(64, ref sink);
        });
        Assert.Equal(0, allocated);
        Assert.True(sink.Ticks > 1000, $"only {sink.Ticks} ticks");
        Assert.True(sink.SlotEnds > 250, $"only {sink.SlotEnds} slots");
        Assert.True(sink.Entries - sink.Ticks > 10_000, "records were mixed in");
        Assert.True(sink.Rejections > 0, "records for ended slots were refused");
    }

    private static Hash MixinOf(int count, byte[] concatenated)
    {
        byte[] draft = new byte[EntryWriter.EncodedLength(count, concatenated.Length)];
        SpanWriter writer = new(draft);
        EntryWriter.Write(ref writer, 1, default, count, concatenated);
        Assert.True(EntryView.TryParse(draft, out EntryView view).IsOk);
        return EntryHashing.TransactionsHash(view);
    }
}
