using Fast.Core.Codec;
using Fast.Core.Merkle;
using Fast.Core.Primitives;
using Fast.Testing;
using Xunit;

namespace Fast.Core.Tests.Merkle;

public class MerkleTreeTests
{
    private static Hash[] Leaves(int count) => [.. Enumerable.Range(0, count).Select(i => MerkleTree.HashLeaf(BitConverter.GetBytes(i)))];

    private static Hash Sha256(params byte[][] parts) => Hash.Compute([.. parts.SelectMany(p => p)]);

    [Fact]
    public void Leaves_and_nodes_are_domain_separated_and_an_odd_node_is_promoted()
    {
        Hash[] leaves = Leaves(3);
        Assert.Equal(Sha256([0x00], BitConverter.GetBytes(0)), leaves[0]);
        Hash ab = Sha256([0x01], leaves[0].Span.ToArray(), leaves[1].Span.ToArray());
        Hash root = Sha256([0x01], ab.Span.ToArray(), leaves[2].Span.ToArray());
        Assert.Equal(root, MerkleTree.ComputeRoot(leaves));
        Assert.Equal(leaves[0], MerkleTree.ComputeRoot(leaves[..1]));
        Assert.Equal(Hash.Zero, MerkleTree.ComputeRoot([]));
    }

    [Fact]
    public void Every_leaf_of_trees_of_1_to_70_leaves_has_a_proof_of_the_predicted_length_that_verifies()
    {
        for (int count = 1; count <= 70; count++)
        {
            Hash[] leaves = Leaves(count);
            var tree = new Hash[MerkleTree.TreeSize(count)];
            Hash root = MerkleTree.BuildTree(leaves, tree);
            Assert.Equal(MerkleTree.ComputeRoot(leaves), root);
            var proof = new Hash[MerkleTree.MaxProofLength];
            for (int i = 0; i < count; i++)
            {
                int length = MerkleTree.CopyProof(tree, count, i, proof);
                Assert.Equal(MerkleTree.ProofLength(i, count), length);
                Assert.True(MerkleTree.VerifyProof(leaves[i], i, count, proof.AsSpan(0, length), root), $"leaf {i} of {count}");
                Assert.Equal(length, MerkleTree.BuildProof(leaves, i, proof));
            }
        }
    }

    [Fact]
    public void A_proof_fails_for_another_leaf_another_index_a_changed_sibling_or_a_wrong_length()
    {
        Hash[] leaves = Leaves(13);
        Hash root = MerkleTree.ComputeRoot(leaves);
        var proof = new Hash[MerkleTree.MaxProofLength];
        int length = MerkleTree.BuildProof(leaves, 6, proof);
        Span<Hash> siblings = proof.AsSpan(0, length);
        Assert.True(MerkleTree.VerifyProof(leaves[6], 6, 13, siblings, root));
        Assert.False(MerkleTree.VerifyProof(leaves[7], 6, 13, siblings, root));
        Assert.False(MerkleTree.VerifyProof(leaves[6], 7, 13, siblings, root));
        Assert.False(MerkleTree.VerifyProof(leaves[6], 6, 13, siblings[..^1], root));
        Assert.False(MerkleTree.VerifyProof(leaves[6], 13, 13, siblings, root));
        siblings[1] = leaves[0];
        Assert.False(MerkleTree.VerifyProof(leaves[6], 6, 13, siblings, root));
    }

    [Fact]
    public void The_last_leaf_of_an_odd_level_skips_the_levels_where_it_is_promoted()
    {
        // 5 leaves: leaf 4 is promoted twice (levels of 5 and 3 nodes), then meets the 4-leaf subtree's root.
        Assert.Equal(1, MerkleTree.ProofLength(4, 5));
        Assert.Equal(3, MerkleTree.ProofLength(0, 5));
        Assert.Equal(0, MerkleTree.ProofLength(0, 1));
        Assert.Equal(-1, MerkleTree.ProofLength(5, 5));
        Assert.Equal(31, MerkleTree.ProofLength(0, int.MaxValue));
    }

    [Fact]
    public void A_proof_round_trips_through_its_wire_format_and_verifies_from_it()
    {
        Hash[] leaves = Leaves(21);
        Hash root = MerkleTree.ComputeRoot(leaves);
        var proof = new Hash[MerkleTree.MaxProofLength];
        int length = MerkleTree.BuildProof(leaves, 17, proof);
        byte[] wire = new byte[MerkleProofWriter.EncodedLength(length)];
        SpanWriter writer = new(wire);
        MerkleProofWriter.Write(ref writer, 17, 21, proof.AsSpan(0, length));
        Assert.False(writer.Overflowed);

        Assert.Equal(DecodeResult.Success, MerkleProofView.TryParse(wire, out MerkleProofView view));
        Assert.Equal(17, view.LeafIndex);
        Assert.Equal(21, view.LeafCount);
        Assert.Equal(length, view.SiblingCount);
        Assert.Equal(proof[0], view.GetSibling(0));
        Assert.True(view.Verify(leaves[17], root));
        Assert.Equal(root, view.ComputeRoot(leaves[17]));
        Assert.False(view.Verify(leaves[16], root));
    }

    private static byte[] WireProof(int index, int count)
    {
        Hash[] leaves = Leaves(count);
        var proof = new Hash[MerkleTree.MaxProofLength];
        int length = MerkleTree.BuildProof(leaves, index, proof);
        byte[] wire = new byte[MerkleProofWriter.EncodedLength(length)];
        SpanWriter writer = new(wire);
        MerkleProofWriter.Write(ref writer, index, count, proof.AsSpan(0, length));
        return wire;
    }

    [Fact]
    public void Decoding_a_proof_cut_inside_its_header_reports_Truncated_at_the_cut_field()
    {
        byte[] wire = WireProof(2, 8);
        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, 4), MerkleProofView.TryParse(wire.AsSpan(0, 6), out _));
        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, 8), MerkleProofView.TryParse(wire.AsSpan(0, 8), out _));
    }

    [Fact]
    public void Decoding_a_proof_missing_part_of_a_sibling_reports_Truncated_at_offset_9()
    {
        byte[] wire = WireProof(2, 8);
        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, 9), MerkleProofView.TryParse(wire.AsSpan(0, wire.Length - 1), out _));
    }

    [Fact]
    public void Decoding_a_proof_with_one_extra_byte_reports_TrailingBytes_at_its_end()
    {
        byte[] wire = [.. WireProof(2, 8), 0];
        Assert.Equal(new DecodeResult(DecodeStatus.TrailingBytes, 9 + 3 * 32), MerkleProofView.TryParse(wire, out _));
    }

    [Fact]
    public void Decoding_a_proof_of_zero_leaves_reports_InvalidValue_at_offset_4()
    {
        byte[] wire = WireProof(2, 8);
        wire.AsSpan(0, 8).Clear();
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 4), MerkleProofView.TryParse(wire, out _));
    }

    [Fact]
    public void Decoding_a_proof_of_more_than_int_max_leaves_reports_LengthTooLarge_at_offset_4()
    {
        byte[] wire = WireProof(2, 8);
        BitConverter.TryWriteBytes(wire.AsSpan(4), 0x8000_0000u);
        Assert.Equal(new DecodeResult(DecodeStatus.LengthTooLarge, 4), MerkleProofView.TryParse(wire, out _));
    }

    [Fact]
    public void Decoding_a_proof_whose_index_is_not_below_its_count_reports_IndexOutOfRange_at_offset_0()
    {
        byte[] wire = WireProof(2, 8);
        BitConverter.TryWriteBytes(wire.AsSpan(0), 8u);
        Assert.Equal(new DecodeResult(DecodeStatus.IndexOutOfRange, 0), MerkleProofView.TryParse(wire, out _));
    }

    [Fact]
    public void Decoding_a_proof_with_more_siblings_than_its_position_needs_reports_CountMismatch_at_offset_8()
    {
        // Leaf 4 of 5 is promoted twice: one sibling, not the three a full tree of that height would give.
        byte[] wire = WireProof(4, 5);
        Assert.Equal(1, wire[8]);
        byte[] padded = [.. wire, .. new byte[64]];
        padded[8] = 3;
        Assert.Equal(new DecodeResult(DecodeStatus.CountMismatch, 8), MerkleProofView.TryParse(padded, out _));
    }

    [Fact]
    public void Verifying_a_proof_allocates_nothing()
    {
        byte[] wire = WireProof(5, 64);
        Hash leaf = Leaves(64)[5];
        Hash root = MerkleTree.ComputeRoot(Leaves(64));
        long allocated = Allocations.Measure(1_000, () =>
        {
            MerkleProofView.TryParse(wire, out MerkleProofView view);
            Assert.True(view.Verify(leaf, root));
        });
        Assert.Equal(0, allocated);
    }
}
