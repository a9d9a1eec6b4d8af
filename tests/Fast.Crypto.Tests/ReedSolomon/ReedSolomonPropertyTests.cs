using Fast.Crypto.ReedSolomon;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Fast.Crypto.Tests.ReedSolomon;

/// <summary>Properties across data:coding splits (k + m ≤ 256): any k shards rebuild the set; fewer is a typed failure; the code is linear.</summary>
public class ReedSolomonPropertyTests
{
    /// <summary>A split, a shard size and a seed; splits lean towards the shred layout's powers of two.</summary>
    private static Arbitrary<(int K, int M, int Size, int Seed)> Sets() =>
        Gen.Choose(1, 255)
            .SelectMany(k => Gen.Choose(1, 256 - k), (k, m) => (k, m))
            .SelectMany(_ => Gen.Choose(0, 200), (a, size) => (a.k, a.m, size))
            .SelectMany(_ => Gen.Choose(0, int.MaxValue - 1), (a, seed) => (a.k, a.m, a.size, seed))
            .ToArbitrary();

    private static bool[] Erase(Random random, int n, int lost)
    {
        bool[] present = new bool[n];
        Array.Fill(present, true);
        for (int erased = 0; erased < lost;)
        {
            int i = random.Next(n);
            if (!present[i]) continue;
            present[i] = false;
            erased++;
        }
        return present;
    }

    private static ReedSolomonKernel KernelFor(int seed)
    {
        ReedSolomonKernel[] kernels = [ReedSolomonKernel.Gfni, ReedSolomonKernel.Avx512, ReedSolomonKernel.Avx2, ReedSolomonKernel.Scalar];
        ReedSolomonKernel kernel = kernels[(uint)seed % kernels.Length];
        return ReedSolomonCode.IsSupported(kernel) ? kernel : ReedSolomonKernel.Scalar;
    }

    [Fact]
    public void Any_k_of_n_shards_rebuild_the_whole_set()
    {
        Prop.ForAll(Sets(), s =>
        {
            var code = ReedSolomonCode.Create(s.K, s.M);
            Random random = new(s.Seed);
            using var original = ReedSolomonShards.Random(code, s.Size, random, KernelFor(s.Seed));
            using var work = new ReedSolomonShards(s.K + s.M, s.Size);
            original.Bytes.CopyTo(work.Bytes, 0);
            bool[] present = Erase(random, s.K + s.M, random.Next(s.M + 1));
            for (int i = 0; i < present.Length; i++)
            {
                if (!present[i]) work.Shard(i).Fill(0xC3);
            }
            return code.Recover(work.Pointers, present, s.Size, KernelFor(s.Seed + 1)) == ReedSolomonStatus.Ok
                && work.Bytes.AsSpan().SequenceEqual(original.Bytes);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Fewer_than_k_shards_is_TooFewShards_and_nothing_is_written()
    {
        Prop.ForAll(Sets(), s =>
        {
            var code = ReedSolomonCode.Create(s.K, s.M);
            Random random = new(s.Seed);
            using var work = ReedSolomonShards.Random(code, s.Size, random);
            bool[] present = Erase(random, s.K + s.M, s.M + 1 + random.Next(s.K));
            byte[] before = work.Bytes.ToArray();
            return code.Recover(work.Pointers, present, s.Size) == ReedSolomonStatus.TooFewShards && work.Bytes.AsSpan().SequenceEqual(before);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Parity_is_linear_the_parity_of_a_xor_b_is_the_xor_of_their_parities()
    {
        Prop.ForAll(Sets(), s =>
        {
            var code = ReedSolomonCode.Create(s.K, s.M);
            using var a = ReedSolomonShards.Random(code, s.Size, new Random(s.Seed), KernelFor(s.Seed));
            using var b = ReedSolomonShards.Random(code, s.Size, new Random(s.Seed ^ 0x5555), KernelFor(s.Seed));
            using var sum = new ReedSolomonShards(s.K + s.M, s.Size);
            for (int i = 0; i < s.K * s.Size; i++) sum.Bytes[i] = (byte)(a.Bytes[i] ^ b.Bytes[i]);
            code.Encode(sum.Pointers.AsSpan(0, s.K), sum.Pointers.AsSpan(s.K), s.Size, KernelFor(s.Seed + 2));
            for (int i = s.K * s.Size; i < (s.K + s.M) * s.Size; i++)
            {
                if (sum.Bytes[i] != (byte)(a.Bytes[i] ^ b.Bytes[i])) return false;
            }
            return true;
        }).QuickCheckThrowOnFailure();
    }
}
