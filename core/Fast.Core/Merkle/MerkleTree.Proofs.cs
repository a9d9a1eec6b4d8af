using System.Runtime.InteropServices;
using Fast.Core.Primitives;

namespace Fast.Core.Merkle;

/// <summary>
/// Inclusion proofs over the same tree as <see cref="ComputeRoot"/>: the siblings met on the way
/// from a leaf to the root, bottom up. Where a node is the odd one out at the end of its level it
/// is promoted without a sibling, so that level adds nothing to the proof; the proof's length is
/// therefore a function of (leaf index, leaf count), and a verifier must be told the count — a
/// proof checked against the wrong count fails (see <see cref="ProofLength"/>).
/// </summary>
public static partial class MerkleTree
{
    /// <summary>A tree over at most int.MaxValue leaves is at most 31 levels above its leaves.</summary>
    public const int MaxProofLength = 31;

    /// <summary>Hashes a whole tree holds: the leaves plus every level above them (&lt; 2 × leaves).</summary>
    public static int TreeSize(int leafCount)
    {
        if (leafCount < 0) ThrowHelper.ThrowArgument(nameof(leafCount), "must be non-negative");
        int total = 0;
        for (int n = leafCount; n > 1; n = (n + 1) >> 1) total += n;
        return total + (leafCount == 0 ? 0 : 1);
    }

    /// <summary>
    /// How many siblings the proof of leaf <paramref name="leafIndex"/> of <paramref name="leafCount"/>
    /// holds: one per level where the node has a partner (a left node always has one on its right
    /// unless it is the last node of an odd level). −1 when the index is not in 0..count−1.
    /// </summary>
    public static int ProofLength(long leafIndex, long leafCount)
    {
        if (leafCount <= 0 || (ulong)leafIndex >= (ulong)leafCount) return -1;
        int length = 0;
        for (long i = leafIndex, n = leafCount; n > 1; i >>= 1, n = (n + 1) >> 1)
        {
            if ((i & 1) == 1 || i + 1 < n) length++;
        }
        return length;
    }

    /// <summary>
    /// Writes every level of the tree over <paramref name="leafHashes"/> into <paramref name="tree"/>
    /// (leaves first, root last; <see cref="TreeSize"/> hashes) and returns the root. Build once,
    /// then cut every leaf's proof from it with <see cref="CopyProof"/> — what a shredder does for
    /// each FEC set.
    /// </summary>
    public static Hash BuildTree(ReadOnlySpan<Hash> leafHashes, Span<Hash> tree)
    {
        int count = leafHashes.Length;
        if (count == 0) return Hash.Zero;
        if (tree.Length < TreeSize(count)) ThrowHelper.ThrowArgument(nameof(tree), "smaller than TreeSize(leafCount)");
        leafHashes.CopyTo(tree);
        int levelStart = 0;
        while (count > 1)
        {
            int next = levelStart + count;
            int written = 0;
            for (int i = 0; i < count; i += 2)
            {
                tree[next + written++] = i + 1 < count
                    ? HashNode(tree[levelStart + i], tree[levelStart + i + 1])
                    : tree[levelStart + i];
            }
            levelStart = next;
            count = written;
        }
        return tree[levelStart];
    }

    /// <summary>
    /// Copies the proof of leaf <paramref name="leafIndex"/> out of a tree made by <see cref="BuildTree"/>
    /// over <paramref name="leafCount"/> leaves; returns how many siblings were written.
    /// </summary>
    public static int CopyProof(ReadOnlySpan<Hash> tree, int leafCount, int leafIndex, Span<Hash> proof)
    {
        int length = ProofLength(leafIndex, leafCount);
        if (length < 0) ThrowHelper.ThrowArgument(nameof(leafIndex), "not a leaf of this tree");
        if (tree.Length < TreeSize(leafCount)) ThrowHelper.ThrowArgument(nameof(tree), "smaller than TreeSize(leafCount)");
        if (proof.Length < length) ThrowHelper.ThrowArgument(nameof(proof), "shorter than ProofLength(leafIndex, leafCount)");
        int written = 0;
        int levelStart = 0;
        for (int i = leafIndex, n = leafCount; n > 1; i >>= 1)
        {
            int sibling = i ^ 1;
            if (sibling < n) proof[written++] = tree[levelStart + sibling];
            levelStart += n;
            n = (n + 1) >> 1;
        }
        return written;
    }

    /// <summary>
    /// The proof of one leaf, straight from the leaves (pooled scratch; builds the whole tree, so
    /// prefer <see cref="BuildTree"/> + <see cref="CopyProof"/> for many proofs of one tree).
    /// </summary>
    public static int BuildProof(ReadOnlySpan<Hash> leafHashes, int leafIndex, Span<Hash> proof)
    {
        if (ProofLength(leafIndex, leafHashes.Length) < 0) ThrowHelper.ThrowArgument(nameof(leafIndex), "not a leaf of this tree");
        int size = TreeSize(leafHashes.Length);
        Hash[] scratch = System.Buffers.ArrayPool<Hash>.Shared.Rent(size);
        try
        {
            BuildTree(leafHashes, scratch.AsSpan(0, size));
            return CopyProof(scratch.AsSpan(0, size), leafHashes.Length, leafIndex, proof);
        }
        finally
        {
            System.Buffers.ArrayPool<Hash>.Shared.Return(scratch);
        }
    }

    /// <summary>
    /// The root that <paramref name="leafHash"/> at <paramref name="leafIndex"/> of
    /// <paramref name="leafCount"/> leads to through <paramref name="proof"/> (concatenated 32-byte
    /// siblings, bottom up). False when the index is out of range or the proof has the wrong length
    /// for that position — never an exception, so it is safe on hostile proofs.
    /// </summary>
    public static bool TryComputeRootFromProof(in Hash leafHash, long leafIndex, long leafCount, ReadOnlySpan<byte> proof, out Hash root)
    {
        root = default;
        int length = ProofLength(leafIndex, leafCount);
        if (length < 0 || proof.Length != length * Hash.Size) return false;
        Hash node = leafHash;
        int used = 0;
        for (long i = leafIndex, n = leafCount; n > 1; i >>= 1, n = (n + 1) >> 1)
        {
            if ((i & 1) == 1)
            {
                node = HashNode(MemoryMarshal.Read<Hash>(proof.Slice(used * Hash.Size, Hash.Size)), node);
                used++;
            }
            else if (i + 1 < n)
            {
                node = HashNode(node, MemoryMarshal.Read<Hash>(proof.Slice(used * Hash.Size, Hash.Size)));
                used++;
            }
        }
        root = node;
        return true;
    }

    /// <inheritdoc cref="TryComputeRootFromProof(in Hash, long, long, ReadOnlySpan{byte}, out Hash)"/>
    public static bool TryComputeRootFromProof(in Hash leafHash, long leafIndex, long leafCount, ReadOnlySpan<Hash> proof, out Hash root) =>
        TryComputeRootFromProof(leafHash, leafIndex, leafCount, MemoryMarshal.AsBytes(proof), out root);

    /// <summary>True when <paramref name="proof"/> takes <paramref name="leafHash"/> at (index, count) to <paramref name="root"/>.</summary>
    public static bool VerifyProof(in Hash leafHash, long leafIndex, long leafCount, ReadOnlySpan<byte> proof, in Hash root) =>
        TryComputeRootFromProof(leafHash, leafIndex, leafCount, proof, out Hash computed) && computed == root;

    /// <inheritdoc cref="VerifyProof(in Hash, long, long, ReadOnlySpan{byte}, in Hash)"/>
    public static bool VerifyProof(in Hash leafHash, long leafIndex, long leafCount, ReadOnlySpan<Hash> proof, in Hash root) =>
        VerifyProof(leafHash, leafIndex, leafCount, MemoryMarshal.AsBytes(proof), root);
}
