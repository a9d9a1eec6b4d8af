using System.Buffers.Binary;
using Fast.Core.Codec;
using Fast.Core.Primitives;
using Fast.Core.Shreds;
using Fast.Crypto;
using Fast.Testing;
using Xunit;

namespace Fast.Core.Tests.Shreds;

public class ShredViewTests
{
    [Fact]
    public void A_data_shred_parses_with_every_header_field_and_its_data_in_place()
    {
        byte[] data = new byte[500];
        new Random(1).NextBytes(data);
        byte[] shred = new byte[ShredLayout.DataShredSize];
        int length = ShredWriter.WriteData(shred, new ShredCommonHeader(9000, 40, 11, 32), 6, 2, ShredFlags.LastInFecSet | ShredFlags.LastInSlot, data);

        Assert.Equal(ShredLayout.DataShredSize, length);
        Assert.Equal(DecodeResult.Success, ShredView.TryParse(shred, out ShredView view));
        Assert.True(view.IsData);
        Assert.Equal(0x86, view.Variant);
        Assert.Equal(9000UL, view.Slot);
        Assert.Equal(40U, view.Index);
        Assert.Equal((ushort)11, view.Version);
        Assert.Equal(32U, view.FecSetIndex);
        Assert.Equal(8998UL, view.ParentSlot);
        Assert.True(view.IsLastInFecSet && view.IsLastInSlot);
        Assert.Equal(8, view.LeafIndex);
        Assert.Equal(64, view.FecSetSize);
        Assert.True(view.Data.SequenceEqual(data));
        Assert.Equal(ShredLayout.ErasureShardSize(6), view.ErasureShard.Length);
        Assert.Equal(6 * 32, view.Proof.Length);
    }

    [Fact]
    public void A_coding_shred_parses_with_its_set_shape_and_its_leaf_after_the_data_shreds()
    {
        byte[] parity = new byte[ShredLayout.ErasureShardSize(4)];
        new Random(2).NextBytes(parity);
        byte[] shred = new byte[ShredLayout.CodingShredSize];
        ShredWriter.WriteCoding(shred, new ShredCommonHeader(77, 9, 1, 5), 5, 11, 4, parity);

        Assert.Equal(DecodeResult.Success, ShredView.TryParse(shred, out ShredView view));
        Assert.True(view.IsCoding);
        Assert.Equal(5, view.NumData);
        Assert.Equal(11, view.NumCoding);
        Assert.Equal(4, view.Position);
        Assert.Equal(9, view.LeafIndex);
        Assert.Equal(16, view.FecSetSize);
        Assert.True(view.Parity.SequenceEqual(parity));
        Assert.True(view.ErasureShard.SequenceEqual(parity));
        Assert.Equal(0, view.DataSize);
    }

    [Fact]
    public void Every_shred_of_a_sealed_set_proves_the_same_root_and_carries_the_leader_signature_over_it()
    {
        var leader = Keypair.Generate();
        (byte[] slab, Hash root) = TestShreds.SealedSet(leader, 32, 32, 64, new Random(3));
        for (int leaf = 0; leaf < 64; leaf++)
        {
            byte[] shred = TestShreds.ShredAt(slab, leaf, isData: leaf < 32);
            Assert.Equal(DecodeResult.Success, ShredView.TryParse(shred, out ShredView view));
            Assert.Equal(leaf, view.LeafIndex);
            Assert.True(view.VerifyLeaderSignature(leader.PublicKey, out Hash computed));
            Assert.Equal(root, computed);
            Assert.True(view.VerifyProof(root));
        }
    }

    [Fact]
    public void A_shred_with_one_changed_data_byte_or_from_another_leader_fails_verification()
    {
        var leader = Keypair.Generate();
        (byte[] slab, Hash root) = TestShreds.SealedSet(leader, 4, 4, 0, new Random(4));
        byte[] shred = TestShreds.ShredAt(slab, 1, isData: true);
        ShredView.TryParse(shred, out ShredView genuine);
        Assert.False(genuine.VerifyLeaderSignature(Keypair.Generate().PublicKey, out _));

        shred[ShredLayout.DataOffset] ^= 1;
        Assert.Equal(DecodeResult.Success, ShredView.TryParse(shred, out ShredView tampered));
        Assert.False(tampered.VerifyLeaderSignature(leader.PublicKey, out Hash computed));
        Assert.NotEqual(root, computed);
        Assert.False(tampered.VerifyProof(root));
    }

    [Fact]
    public void A_sealed_set_of_the_smallest_shape_one_data_and_one_coding_verifies()
    {
        var leader = Keypair.Generate();
        (byte[] slab, Hash root) = TestShreds.SealedSet(leader, 1, 1, 0, new Random(5));
        ShredView.TryParse(TestShreds.ShredAt(slab, 0, true), out ShredView data);
        ShredView.TryParse(TestShreds.ShredAt(slab, 1, false), out ShredView coding);
        Assert.Equal(1051, ShredLayout.DataCapacity(1));
        Assert.True(data.VerifyLeaderSignature(leader.PublicKey, out Hash r1) && r1 == root);
        Assert.True(coding.VerifyLeaderSignature(leader.PublicKey, out Hash r2) && r2 == root);
    }

    [Fact]
    public void Decoding_a_1233_byte_shred_reports_TooLarge_at_offset_1232()
    {
        Assert.Equal(new DecodeResult(DecodeStatus.TooLarge, 1232), ShredView.TryParse(new byte[1233], out _));
    }

    [Fact]
    public void Decoding_a_shred_cut_inside_its_common_header_reports_Truncated_at_the_cut_field()
    {
        byte[] shred = TestShreds.Data();
        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, 0), ShredView.TryParse(shred.AsSpan(0, 63), out _));
        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, 79), ShredView.TryParse(shred.AsSpan(0, 82), out _));
    }

    [Fact]
    public void Decoding_a_data_shred_missing_its_last_byte_reports_Truncated_at_offset_1011_where_its_proof_starts()
    {
        byte[] shred = TestShreds.Data();
        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, 1011), ShredView.TryParse(shred.AsSpan(0, 1202), out _));
    }

    [Fact]
    public void Decoding_a_data_shred_with_one_extra_byte_reports_TrailingBytes_at_offset_1203()
    {
        byte[] shred = [.. TestShreds.Data(), 0];
        Assert.Equal(new DecodeResult(DecodeStatus.TrailingBytes, 1203), ShredView.TryParse(shred, out _));
    }

    [Fact]
    public void Decoding_a_coding_shred_cut_inside_its_parity_reports_Truncated_at_offset_89()
    {
        byte[] shred = TestShreds.Coding();
        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, 89), ShredView.TryParse(shred.AsSpan(0, 1000), out _));
    }

    [Theory]
    [InlineData(0x36)] // unknown kind
    [InlineData(0x80)] // depth 0
    [InlineData(0x88)] // depth 8
    [InlineData(0xC6)] // both kind bits
    public void Decoding_a_shred_with_an_unknown_variant_reports_InvalidValue_at_offset_64(byte variant)
    {
        byte[] shred = TestShreds.Data();
        shred[64] = variant;
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 64), ShredView.TryParse(shred, out _));
    }

    [Theory]
    [InlineData(0x04)]
    [InlineData(0x80)]
    [InlineData(0x02)] // last in slot without last in FEC set
    public void Decoding_a_data_shred_with_reserved_or_inconsistent_flags_reports_InvalidValue_at_offset_85(byte flags)
    {
        byte[] shred = TestShreds.Data();
        shred[85] = flags;
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 85), ShredView.TryParse(shred, out _));
    }

    [Fact]
    public void Decoding_a_data_shred_whose_size_exceeds_its_capacity_reports_LengthTooLarge_at_offset_86()
    {
        byte[] shred = TestShreds.Data();
        BinaryPrimitives.WriteUInt16LittleEndian(shred.AsSpan(86), (ushort)(ShredLayout.DataCapacity(6) + 1));
        Assert.Equal(new DecodeResult(DecodeStatus.LengthTooLarge, 86), ShredView.TryParse(shred, out _));
    }

    [Fact]
    public void Decoding_a_data_shred_with_a_nonzero_byte_past_its_size_reports_InvalidValue_at_that_byte()
    {
        byte[] shred = TestShreds.Data(dataSize: 100);
        shred[88 + 100 + 17] = 1;
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 205), ShredView.TryParse(shred, out _));
    }

    [Fact]
    public void Decoding_a_data_shred_whose_parent_is_not_an_earlier_slot_reports_InvalidValue_at_offset_83()
    {
        byte[] later = TestShreds.Data();
        BinaryPrimitives.WriteUInt16LittleEndian(later.AsSpan(83), (ushort)(TestShreds.Slot + 1));
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 83), ShredView.TryParse(later, out _));
        byte[] itself = TestShreds.Data();
        BinaryPrimitives.WriteUInt16LittleEndian(itself.AsSpan(83), 0);
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 83), ShredView.TryParse(itself, out _));
    }

    [Theory]
    [InlineData(3u, 4u)]      // before its FEC set
    [InlineData(63u, 0u)]     // past the last data leaf of a 64-shred set
    [InlineData(32768u, 32768u)] // past the per-slot maximum
    public void Decoding_a_data_shred_with_an_index_outside_its_set_reports_IndexOutOfRange_at_offset_73(uint index, uint fecSetIndex)
    {
        byte[] shred = TestShreds.Data();
        BinaryPrimitives.WriteUInt32LittleEndian(shred.AsSpan(73), index);
        BinaryPrimitives.WriteUInt32LittleEndian(shred.AsSpan(79), fecSetIndex);
        Assert.Equal(new DecodeResult(DecodeStatus.IndexOutOfRange, 73), ShredView.TryParse(shred, out _));
    }

    [Fact]
    public void Decoding_a_coding_shred_with_a_fec_set_index_past_the_slot_maximum_reports_IndexOutOfRange_at_offset_79()
    {
        byte[] shred = TestShreds.Coding();
        BinaryPrimitives.WriteUInt32LittleEndian(shred.AsSpan(79), 40000);
        Assert.Equal(new DecodeResult(DecodeStatus.IndexOutOfRange, 79), ShredView.TryParse(shred, out _));
    }

    [Fact]
    public void Decoding_a_coding_shred_with_zero_data_or_zero_coding_shreds_reports_InvalidValue_at_that_count()
    {
        byte[] noData = TestShreds.Coding();
        BinaryPrimitives.WriteUInt16LittleEndian(noData.AsSpan(83), 0);
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 83), ShredView.TryParse(noData, out _));
        byte[] noCoding = TestShreds.Coding();
        BinaryPrimitives.WriteUInt16LittleEndian(noCoding.AsSpan(85), 0);
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 85), ShredView.TryParse(noCoding, out _));
    }

    [Fact]
    public void Decoding_a_coding_shred_whose_counts_do_not_fill_its_tree_reports_CountMismatch_at_offset_83()
    {
        byte[] shred = TestShreds.Coding();
        BinaryPrimitives.WriteUInt16LittleEndian(shred.AsSpan(85), 31);
        Assert.Equal(new DecodeResult(DecodeStatus.CountMismatch, 83), ShredView.TryParse(shred, out _));
    }

    [Fact]
    public void Decoding_a_coding_shred_with_a_position_past_num_coding_reports_IndexOutOfRange_at_offset_87()
    {
        byte[] shred = TestShreds.Coding();
        BinaryPrimitives.WriteUInt16LittleEndian(shred.AsSpan(87), 32);
        Assert.Equal(new DecodeResult(DecodeStatus.IndexOutOfRange, 87), ShredView.TryParse(shred, out _));
    }

    [Fact]
    public void Sealing_a_set_out_of_leaf_order_is_a_bug_and_throws()
    {
        var leader = Keypair.Generate();
        int stride = ShredLayout.CodingShredSize;
        byte[] slab = new byte[4 * stride];
        ShredWriter.WriteData(slab, new ShredCommonHeader(5, 0, 1, 0), 2, 1, ShredFlags.None, [1]);
        ShredWriter.WriteCoding(slab.AsSpan(stride), new ShredCommonHeader(5, 0, 1, 0), 1, 3, 0, default);
        ShredWriter.WriteData(slab.AsSpan(2 * stride), new ShredCommonHeader(5, 2, 1, 0), 2, 1, ShredFlags.None, [2]);
        ShredWriter.WriteCoding(slab.AsSpan(3 * stride), new ShredCommonHeader(5, 2, 1, 0), 1, 3, 2, default);
        Assert.Throws<ArgumentException>(() => FecSetMerkle.Seal(slab, stride, 4, leader));
    }

    [Fact]
    public void Decoding_a_shred_allocates_nothing()
    {
        byte[] data = TestShreds.Data(700);
        byte[] coding = TestShreds.Coding();
        long allocated = Allocations.Measure(10_000, () =>
        {
            ShredView.TryParse(data, out ShredView d);
            ShredView.TryParse(coding, out ShredView c);
            _ = d.Data.Length + c.Parity.Length;
        });
        Assert.Equal(0, allocated);
    }
}
