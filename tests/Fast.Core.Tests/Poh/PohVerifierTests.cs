using Fast.Core.Codec;
using Fast.Core.Ledger;
using Fast.Core.Poh;
using Fast.Core.Primitives;
using Fast.Core.Tests.Transactions;
using Fast.Crypto;
using Fast.Testing;
using Xunit;

namespace Fast.Core.Tests.Poh;

public class PohVerifierTests
{
    public static TheoryData<PohHashPath> Paths() =>
        [PohHashPath.Default, PohHashPath.ShaNiInterleaved, PohHashPath.ShaNiSingle, PohHashPath.Avx512Lanes16, PohHashPath.Avx2Lanes8, PohHashPath.Portable];

    private static (Hash Start, PohSegment[] Segments) Chain(int seed, int ticks = 12, ulong hashesPerTick = 40)
    {
        Random random = new(seed);
        Hash start = PohChains.RandomHash(random);
        return (start, PohChains.Segments(PohChains.Generate(random, start, hashesPerTick, ticks, batch: 15, recordChance: 0.4)));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Generated_entries_verify_on_every_path_and_every_degree_of_parallelism(PohHashPath path)
    {
        if (!PohVerifier.IsSupported(path)) return;
        (Hash start, PohSegment[] segments) = Chain(seed: 1);
        Assert.Contains(segments, s => s.HasMixin);
        Assert.Equal(PohVerifyResult.Valid, PohVerifier.Verify(start, segments, path));
        foreach (int parallelism in new[] { 1, 2, 3, 8, 1000 })
        {
            Assert.Equal(PohVerifyResult.Valid, PohVerifier.Verify(start, segments.AsMemory(), parallelism, path));
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void A_flipped_bit_in_any_entry_hash_is_reported_at_that_entry(PohHashPath path)
    {
        if (!PohVerifier.IsSupported(path)) return;
        (Hash start, PohSegment[] segments) = Chain(seed: 2);
        Random random = new(20);
        for (int trial = 0; trial < 25; trial++)
        {
            int index = random.Next(segments.Length);
            var tampered = (PohSegment[])segments.Clone();
            tampered[index] = tampered[index] with { Hash = FlipBit(tampered[index].Hash, random.Next(256)) };
            Assert.Equal(new PohVerifyResult(PohVerifyStatus.HashMismatch, index), PohVerifier.Verify(start, tampered, path));
            Assert.Equal(new PohVerifyResult(PohVerifyStatus.HashMismatch, index), PohVerifier.Verify(start, tampered.AsMemory(), 3, path));
        }
    }

    [Fact]
    public void A_wrong_num_hashes_is_reported_at_that_entry()
    {
        (Hash start, PohSegment[] segments) = Chain(seed: 3);
        Random random = new(30);
        for (int trial = 0; trial < 25; trial++)
        {
            int index = random.Next(segments.Length);
            var tampered = (PohSegment[])segments.Clone();
            ulong numHashes = tampered[index].NumHashes;
            tampered[index] = tampered[index] with { NumHashes = random.Next(2) == 0 || numHashes == 1 ? numHashes + 1 : numHashes - 1 };
            Assert.Equal(new PohVerifyResult(PohVerifyStatus.HashMismatch, index), PohVerifier.Verify(start, tampered));
            Assert.Equal(new PohVerifyResult(PohVerifyStatus.HashMismatch, index), PohVerifier.Verify(start, tampered.AsMemory(), 2));
        }
    }

    [Fact]
    public void A_flipped_bit_in_a_mixin_is_reported_at_that_entry()
    {
        (Hash start, PohSegment[] segments) = Chain(seed: 4);
        int[] withMixin = [.. Enumerable.Range(0, segments.Length).Where(i => segments[i].HasMixin)];
        Random random = new(40);
        for (int trial = 0; trial < 25; trial++)
        {
            int index = withMixin[random.Next(withMixin.Length)];
            var tampered = (PohSegment[])segments.Clone();
            tampered[index] = tampered[index] with { Mixin = FlipBit(tampered[index].Mixin, random.Next(256)) };
            Assert.Equal(new PohVerifyResult(PohVerifyStatus.HashMismatch, index), PohVerifier.Verify(start, tampered));
        }
    }

    [Fact]
    public void A_wrong_start_hash_fails_the_first_entry_and_an_empty_list_is_valid()
    {
        (Hash start, PohSegment[] segments) = Chain(seed: 5);
        Assert.Equal(new PohVerifyResult(PohVerifyStatus.HashMismatch, 0), PohVerifier.Verify(FlipBit(start, 0), segments));
        Assert.Equal(PohVerifyResult.Valid, PohVerifier.Verify(start, []));
        Assert.Equal(PohVerifyResult.Valid, PohVerifier.Verify(start, ReadOnlyMemory<PohSegment>.Empty, 4));
    }

    [Fact]
    public void An_entry_with_a_mixin_and_zero_hashes_is_rejected()
    {
        Hash start = PohChains.RandomHash(new Random(6));
        PohSegment[] segments = [PohSegment.Tick(0, start), PohSegment.WithMixin(0, start, Hash.Zero)];
        Assert.Equal(new PohVerifyResult(PohVerifyStatus.MixinWithoutHash, 1), PohVerifier.Verify(start, segments));
    }

    [Fact]
    public void Swapping_or_replacing_a_transaction_inside_an_entry_is_rejected_at_that_entry()
    {
        Random random = new(7);
        var payer = Keypair.Generate();
        byte[][] txs = [.. Enumerable.Range(0, 3).Select(i => TestTransactions.Transfer(payer, TestTransactions.RandomKey(random), (ulong)i, default))];
        byte[] other = TestTransactions.Transfer(payer, TestTransactions.RandomKey(random), 99, default);
        Hash start = PohChains.RandomHash(random);

        // tick, entry(txs), tick — hashed honestly.
        Hash tick1 = ChainOf(start, 5);
        Hash mixin = EntryHashing.TransactionsHash(Parse(EntryBytes(1, default, txs)));
        Hash entryHash = EntryHashing.NextHash(tick1, 3, mixin, isTick: false);
        Hash tick2 = ChainOf(entryHash, 7);
        byte[] honest = [.. TickBytes(5, tick1), .. EntryBytes(3, entryHash, txs), .. TickBytes(7, tick2)];
        Assert.Equal(PohVerifyResult.Valid, VerifyWire(start, honest));

        byte[] swapped = [.. TickBytes(5, tick1), .. EntryBytes(3, entryHash, [txs[1], txs[0], txs[2]]), .. TickBytes(7, tick2)];
        Assert.Equal(new PohVerifyResult(PohVerifyStatus.HashMismatch, 1), VerifyWire(start, swapped));

        byte[] replaced = [.. TickBytes(5, tick1), .. EntryBytes(3, entryHash, [txs[0], other, txs[2]]), .. TickBytes(7, tick2)];
        Assert.Equal(new PohVerifyResult(PohVerifyStatus.HashMismatch, 1), VerifyWire(start, replaced));

        // A flipped bit in any signature byte of the entry changes its Merkle root.
        for (int trial = 0; trial < 10; trial++)
        {
            byte[] tampered = (byte[])honest.Clone();
            int signatureStart = 41 + 8 + 32 + 1 + 1; // after the tick, the entry header and the first transaction's signature count
            tampered[signatureStart + random.Next(64)] ^= (byte)(1 << random.Next(8));
            Assert.Equal(new PohVerifyResult(PohVerifyStatus.HashMismatch, 1), VerifyWire(start, tampered));
        }
    }

    [Fact]
    public void Tick_hash_counts_must_add_up_to_hashes_per_tick_between_ticks()
    {
        Random random = new(8);
        Hash start = PohChains.RandomHash(random);
        PohSegment[] segments = PohChains.Segments(PohChains.Generate(random, start, 40, 10, 15, 0.5));
        ulong carried = 0;
        Assert.Equal(PohVerifyResult.Valid, PohVerifier.CheckTickHashCounts(segments, 40, ref carried));
        Assert.Equal(0UL, carried);

        int index = Array.FindIndex(segments, s => s.HasMixin);
        int nextTick = Array.FindIndex(segments, index, s => !s.HasMixin);
        var tampered = (PohSegment[])segments.Clone();
        tampered[index] = tampered[index] with { NumHashes = tampered[index].NumHashes + (1UL << 40) };
        carried = 0;
        Assert.Equal(new PohVerifyResult(PohVerifyStatus.TickHashCount, nextTick), PohVerifier.CheckTickHashCounts(tampered, 40, ref carried));

        // Entries after the last tick must stay below a tick's worth; 0 hashes-per-tick disables the rule.
        carried = 0;
        Assert.Equal(new PohVerifyResult(PohVerifyStatus.TickHashCount, 0), PohVerifier.CheckTickHashCounts([PohSegment.WithMixin(40, start, start)], 40, ref carried));
        carried = 0;
        Assert.Equal(PohVerifyResult.Valid, PohVerifier.CheckTickHashCounts(tampered, 0, ref carried));
    }

    [Fact]
    public void Malformed_entry_bytes_are_reported_with_their_offset()
    {
        byte[] wire = [.. TickBytes(5, Hash.Zero), .. TickBytes(6, Hash.Zero)];
        var segments = new PohSegment[4];
        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, 41 + 8), PohSegment.TryParseEntries(wire.AsSpan(0, wire.Length - 20), segments, out int count));
        Assert.Equal(1, count);
        Assert.Equal(new DecodeResult(DecodeStatus.LengthTooLarge, 41), PohSegment.TryParseEntries(wire, segments.AsSpan(0, 1), out _));
    }

    [Fact]
    public void Verifying_on_one_thread_allocates_nothing()
    {
        (Hash start, PohSegment[] segments) = Chain(seed: 9, ticks: 4);
        PohVerifyResult result = default;
        long allocated = Allocations.Measure(50, () => result = PohVerifier.Verify(start, segments));
        Assert.Equal(0, allocated);
        Assert.True(result.IsValid);
    }

    [Fact]
    public void Verifying_across_threads_allocates_nothing_once_warm()
    {
        (Hash start, PohSegment[] segments) = Chain(seed: 10, ticks: 4);
        PohVerifyResult result = default;
        long allocated = Allocations.Measure(100, () => result = PohVerifier.Verify(start, segments.AsMemory(), 2));
        Assert.Equal(0, allocated);
        Assert.True(result.IsValid);
    }

    [Fact]
    public void Back_to_back_parallel_verifications_agree_with_the_single_thread_verdict()
    {
        // Many short runs in a row: late thread-pool work items from one run meet the next run of the same job.
        Random random = new(12);
        (Hash start, PohSegment[] segments) = Chain(seed: 11, ticks: 6, hashesPerTick: 8);
        for (int trial = 0; trial < 300; trial++)
        {
            var tampered = (PohSegment[])segments.Clone();
            if (random.Next(2) == 0)
            {
                int index = random.Next(tampered.Length);
                tampered[index] = tampered[index] with { Hash = FlipBit(tampered[index].Hash, random.Next(256)) };
            }
            Assert.Equal(PohVerifier.Verify(start, tampered), PohVerifier.Verify(start, tampered.AsMemory(), random.Next(2, 9)));
        }
    }

    internal static Hash FlipBit(Hash hash, int bit)
    {
        byte[] bytes = hash.Span.ToArray();
        bytes[bit / 8] ^= (byte)(1 << (bit % 8));
        return new Hash(bytes);
    }

    private static Hash ChainOf(Hash start, ulong count)
    {
        byte[] bytes = start.Span.ToArray();
        Sha256Kernel.Chain(bytes, count);
        return new Hash(bytes);
    }

    private static byte[] TickBytes(ulong numHashes, Hash hash) => EntryBytes(numHashes, hash, []);

    private static byte[] EntryBytes(ulong numHashes, Hash hash, byte[][] txs)
    {
        byte[] concatenated = [.. txs.SelectMany(t => t)];
        byte[] bytes = new byte[EntryWriter.EncodedLength(txs.Length, concatenated.Length)];
        SpanWriter writer = new(bytes);
        EntryWriter.Write(ref writer, numHashes, hash, txs.Length, concatenated);
        return bytes;
    }

    private static EntryView Parse(byte[] bytes)
    {
        Assert.True(EntryView.TryParse(bytes, out EntryView view).IsOk);
        return view;
    }

    private static PohVerifyResult VerifyWire(Hash start, byte[] wire)
    {
        var segments = new PohSegment[8];
        Assert.True(PohSegment.TryParseEntries(wire, segments, out int count).IsOk);
        return PohVerifier.Verify(start, segments.AsSpan(0, count));
    }
}
