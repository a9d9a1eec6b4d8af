using Fast.Core.Poh;
using Fast.Core.Primitives;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Fast.Core.Tests.Poh;

/// <summary>Properties over random chains made by the real generator: honest chains always verify, and any single-bit change is caught at the changed entry.</summary>
public class PohPropertyTests
{
    /// <summary>A random chain: the seed, hashes per tick, ticks, the largest batch, and the chance of a record after a batch (percent).</summary>
    private static Arbitrary<(int Seed, int HashesPerTick, int Ticks, int Batch, int RecordPercent)> Chains() =>
        Gen.Choose(0, int.MaxValue - 1)
            .SelectMany(seed => Gen.Choose(2, 60), (seed, hashesPerTick) => (seed, hashesPerTick))
            .SelectMany(_ => Gen.Choose(1, 10), (a, ticks) => (a.seed, a.hashesPerTick, ticks))
            .SelectMany(_ => Gen.Choose(1, 40), (a, batch) => (a.seed, a.hashesPerTick, a.ticks, batch))
            .SelectMany(_ => Gen.Choose(0, 100), (a, percent) => (a.seed, a.hashesPerTick, a.ticks, a.batch, percent))
            .ToArbitrary();

    private static (Hash Start, PohSegment[] Segments) Make((int Seed, int HashesPerTick, int Ticks, int Batch, int RecordPercent) c)
    {
        Random random = new(c.Seed);
        Hash start = PohChains.RandomHash(random);
        List<PohEntry> entries = PohChains.Generate(random, start, (ulong)c.HashesPerTick, c.Ticks, c.Batch, c.RecordPercent / 100.0);
        return (start, PohChains.Segments(entries));
    }

    private static PohHashPath PathFor(int seed)
    {
        PohHashPath[] paths = [PohHashPath.ShaNiInterleaved, PohHashPath.Avx512Lanes16, PohHashPath.Avx2Lanes8, PohHashPath.ShaNiSingle];
        PohHashPath path = paths[(uint)seed % paths.Length];
        return PohVerifier.IsSupported(path) ? path : PohHashPath.Default;
    }

    [Fact]
    public void Generate_then_verify_always_passes()
    {
        Prop.ForAll(Chains(), c =>
        {
            (Hash start, PohSegment[] segments) = Make(c);
            ulong carried = 0;
            return PohVerifier.Verify(start, segments, PathFor(c.Seed)).IsValid
                && PohVerifier.Verify(start, segments.AsMemory(), 1 + c.Seed % 3, PathFor(c.Seed + 1)).IsValid
                && PohVerifier.CheckTickHashCounts(segments, (ulong)c.HashesPerTick, ref carried).IsValid;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Any_single_bit_change_in_a_hash_a_mixin_or_num_hashes_always_fails_at_that_entry()
    {
        Arbitrary<((int Seed, int HashesPerTick, int Ticks, int Batch, int RecordPercent) Chain, int Pick, int Bit)> cases =
            Chains().Generator
                .SelectMany(_ => Gen.Choose(0, int.MaxValue - 1), (chain, pick) => (chain, pick))
                .SelectMany(_ => Gen.Choose(0, 255), (a, bit) => (a.chain, a.pick, bit))
                .ToArbitrary();
        Prop.ForAll(cases, x =>
        {
            (Hash start, PohSegment[] segments) = Make(x.Chain);
            int index = x.Pick % segments.Length;
            PohSegment original = segments[index];
            int field = (x.Pick / segments.Length) % (original.HasMixin ? 3 : 2);
            var tampered = (PohSegment[])segments.Clone();
            tampered[index] = field switch
            {
                0 => original with { Hash = PohVerifierTests.FlipBit(original.Hash, x.Bit) },
                1 => original with { NumHashes = original.NumHashes ^ (1UL << (x.Bit % 64)) },
                _ => original with { Mixin = PohVerifierTests.FlipBit(original.Mixin, x.Bit) },
            };

            // As replay does: the cheap tick-count rule first (it refuses absurd num_hashes before any hashing), then the chains.
            ulong carried = 0;
            PohVerifyResult ticks = PohVerifier.CheckTickHashCounts(tampered, (ulong)x.Chain.HashesPerTick, ref carried);
            if (field == 1 && x.Bit % 64 >= 8) return !ticks.IsValid && ticks.EntryIndex >= index;
            PohVerifyResult result = PohVerifier.Verify(start, tampered, PathFor(x.Chain.Seed));
            return !result.IsValid && result.EntryIndex == index;
        }).QuickCheckThrowOnFailure();
    }
}
