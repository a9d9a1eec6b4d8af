using Xunit;
using Fast.Core.Rng;

namespace Fast.Validator.Tests;

public sealed class DeterministicRngTests
{
    [Fact]
    public void The_same_seed_gives_the_same_stream_and_another_seed_another()
    {
        var a = DeterministicRng.FromSeed(42);
        var b = DeterministicRng.FromSeed(42);
        var c = DeterministicRng.FromSeed(43);
        bool differs = false;
        for (int i = 0; i < 1000; i++)
        {
            ulong x = a.NextUInt64();
            Assert.Equal(x, b.NextUInt64());
            differs |= x != c.NextUInt64();
        }
        Assert.True(differs);
    }

    [Fact]
    public void NextBelow_is_in_range_and_roughly_uniform()
    {
        var rng = DeterministicRng.FromSeed(7);
        int[] counts = new int[10];
        for (int i = 0; i < 100_000; i++) counts[rng.NextBelow(10)]++;
        foreach (int n in counts) Assert.InRange(n, 9_500, 10_500);
        Assert.Throws<ArgumentOutOfRangeException>(() => DeterministicRng.FromSeed(1).NextBelow(0));
    }

    [Fact]
    public void Chance_matches_its_odds_in_parts_per_million()
    {
        var rng = DeterministicRng.FromSeed(9);
        int hits = 0;
        for (int i = 0; i < 100_000; i++) if (rng.Chance(50_000)) hits++;
        Assert.InRange(hits, 4_500, 5_500);
    }
}
