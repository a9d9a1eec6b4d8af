using Fast.Core.Codec;
using Fast.Core.Primitives;
using Fast.Core.Shreds;
using Fast.Crypto;
using Fast.Crypto.ReedSolomon;
using Fast.Testing;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Fast.Core.Tests.Shreds;

/// <summary>The FEC-set glue: the leader's parity (<see cref="FecSetCoder"/>) and a receiver's recovery of lost shreds (<see cref="FecSetRecovery"/>).</summary>
public class FecSetRecoveryTests
{
    private const int Stride = ShredLayout.CodingShredSize;
    private static readonly Keypair Leader = Keypair.Generate();

    /// <summary>A sealed set whose coding shreds carry real Reed-Solomon parity (shred i at i × 1,228).</summary>
    internal static (byte[] Slab, Hash Root) CodedSet(int dataCount, int codingCount, uint fecSetIndex, Random random, Keypair? leader = null)
    {
        int count = dataCount + codingCount;
        int depth = System.Numerics.BitOperations.Log2((uint)count);
        byte[] slab = new byte[count * Stride];
        for (int i = 0; i < dataCount; i++)
        {
            byte[] data = new byte[random.Next(ShredLayout.DataCapacity(depth) + 1)];
            random.NextBytes(data);
            ShredFlags flags = i == dataCount - 1 ? ShredFlags.LastInFecSet : ShredFlags.None;
            ShredWriter.WriteData(slab.AsSpan(i * Stride), new ShredCommonHeader(TestShreds.Slot, fecSetIndex + (uint)i, TestShreds.Version, fecSetIndex), depth, 3, flags, data);
        }
        for (int i = 0; i < codingCount; i++)
        {
            ShredWriter.WriteCoding(slab.AsSpan((dataCount + i) * Stride), new ShredCommonHeader(TestShreds.Slot, fecSetIndex + (uint)i, TestShreds.Version, fecSetIndex),
                dataCount, codingCount, i, default);
        }
        FecSetCoder.EncodeParity(slab, Stride, dataCount, codingCount);
        Hash root = FecSetMerkle.Seal(slab, Stride, count, leader ?? Leader);
        return (slab, root);
    }

    private static ReadOnlySpan<byte> ShredOf(byte[] slab, int leaf, int dataCount) =>
        slab.AsSpan(leaf * Stride, leaf < dataCount ? ShredLayout.DataShredSize : ShredLayout.CodingShredSize);

    private static bool[] Keep(Random random, int count, int lost)
    {
        bool[] keep = new bool[count];
        Array.Fill(keep, true);
        for (int erased = 0; erased < lost;)
        {
            int i = random.Next(count);
            if (!keep[i]) continue;
            keep[i] = false;
            erased++;
        }
        return keep;
    }

    /// <summary>Adds the kept shreds in a random order; asserts each is taken.</summary>
    private static void Receive(FecSetRecovery set, byte[] slab, int dataCount, bool[] keep, Random random)
    {
        int[] order = Enumerable.Range(0, keep.Length).ToArray();
        random.Shuffle(order);
        foreach (int leaf in order)
        {
            if (keep[leaf]) Assert.Equal(FecShredStatus.Added, set.TryAdd(ShredOf(slab, leaf, dataCount), out _));
        }
    }

    [Fact]
    public void The_leaders_parity_is_the_Reed_Solomon_parity_of_the_data_shreds_erasure_shards()
    {
        (byte[] slab, _) = CodedSet(32, 32, 64, new Random(1));
        int shardSize = ShredLayout.ErasureShardSize(6);
        Assert.Equal(915, shardSize);
        byte[] data = new byte[32 * shardSize], parity = new byte[32 * shardSize];
        for (int i = 0; i < 32; i++)
        {
            Assert.True(ShredView.TryParse(ShredOf(slab, i, 32), out ShredView shred).IsOk);
            shred.ErasureShard.CopyTo(data.AsSpan(i * shardSize));
        }
        ReedSolomonCode.Shreds32.Encode(data, shardSize, parity, shardSize, shardSize, ReedSolomonKernel.Scalar);
        for (int i = 0; i < 32; i++)
        {
            Assert.True(ShredView.TryParse(ShredOf(slab, 32 + i, 32), out ShredView coding).IsOk);
            Assert.True(coding.Parity.SequenceEqual(parity.AsSpan(i * shardSize, shardSize)), $"coding shred {i}");
        }
    }

    [Fact]
    public void Any_32_of_64_shreds_rebuild_the_lost_ones_byte_for_byte_with_proofs_and_signature()
    {
        Random random = new(2);
        (byte[] slab, Hash root) = CodedSet(32, 32, 96, random);
        FecSetRecovery set = new();
        for (int trial = 0; trial < 60; trial++)
        {
            set.Reset();
            int lost = trial switch { 0 => 32, 1 => 32, _ => 1 + random.Next(32) };
            bool[] keep = trial switch
            {
                0 => Enumerable.Range(0, 64).Select(i => i >= 32).ToArray(), // all data lost
                1 => Enumerable.Range(0, 64).Select(i => i < 32).ToArray(),  // all coding lost
                _ => Keep(random, 64, lost),
            };
            Receive(set, slab, 32, keep, random);
            Assert.Equal(FecRecoverStatus.Recovered, set.TryRecover());
            Assert.Equal(root, set.Root);
            Assert.Equal(64, set.Count);
            for (int leaf = 0; leaf < 64; leaf++)
            {
                Assert.True(set.Shred(leaf).SequenceEqual(ShredOf(slab, leaf, 32)), $"trial {trial} leaf {leaf}");
                Assert.Equal(!keep[leaf], set.WasRecovered(leaf));
                Assert.True(ShredView.TryParse(set.Shred(leaf), out ShredView view).IsOk);
                Assert.True(view.VerifyLeaderSignature(Leader.PublicKey, out Hash proven) && proven == root);
            }
        }
    }

    [Fact]
    public void Recovery_is_typed_when_too_few_shreds_or_no_coding_shred_have_arrived()
    {
        (byte[] slab, _) = CodedSet(32, 32, 0, new Random(3));
        FecSetRecovery set = new();
        Assert.Equal(FecRecoverStatus.NeedCodingShred, set.TryRecover());
        for (int i = 0; i < 31; i++) set.TryAdd(ShredOf(slab, i, 32), out _);
        Assert.Equal(FecRecoverStatus.NeedCodingShred, set.TryRecover());
        // The last data shred (last-in-FEC-set) fixes num_data: the coding shreds can be rebuilt.
        set.TryAdd(ShredOf(slab, 31, 32), out _);
        Assert.Equal(FecRecoverStatus.Recovered, set.TryRecover());
        Assert.True(set.Shred(63).SequenceEqual(ShredOf(slab, 63, 32)));
        set.Reset();
        for (int i = 10; i < 41; i++) set.TryAdd(ShredOf(slab, i, 32), out _);
        Assert.Equal(31, set.Count);
        Assert.Equal(FecRecoverStatus.TooFewShreds, set.TryRecover());
        Assert.False(set.WasRecovered(0));
        Assert.True(set.Shred(0).IsEmpty);
        set.TryAdd(ShredOf(slab, 41, 32), out _);
        Assert.Equal(FecRecoverStatus.Recovered, set.TryRecover());
        Assert.Equal(FecRecoverStatus.Complete, set.TryRecover());
    }

    [Fact]
    public void Shreds_from_another_set_leader_or_tree_are_refused_with_their_reason()
    {
        Random random = new(4);
        (byte[] slab, _) = CodedSet(32, 32, 32, random);
        (byte[] otherSet, _) = CodedSet(32, 32, 64, random);
        (byte[] otherLeader, _) = CodedSet(32, 32, 32, new Random(4), Keypair.Generate());
        byte[] otherProof = ShredOf(slab, 3, 32).ToArray();
        otherProof[^1] ^= 1;
        FecSetRecovery set = new();
        Assert.Equal(FecShredStatus.Added, set.TryAdd(ShredOf(slab, 40, 32), out _));
        Assert.Equal(FecShredStatus.Duplicate, set.TryAdd(ShredOf(slab, 40, 32), out _));
        Assert.Equal(FecShredStatus.WrongSet, set.TryAdd(ShredOf(otherSet, 3, 32), out _));
        Assert.Equal(FecShredStatus.SignatureMismatch, set.TryAdd(ShredOf(otherLeader, 3, 32), out _));
        Assert.Equal(FecShredStatus.RootMismatch, set.TryAdd(otherProof, out _));
        Assert.Equal(FecShredStatus.Malformed, set.TryAdd(ShredOf(slab, 3, 32)[..100], out DecodeResult decode));
        Assert.Equal(DecodeStatus.Truncated, decode.Status);
        Assert.Equal(1, set.Count);
    }

    [Fact]
    public void A_leader_that_codes_garbage_parity_gets_a_typed_status_and_the_held_shreds_stay_as_received()
    {
        // TestShreds.SealedSet signs random parity: the rebuilt data shreds are noise and do not parse.
        Random random = new(5);
        (byte[] garbage, Hash root) = TestShreds.SealedSet(Leader, 32, 32, 0, random);
        FecSetRecovery set = new();
        bool[] keep = Enumerable.Range(0, 64).Select(i => i != 7).ToArray();
        Receive(set, garbage, 32, keep, random);
        Assert.Equal(FecRecoverStatus.InvalidRecoveredShred, set.TryRecover());
        Assert.True(set.Shred(7).IsEmpty);
        Assert.True(set.Shred(40).SequenceEqual(ShredOf(garbage, 40, 32)));

        // Parity computed over another set's data, then signed: the rebuilt shred either fails to parse or
        // parses as a shred whose leaf is not in the signed tree; either way a typed status.
        (byte[] honest, _) = CodedSet(32, 32, 0, new Random(6));
        (byte[] otherPayload, _) = CodedSet(32, 32, 0, new Random(7));
        byte[] forged = honest.ToArray();
        int shardSize = ShredLayout.ErasureShardSize(6);
        for (int i = 0; i < 32; i++)
        {
            otherPayload.AsSpan((32 + i) * Stride + ShredLayout.ParityOffset, shardSize).CopyTo(forged.AsSpan((32 + i) * Stride + ShredLayout.ParityOffset));
        }
        Hash forgedRoot = FecSetMerkle.Seal(forged, Stride, 64, Leader);
        set.Reset();
        Receive(set, forged, 32, Enumerable.Range(0, 64).Select(i => i != 0).ToArray(), random);
        FecRecoverStatus status = set.TryRecover();
        Assert.True(status is FecRecoverStatus.RootMismatch or FecRecoverStatus.InvalidRecoveredShred, status.ToString());
        Assert.Equal(forgedRoot, set.Root);
        Assert.NotEqual(root, forgedRoot);
        Assert.Equal(63, set.Count);
    }

    [Fact]
    public void Adding_and_recovering_a_32_32_set_allocates_nothing()
    {
        Random random = new(8);
        (byte[] slab, _) = CodedSet(32, 32, 0, random);
        bool[] keep = Keep(random, 64, 32);
        FecSetRecovery set = new();
        void Round()
        {
            set.Reset();
            for (int leaf = 0; leaf < 64; leaf++)
            {
                if (keep[leaf]) set.TryAdd(ShredOf(slab, leaf, 32), out _);
            }
            if (set.TryRecover() != FecRecoverStatus.Recovered) throw new InvalidOperationException("not recovered");
        }
        Assert.Equal(0, Allocations.Measure(10, Round));
    }

    /// <summary>Splits a FEC set may use (data + coding = 2^depth, depth 1..7), a seed and how many of the coding count are lost.</summary>
    private static Arbitrary<(int Data, int Coding, int Seed)> Splits() =>
        Gen.Choose(1, 7)
            .SelectMany(depth => Gen.Choose(1, (1 << depth) - 1), (depth, data) => (data, (1 << depth) - data))
            .SelectMany(_ => Gen.Choose(0, int.MaxValue - 1), (split, seed) => (split.data, split.Item2, seed))
            .ToArbitrary();

    [Fact]
    public void Every_data_coding_split_recovers_from_any_loss_up_to_its_coding_count_and_reports_too_few_beyond()
    {
        Prop.ForAll(Splits(), s =>
        {
            Random random = new(s.Seed);
            int count = s.Data + s.Coding;
            (byte[] slab, _) = CodedSet(s.Data, s.Coding, (uint)random.Next(1000), random);
            FecSetRecovery set = new();
            bool[] keep = Keep(random, count, random.Next(s.Coding + 1));
            // (When every coding shred is lost, every data shred arrived, the last-in-FEC-set one included.)
            Receive(set, slab, s.Data, keep, random);
            FecRecoverStatus status = set.TryRecover();
            bool rebuilt = status is FecRecoverStatus.Recovered or FecRecoverStatus.Complete;
            for (int leaf = 0; rebuilt && leaf < count; leaf++) rebuilt = set.Shred(leaf).SequenceEqual(ShredOf(slab, leaf, s.Data));

            set.Reset();
            bool[] tooFew = Keep(random, count, s.Coding + 1);
            Receive(set, slab, s.Data, tooFew, random);
            FecRecoverStatus tooFewStatus = set.TryRecover();
            return rebuilt && tooFewStatus is FecRecoverStatus.TooFewShreds or FecRecoverStatus.NeedCodingShred;
        }).QuickCheckThrowOnFailure();
    }
}
