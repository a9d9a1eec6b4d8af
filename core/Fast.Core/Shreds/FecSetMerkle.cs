using System.Buffers.Binary;
using Fast.Core.Merkle;
using Fast.Core.Primitives;
using Fast.Crypto;

namespace Fast.Core.Shreds;

/// <summary>
/// The leader's side of a FEC set's Merkle tree: leaf i = sha256(0x00 ‖ shred i's bytes between its
/// signature and its proof — chained root included), data shreds first, then coding shreds
/// (<see cref="MerkleTree"/>, so the same 0x00/0x01 domain separation); the leader signs the 32-byte
/// root with Schnorr under the shred-root domain (<see cref="ShredRootSignature"/>) and every shred
/// of the set carries that one signature plus its own proof. Receivers check with
/// <see cref="ShredView.VerifyLeaderSignature"/>. Zero allocation (the tree of at most 128 leaves
/// lives on the stack). <see cref="FecSetCoder"/> fills the coding shreds' parity before sealing.
/// </summary>
public static class FecSetMerkle
{
    public const int MaxShreds = 1 << ShredLayout.MaxProofDepth;

    /// <summary>The Merkle leaf of a shred written by <see cref="ShredWriter"/> (trusted bytes).</summary>
    public static Hash ComputeLeaf(ReadOnlySpan<byte> shred)
    {
        int depth = ShredWriter.DepthOf(shred);
        return MerkleTree.HashLeaf(shred[ShredLayout.SignatureSize..ShredLayout.ProofOffset(ShredWriter.KindOf(shred), depth)]);
    }

    /// <summary>
    /// Computes the FEC set's root over <paramref name="shredCount"/> written shreds laid out in leaf
    /// order in <paramref name="slab"/> (shred i at i × <paramref name="stride"/>) and writes every
    /// shred's proof. Returns the root, which the leader then signs (<see cref="Sign"/>).
    /// </summary>
    public static Hash FillProofs(Span<byte> slab, int stride, int shredCount)
    {
        FillProofsChecked(slab, stride, shredCount, expectedRoot: null, out Hash root);
        return root;
    }

    /// <summary>
    /// <see cref="FillProofs(Span{byte}, int, int)"/> only when the set's root is <paramref name="expectedRoot"/>
    /// (a receiver's rebuilt set against the root its shreds proved); false, writing nothing, otherwise.
    /// </summary>
    public static bool TryFillProofs(Span<byte> slab, int stride, int shredCount, in Hash expectedRoot) =>
        FillProofsChecked(slab, stride, shredCount, expectedRoot, out _);

    private static bool FillProofsChecked(Span<byte> slab, int stride, int shredCount, Hash? expectedRoot, out Hash root)
    {
        int depth = CheckSet(slab, stride, shredCount);
        Span<Hash> tree = stackalloc Hash[MerkleTree.TreeSize(shredCount)];
        for (int i = 0; i < shredCount; i++) tree[i] = ComputeLeaf(slab.Slice(i * stride, stride));
        root = MerkleTree.BuildTree(tree[..shredCount], tree);
        if (expectedRoot is Hash expected && root != expected) return false;
        Span<Hash> proof = stackalloc Hash[depth];
        for (int i = 0; i < shredCount; i++)
        {
            MerkleTree.CopyProof(tree, shredCount, i, proof);
            ShredWriter.WriteProof(slab.Slice(i * stride, stride), proof);
        }
        return true;
    }

    /// <summary>Signs <paramref name="root"/> once (<see cref="ShredRootSignature"/>: domain-tagged) and writes the signature into every shred of the set.</summary>
    public static void Sign(Span<byte> slab, int stride, int shredCount, Keypair leader, in Hash root)
    {
        Span<byte> signature = stackalloc byte[ShredLayout.SignatureSize];
        ShredRootSignature.Sign(leader, root, signature);
        for (int i = 0; i < shredCount; i++) ShredWriter.WriteSignature(slab.Slice(i * stride, stride), signature);
    }

    /// <summary><see cref="FillProofs"/> then <see cref="Sign"/>: the set is ready to send. Returns the root.</summary>
    public static Hash Seal(Span<byte> slab, int stride, int shredCount, Keypair leader)
    {
        Hash root = FillProofs(slab, stride, shredCount);
        Sign(slab, stride, shredCount, leader, root);
        return root;
    }

    /// <summary>Checks the set is one FEC set in leaf order (a bug otherwise, so it throws); returns its depth.</summary>
    private static int CheckSet(ReadOnlySpan<byte> slab, int stride, int shredCount)
    {
        if (shredCount < 2 || shredCount > MaxShreds || (shredCount & (shredCount - 1)) != 0)
        {
            ThrowHelper.ThrowArgument(nameof(shredCount), "a FEC set has 2^depth shreds, 2..128");
        }
        if (stride < ShredLayout.DataShredSize) ThrowHelper.ThrowArgument(nameof(stride), "smaller than a shred");
        if ((long)stride * shredCount > slab.Length) ThrowHelper.ThrowArgument(nameof(slab), "shorter than shredCount × stride");
        int depth = System.Numerics.BitOperations.Log2((uint)shredCount);
        ReadOnlySpan<byte> first = slab[..stride];
        int dataShreds = 0;
        for (int i = 0; i < shredCount; i++)
        {
            ReadOnlySpan<byte> shred = slab.Slice(i * stride, stride);
            if (ShredWriter.DepthOf(shred) != depth) ThrowHelper.ThrowArgument(nameof(slab), "a shred's depth does not match the set size");
            if (ShredWriter.KindOf(shred) == ShredKind.Data)
            {
                if (dataShreds != i) ThrowHelper.ThrowArgument(nameof(slab), "data shreds come before coding shreds");
                dataShreds++;
            }
            else if (BinaryPrimitives.ReadUInt16LittleEndian(shred[ShredLayout.NumDataOffset..]) != dataShreds)
            {
                ThrowHelper.ThrowArgument(nameof(slab), "a coding shred's num_data differs from the set's data shreds");
            }
            if (LeafIndexOf(shred) != i) ThrowHelper.ThrowArgument(nameof(slab), "shreds are not in leaf order (data by index, then coding by position)");
            if (!shred.Slice(ShredLayout.SlotOffset, 8).SequenceEqual(first.Slice(ShredLayout.SlotOffset, 8))
                || !shred.Slice(ShredLayout.VersionOffset, 6).SequenceEqual(first.Slice(ShredLayout.VersionOffset, 6))
                || !ChainedRootOf(shred, depth).SequenceEqual(ChainedRootOf(first, depth)))
            {
                ThrowHelper.ThrowArgument(nameof(slab), "shreds of one FEC set share slot, version, fec_set_index and chained root");
            }
        }
        return depth;
    }

    private static ReadOnlySpan<byte> ChainedRootOf(ReadOnlySpan<byte> shred, int depth) =>
        shred.Slice(ShredLayout.ChainedRootOffset(ShredWriter.KindOf(shred), depth), ShredLayout.ChainedRootSize);

    private static int LeafIndexOf(ReadOnlySpan<byte> shred) => ShredWriter.KindOf(shred) == ShredKind.Data
        ? (int)(BinaryPrimitives.ReadUInt32LittleEndian(shred[ShredLayout.IndexOffset..]) - BinaryPrimitives.ReadUInt32LittleEndian(shred[ShredLayout.FecSetIndexOffset..]))
        : BinaryPrimitives.ReadUInt16LittleEndian(shred[ShredLayout.NumDataOffset..]) + BinaryPrimitives.ReadUInt16LittleEndian(shred[ShredLayout.PositionOffset..]);
}
