using System.Security.Cryptography;
using Fast.Testing;
using Xunit;

namespace Fast.Crypto.Tests;

/// <summary>Every many-chains path (C# SIMD lanes, interleaved SHA-NI at each width, portable C) against .NET's SHA256, chain by chain.</summary>
public class Sha256MultiLaneTests
{
    public delegate void ChainMany(Span<byte> hashes, ReadOnlySpan<ulong> counts);

    public static TheoryData<string> Paths() => ["avx512x16", "avx2x8", "shani1", "shani2", "shani3", "shani4", "shani", "portable", "multilane"];

    private static ChainMany PathNamed(string name) => name switch
    {
        "avx512x16" => Sha256MultiLane.Chain16,
        "avx2x8" => Sha256MultiLane.Chain8,
        "shani1" => (h, c) => Sha256Kernel.ChainMany(h, c, 1),
        "shani2" => (h, c) => Sha256Kernel.ChainMany(h, c, 2),
        "shani3" => (h, c) => Sha256Kernel.ChainMany(h, c, 3),
        "shani4" => (h, c) => Sha256Kernel.ChainMany(h, c, 4),
        "shani" => Sha256Kernel.ChainMany,
        "portable" => Sha256Kernel.ChainManyPortable,
        "multilane" => Sha256MultiLane.ChainMany,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static bool Runs(string name) => name switch
    {
        "avx512x16" => Sha256MultiLane.IsAvx512Supported,
        "avx2x8" => Sha256MultiLane.IsAvx2Supported,
        _ => true,
    };

    /// <summary>The independent answer: .NET's SHA256 applied <paramref name="count"/> times.</summary>
    private static byte[] DotnetChain(byte[] start, ulong count)
    {
        byte[] hash = (byte[])start.Clone();
        for (ulong i = 0; i < count; i++) hash = SHA256.HashData(hash);
        return hash;
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Every_chain_equals_dotnet_sha256_repeated_for_every_number_of_chains_up_to_40(string path)
    {
        if (!Runs(path)) return;
        ChainMany chainMany = PathNamed(path);
        Random random = new(path.GetHashCode(StringComparison.Ordinal));
        for (int n = 0; n <= 40; n++)
        {
            byte[] starts = new byte[n * 32];
            random.NextBytes(starts);
            ulong[] counts = new ulong[n];
            for (int i = 0; i < n; i++) counts[i] = random.Next(4) == 0 ? 0UL : (ulong)random.Next(1, 70);

            byte[] hashes = (byte[])starts.Clone();
            chainMany(hashes, counts);

            for (int i = 0; i < n; i++)
            {
                byte[] expected = DotnetChain(starts[(i * 32)..((i + 1) * 32)], counts[i]);
                Assert.True(expected.AsSpan().SequenceEqual(hashes.AsSpan(i * 32, 32)), $"{path}: chain {i} of {n} ({counts[i]} hashes) differs");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Long_chains_of_unequal_lengths_equal_the_scalar_kernel(string path)
    {
        if (!Runs(path)) return;
        Random random = new(7);
        const int n = 37;
        byte[] starts = new byte[n * 32];
        random.NextBytes(starts);
        ulong[] counts = new ulong[n];
        for (int i = 0; i < n; i++) counts[i] = (ulong)random.Next(0, 5000);

        byte[] hashes = (byte[])starts.Clone();
        PathNamed(path)(hashes, counts);

        for (int i = 0; i < n; i++)
        {
            byte[] expected = starts[(i * 32)..((i + 1) * 32)];
            Sha256Kernel.ChainPortable(expected, counts[i]);
            Assert.True(expected.AsSpan().SequenceEqual(hashes.AsSpan(i * 32, 32)), $"{path}: chain {i} differs");
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Every_lane_of_a_full_batch_reaches_the_known_answer_from_the_zero_hash(string path)
    {
        if (!Runs(path)) return;
        // sha256 applied 1000 times to 32 zero bytes (the same known answer as the scalar kernel's test).
        const string Expected = "36c1cb4f826ae42ceba848227e0c5f786178ca9dceca6772e5d728d09c30a2f6";
        byte[] hashes = new byte[16 * 32];
        ulong[] counts = [.. Enumerable.Repeat(1000UL, 16)];
        PathNamed(path)(hashes, counts);
        for (int i = 0; i < 16; i++) Assert.Equal(Expected, Convert.ToHexStringLower(hashes.AsSpan(i * 32, 32)));
    }

    [Fact]
    public void Mismatched_buffer_sizes_and_lane_counts_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Sha256MultiLane.ChainMany(new byte[63], new ulong[2]));
        Assert.Throws<ArgumentException>(() => Sha256Kernel.ChainMany(new byte[65], new ulong[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sha256Kernel.ChainMany(new byte[64], new ulong[2], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sha256Kernel.ChainMany(new byte[64], new ulong[2], Sha256Kernel.ChainManyMaxLanes + 1));
    }

    [Fact]
    public void The_many_chain_paths_allocate_nothing()
    {
        byte[] hashes = new byte[20 * 32];
        ulong[] counts = [.. Enumerable.Range(0, 20).Select(i => (ulong)i)];
        long allocated = Allocations.Measure(50, () =>
        {
            Sha256Kernel.ChainMany(hashes, counts);
            Sha256MultiLane.ChainMany(hashes, counts);
        });
        Assert.Equal(0, allocated);
    }
}
