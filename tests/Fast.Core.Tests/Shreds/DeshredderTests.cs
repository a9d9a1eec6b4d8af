using Fast.Core.Codec;
using Fast.Core.Primitives;
using Fast.Core.Shreds;
using Fast.Crypto;
using FsCheck;
using FsCheck.Fluent;
using Xunit;
using static Fast.Core.Tests.Shreds.ShredderTests;

namespace Fast.Core.Tests.Shreds;

/// <summary>What <see cref="Deshredder"/> refuses, each with its typed status, and that a refusal leaves it able to continue.</summary>
public class DeshredderTests
{
    private static readonly ShreddedSlot TwoSets = Shred(RandomBytes(Shredder.DataPerSet + 4000, 11), parentBlockId: Hash.Compute("parent"u8));

    private static Deshredder Begin(Hash? parentBlockId = null, Pubkey? leader = null)
    {
        Deshredder deshredder = new();
        deshredder.Begin(50, ShredderTests.Version, parentBlockId, leader);
        return deshredder;
    }

    private static byte[] DataShred(ShreddedSlot slot, int index) => slot.Sets[index / 32].Shred(slot.Buffers[index / 32], index % 32).ToArray();

    private static void Feed(Deshredder deshredder, ShreddedSlot slot, int count)
    {
        for (int i = 0; i < count; i++) Assert.Equal(DeshredStatus.Added, deshredder.TryAdd(DataShred(slot, i)));
    }

    [Fact]
    public void A_missing_shred_is_a_gap_and_the_deshredder_still_takes_the_right_one_after()
    {
        Deshredder deshredder = Begin();
        Feed(deshredder, TwoSets, 5);
        Assert.Equal(DeshredStatus.Gap, deshredder.TryAdd(DataShred(TwoSets, 6)));
        Assert.Equal(DeshredStatus.Gap, deshredder.TryAdd(DataShred(TwoSets, 4)));
        Assert.Equal(5u, deshredder.NextIndex);
        Assert.Equal(DeshredStatus.Added, deshredder.TryAdd(DataShred(TwoSets, 5)));
    }

    [Fact]
    public void Dropping_any_one_data_shred_stops_the_slot_at_a_gap_at_that_index()
    {
        ShreddedSlot three = Shred(RandomBytes(2 * Shredder.DataPerSet + 10, 15));
        byte[][] shreds = [.. three.DataShreds()];
        Config config = Config.QuickThrowOnFailure.WithMaxTest(40).WithQuietOnSuccess(true);
        Check.One(config, Prop.ForAll(Gen.Choose(0, shreds.Length - 1).ToArbitrary(), dropped =>
        {
            Deshredder deshredder = Begin();
            bool gapAtDropped = true;
            for (int i = 0; i < shreds.Length; i++)
            {
                if (i == dropped) continue;
                DeshredStatus status = deshredder.TryAdd(shreds[i]);
                gapAtDropped &= i < dropped ? status == DeshredStatus.Added : status == DeshredStatus.Gap;
            }
            return gapAtDropped && deshredder.NextIndex == (uint)dropped && deshredder.Finish() == DeshredStatus.Incomplete
                && deshredder.Entries.Length == shreds.Take(dropped).Sum(d => ShredData(d).Length);
        }));
    }

    [Fact]
    public void Shreds_in_any_order_with_bytes_flipped_get_a_status_and_never_an_exception()
    {
        byte[][] shreds = [.. TwoSets.DataShreds()];
        Config config = Config.QuickThrowOnFailure.WithMaxTest(100).WithQuietOnSuccess(true);
        Gen<(int Seed, int Flips)> cases = from seed in Gen.Choose(0, int.MaxValue) from flips in Gen.Choose(0, 5) select (seed, flips);
        Check.One(config, Prop.ForAll(cases.ToArbitrary(), c =>
        {
            Random random = new(c.Seed);
            Deshredder deshredder = Begin(parentBlockId: Hash.Compute("parent"u8), leader: new Pubkey(ShredderTests.Leader.PublicKey));
            int taken = 0;
            for (int n = 0; n < 80; n++)
            {
                byte[] shred = (byte[])shreds[random.Next(shreds.Length)].Clone();
                for (int f = 0; f < c.Flips; f++) shred[random.Next(shred.Length)] ^= (byte)(1 << random.Next(8));
                DeshredStatus status = deshredder.TryAdd(shred);
                if (status is DeshredStatus.Added or DeshredStatus.Completed) taken++;
            }
            // Only the genuine next shred is ever taken, so what was taken is a prefix of the slot.
            return deshredder.NextIndex == (uint)taken && TwoSets.DataShreds().SelectMany(d => ShredData(d)).Take(deshredder.Entries.Length).SequenceEqual(deshredder.Entries.ToArray());
        }));
    }

    private static byte[] ShredData(byte[] shred)
    {
        ShredView.TryParse(shred, out ShredView view);
        return view.Data.ToArray();
    }

    [Fact]
    public void The_slot_is_incomplete_until_its_last_in_slot_shred_and_nothing_is_taken_after_it()
    {
        Deshredder deshredder = Begin();
        Feed(deshredder, TwoSets, 63);
        Assert.Equal(DeshredStatus.Incomplete, deshredder.Finish());
        Assert.Equal(1, deshredder.CompletedSets);
        Assert.Equal(Shredder.DataPerSet, deshredder.CompletedSetsLength);
        Assert.Equal(DeshredStatus.Completed, deshredder.TryAdd(DataShred(TwoSets, 63)));
        Assert.Equal(DeshredStatus.AfterLastInSlot, deshredder.TryAdd(DataShred(TwoSets, 63)));
        Assert.Equal(TwoSets.BlockId, deshredder.BlockId);
    }

    [Fact]
    public void Coding_shreds_malformed_bytes_other_slots_and_other_versions_are_refused_by_type()
    {
        Deshredder deshredder = Begin();
        byte[] coding = TwoSets.Sets[0].Shred(TwoSets.Buffers[0], 40).ToArray();
        Assert.Equal(DeshredStatus.NotData, deshredder.TryAdd(coding));
        Assert.Equal(DeshredStatus.Malformed, deshredder.TryAdd(DataShred(TwoSets, 0).AsSpan(0, 100), out DecodeResult decode));
        Assert.Equal(DecodeStatus.Truncated, decode.Status);
        Deshredder otherSlot = new();
        otherSlot.Begin(51, ShredderTests.Version);
        Assert.Equal(DeshredStatus.WrongSlot, otherSlot.TryAdd(DataShred(TwoSets, 0)));
        Deshredder otherVersion = new();
        otherVersion.Begin(50, ShredderTests.Version + 1);
        Assert.Equal(DeshredStatus.WrongVersion, otherVersion.TryAdd(DataShred(TwoSets, 0)));
    }

    [Fact]
    public void A_first_set_that_does_not_chain_the_expected_parent_block_id_is_wrong_chaining()
    {
        Deshredder deshredder = Begin(parentBlockId: Hash.Compute("another parent"u8));
        Assert.Equal(DeshredStatus.WrongChaining, deshredder.TryAdd(DataShred(TwoSets, 0)));
        Assert.Equal(DeshredStatus.Added, Begin(parentBlockId: Hash.Compute("parent"u8)).TryAdd(DataShred(TwoSets, 0)));
    }

    [Fact]
    public void Splicing_the_second_set_of_another_version_of_the_block_is_wrong_chaining()
    {
        ShreddedSlot other = Shred(RandomBytes(Shredder.DataPerSet + 4000, 12), parentBlockId: Hash.Compute("parent"u8));
        Deshredder deshredder = Begin();
        Feed(deshredder, TwoSets, 32);
        Assert.Equal(DeshredStatus.WrongChaining, deshredder.TryAdd(DataShred(other, 32)));
    }

    [Fact]
    public void Mixing_shreds_of_two_versions_inside_one_set_is_a_root_mismatch()
    {
        ShreddedSlot other = Shred(RandomBytes(Shredder.DataPerSet + 4000, 13), parentBlockId: Hash.Compute("parent"u8));
        Deshredder deshredder = Begin();
        Feed(deshredder, TwoSets, 3);
        Assert.Equal(DeshredStatus.RootMismatch, deshredder.TryAdd(DataShred(other, 3)));
    }

    [Fact]
    public void A_set_signed_by_someone_else_than_the_leader_is_a_bad_signature()
    {
        ShreddedSlot forged = Shred(RandomBytes(500, 14), leader: Keypair.Generate());
        Deshredder deshredder = Begin(leader: new Pubkey(ShredderTests.Leader.PublicKey));
        Assert.Equal(DeshredStatus.BadSignature, deshredder.TryAdd(DataShred(forged, 0)));
    }

    [Fact]
    public void A_parent_offset_that_changes_within_the_slot_is_a_parent_mismatch()
    {
        ShreddedSlot otherParent = Shred(RandomBytes(Shredder.DataPerSet + 4000, 11), parent: 48, parentBlockId: Hash.Compute("parent"u8));
        Deshredder deshredder = Begin();
        Feed(deshredder, TwoSets, 32);
        Assert.Equal(DeshredStatus.ParentMismatch, deshredder.TryAdd(DataShred(otherParent, 32)));
    }

    [Fact]
    public void A_new_set_before_the_previous_set_ended_with_last_in_fec_set_is_bad_flags()
    {
        // Two 2 + 2 sets written by hand: the first one's last data shred lacks LAST_IN_FEC_SET.
        byte[] first = HandSet(fecSetIndex: 0, lastFlags: ShredFlags.None, default, out Hash firstRoot);
        byte[] second = HandSet(fecSetIndex: 2, lastFlags: ShredFlags.LastInFecSet | ShredFlags.LastInSlot, firstRoot, out _);
        Deshredder deshredder = Begin();
        Assert.Equal(DeshredStatus.Added, deshredder.TryAdd(first.AsSpan(0, ShredLayout.DataShredSize)));
        Assert.Equal(DeshredStatus.Added, deshredder.TryAdd(first.AsSpan(Shredder.Stride, ShredLayout.DataShredSize)));
        Assert.Equal(DeshredStatus.BadFlags, deshredder.TryAdd(second.AsSpan(0, ShredLayout.DataShredSize)));
    }

    private static byte[] HandSet(uint fecSetIndex, ShredFlags lastFlags, Hash chainedRoot, out Hash root)
    {
        byte[] slab = new byte[4 * Shredder.Stride];
        for (int i = 0; i < 2; i++)
        {
            ShredCommonHeader header = new(50, fecSetIndex + (uint)i, ShredderTests.Version, fecSetIndex, chainedRoot);
            ShredWriter.WriteData(slab.AsSpan(i * Shredder.Stride), header, 2, 1, i == 1 ? lastFlags : ShredFlags.None, RandomBytes(10, i));
        }
        for (int p = 0; p < 2; p++)
        {
            ShredCommonHeader header = new(50, fecSetIndex + (uint)p, ShredderTests.Version, fecSetIndex, chainedRoot);
            ShredWriter.WriteCoding(slab.AsSpan((2 + p) * Shredder.Stride), header, 2, 2, p, default);
        }
        FecSetCoder.EncodeParity(slab, Shredder.Stride, 2, 2);
        root = FecSetMerkle.Seal(slab, Shredder.Stride, 4, ShredderTests.Leader);
        return slab;
    }
}
