using Fast.Crypto.ReedSolomon;
using Fast.Testing;
using Xunit;

namespace Fast.Crypto.Tests.ReedSolomon;

/// <summary>Recovery of 32:32 FEC sets from erasure patterns, typed failure below 32 shards, kernels against the scalar reference, and zero allocation.</summary>
public class ReedSolomonRecoveryTests
{
    private static readonly ReedSolomonCode Code = ReedSolomonCode.Shreds32;

    /// <summary>Marks <paramref name="lost"/> random shards of 64 absent.</summary>
    private static void RandomPattern(Random random, bool[] present, int lost)
    {
        Array.Fill(present, true);
        for (int erased = 0; erased < lost;)
        {
            int i = random.Next(present.Length);
            if (!present[i]) continue;
            present[i] = false;
            erased++;
        }
    }

    [Fact]
    public void Recovery_rebuilds_every_shard_for_100000_random_erasure_patterns_of_up_to_32_of_64()
    {
        const int Patterns = 100_000, ShardSize = 64;
        Random random = new(12);
        using var original = ReedSolomonShards.Random(Code, ShardSize, random);
        using var work = new ReedSolomonShards(64, ShardSize);
        bool[] present = new bool[64];
        Span<byte> scratch = new byte[Code.RecoverScratchSize];
        int failures = 0;
        for (int p = 0; p < Patterns; p++)
        {
            RandomPattern(random, present, 1 + random.Next(32));
            original.Bytes.CopyTo(work.Bytes, 0);
            for (int i = 0; i < 64; i++)
            {
                if (!present[i]) work.Shard(i).Fill((byte)p);
            }
            if (Code.Recover(work.Pointers, present, ShardSize, scratch) != ReedSolomonStatus.Ok || !work.Bytes.AsSpan().SequenceEqual(original.Bytes)) failures++;
        }
        Assert.Equal(0, failures);
    }

    public static TheoryData<ReedSolomonKernel> Kernels() => ReedSolomonVectorTests.Kernels();

    [Theory]
    [MemberData(nameof(Kernels))]
    public void All_data_lost_is_rebuilt_from_the_32_coding_shreds(ReedSolomonKernel kernel)
    {
        using var original = ReedSolomonShards.Random(Code, 947, new Random(1));
        using var work = new ReedSolomonShards(64, 947);
        original.Bytes.CopyTo(work.Bytes, 0);
        bool[] present = new bool[64];
        for (int i = 32; i < 64; i++) present[i] = true;
        work.Bytes.AsSpan(0, 32 * 947).Clear();
        Assert.Equal(ReedSolomonStatus.Ok, Code.Recover(work.Pointers, present, 947, kernel));
        Assert.True(work.Bytes.AsSpan().SequenceEqual(original.Bytes));
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void All_coding_lost_is_encoded_again_from_the_32_data_shreds(ReedSolomonKernel kernel)
    {
        using var original = ReedSolomonShards.Random(Code, 947, new Random(2));
        using var work = new ReedSolomonShards(64, 947);
        original.Bytes.CopyTo(work.Bytes, 0);
        bool[] present = new bool[64];
        for (int i = 0; i < 32; i++) present[i] = true;
        work.Bytes.AsSpan(32 * 947).Fill(0x5A);
        Assert.Equal(ReedSolomonStatus.Ok, Code.Recover(work.Pointers, present, 947, kernel));
        Assert.True(work.Bytes.AsSpan().SequenceEqual(original.Bytes));
    }

    [Fact]
    public void Recovery_with_31_of_64_shards_returns_TooFewShards_and_writes_nothing()
    {
        Random random = new(3);
        using var work = ReedSolomonShards.Random(Code, 100, random);
        bool[] present = new bool[64];
        for (int trial = 0; trial < 200; trial++)
        {
            RandomPattern(random, present, 33 + random.Next(32));
            for (int i = 0; i < 64; i++)
            {
                if (!present[i]) work.Shard(i).Fill(0xAB);
            }
            byte[] before = work.Bytes.ToArray();
            Assert.Equal(ReedSolomonStatus.TooFewShards, Code.Recover(work.Pointers, present, 100));
            Assert.Equal(before, work.Bytes);
        }
        Array.Fill(present, false);
        Assert.Equal(ReedSolomonStatus.TooFewShards, Code.Recover(work.Pointers, present, 100));
    }

    [Fact]
    public void Every_kernel_encodes_and_recovers_exactly_like_the_scalar_reference_for_odd_sizes_and_splits()
    {
        Random random = new(4);
        int[] sizes = [0, 1, 15, 31, 32, 33, 63, 64, 65, 100, 947, 1000, 1031];
        foreach ((int k, int m) in new[] { (32, 32), (1, 1), (5, 11), (17, 15), (64, 64), (3, 125), (100, 28), (200, 56), (16, 1) })
        {
            var code = ReedSolomonCode.Create(k, m);
            foreach (int size in sizes)
            {
                using var reference = ReedSolomonShards.Random(code, size, new Random(k * 1000 + size));
                bool[] present = new bool[k + m];
                RandomPattern(random, present, random.Next(m + 1));
                foreach (ReedSolomonKernel kernel in ReedSolomonVectorTests.Kernels())
                {
                    using var encoded = new ReedSolomonShards(k + m, size);
                    reference.Bytes.AsSpan(0, k * size).CopyTo(encoded.Bytes);
                    code.Encode(encoded.Pointers.AsSpan(0, k), encoded.Pointers.AsSpan(k), size, kernel);
                    Assert.True(encoded.Bytes.AsSpan().SequenceEqual(reference.Bytes), $"{kernel} encode {k}:{m} size {size}");

                    for (int i = 0; i < k + m; i++)
                    {
                        if (!present[i]) encoded.Shard(i).Fill(0x77);
                    }
                    Assert.Equal(ReedSolomonStatus.Ok, code.Recover(encoded.Pointers, present, size, kernel));
                    Assert.True(encoded.Bytes.AsSpan().SequenceEqual(reference.Bytes), $"{kernel} recover {k}:{m} size {size}");
                }
            }
        }
    }

    [Fact]
    public void The_strided_overloads_code_shards_laid_out_like_shreds_in_a_slab()
    {
        // Data shards at 64 + i·1232, parity at 89 + (32 + i)·1232: the shred layout of a FEC set slab.
        const int Stride = 1232, Size = 947;
        Random random = new(5);
        byte[] slab = new byte[64 * Stride];
        for (int i = 0; i < 32; i++) random.NextBytes(slab.AsSpan(64 + i * Stride, Size));
        Code.Encode(slab.AsSpan(64), Stride, slab.AsSpan(32 * Stride + 89), Stride, Size);
        using var reference = new ReedSolomonShards(64, Size);
        for (int i = 0; i < 32; i++) slab.AsSpan(64 + i * Stride, Size).CopyTo(reference.Shard(i));
        Code.Encode(reference.Pointers.AsSpan(0, 32), reference.Pointers.AsSpan(32), Size, ReedSolomonKernel.Scalar);
        for (int i = 0; i < 32; i++) Assert.True(slab.AsSpan((32 + i) * Stride + 89, Size).SequenceEqual(reference.Shard(32 + i)));

        // Contiguous shards: lose 20 and recover in place.
        byte[] shards = reference.Bytes.ToArray();
        bool[] present = new bool[64];
        RandomPattern(random, present, 20);
        for (int i = 0; i < 64; i++)
        {
            if (!present[i]) shards.AsSpan(i * Size, Size).Clear();
        }
        Assert.Equal(ReedSolomonStatus.Ok, Code.Recover(shards, Size, Size, present));
        Assert.Equal(reference.Bytes, shards);
    }

    [Fact]
    public void Encode_and_recover_of_a_32_32_set_allocate_nothing()
    {
        Random random = new(6);
        using var work = ReedSolomonShards.Random(Code, 947, random);
        bool[] present = new bool[64];
        RandomPattern(random, present, 32);
        nint[] pointers = work.Pointers;
        byte[] scratch = new byte[Code.RecoverScratchSize];
        foreach (ReedSolomonKernel kernel in ReedSolomonVectorTests.Kernels())
        {
            Assert.Equal(0, Allocations.Measure(20, () => Code.Encode(pointers.AsSpan(0, 32), pointers.AsSpan(32), 947, kernel)));
            Assert.Equal(0, Allocations.Measure(20, () => Code.Recover(pointers, present, 947, scratch, kernel)));
            Assert.Equal(0, Allocations.Measure(20, () => Code.Recover(pointers, present, 947, kernel)));
        }
    }

    [Fact]
    public void Codes_outside_1_to_256_shards_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ReedSolomonCode.Create(0, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReedSolomonCode.Create(4, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReedSolomonCode.Create(200, 57));
        Assert.Equal(256, ReedSolomonCode.Create(200, 56).TotalShards);
    }
}
