using Fast.Core.Codec;
using Fast.Core.Primitives;

namespace Fast.Core.Merkle;

/// <summary>
/// A Merkle inclusion proof on the wire (what getTransactionProof returns), read in place:
/// <code>
/// u32 leaf_index | u32 leaf_count | u8 n | n × hash(32)      ← siblings, bottom up
/// </code>
/// Canonical rules: 1 ≤ leaf_count ≤ <see cref="MaxLeafCount"/>; leaf_index &lt; leaf_count; n is
/// exactly <see cref="MerkleTree.ProofLength"/>(leaf_index, leaf_count) (levels where the node is
/// promoted contribute no sibling); nothing follows. The leaf and the root travel beside the proof.
/// </summary>
public readonly ref struct MerkleProofView
{
    public const int HeaderSize = 4 + 4 + 1;

    /// <summary>Leaf counts are at most int.MaxValue, so a proof has at most 31 siblings.</summary>
    public const uint MaxLeafCount = int.MaxValue;

    public const int MaxEncodedLength = HeaderSize + MerkleTree.MaxProofLength * Hash.Size;

    private MerkleProofView(ReadOnlySpan<byte> bytes, int leafIndex, int leafCount, int siblingCount)
    {
        Bytes = bytes;
        LeafIndex = leafIndex;
        LeafCount = leafCount;
        SiblingCount = siblingCount;
    }

    /// <summary>The whole proof, exactly.</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    public int LeafIndex { get; }

    public int LeafCount { get; }

    public int SiblingCount { get; }

    /// <summary>The siblings, bottom up, as concatenated 32-byte hashes.</summary>
    public ReadOnlySpan<byte> Siblings => Bytes[HeaderSize..];

    public Hash GetSibling(int level) => new(Siblings.Slice(level * Hash.Size, Hash.Size));

    /// <summary>The root this proof leads to from <paramref name="leafHash"/>.</summary>
    public Hash ComputeRoot(in Hash leafHash)
    {
        MerkleTree.TryComputeRootFromProof(leafHash, LeafIndex, LeafCount, Siblings, out Hash root);
        return root;
    }

    public bool Verify(in Hash leafHash, in Hash root) => MerkleTree.VerifyProof(leafHash, LeafIndex, LeafCount, Siblings, root);

    /// <summary>Parses a buffer that must hold exactly one proof.</summary>
    public static DecodeResult TryParse(ReadOnlySpan<byte> buffer, out MerkleProofView proof)
    {
        proof = default;
        SpanReader reader = new(buffer);
        reader.TryReadU32(out uint leafIndex);
        reader.TryReadU32(out uint leafCount);
        reader.TryReadU8(out byte siblingCount);
        if (!reader.IsOk) return reader.Result;
        if (leafCount == 0) return new DecodeResult(DecodeStatus.InvalidValue, 4);
        if (leafCount > MaxLeafCount) return new DecodeResult(DecodeStatus.LengthTooLarge, 4);
        if (leafIndex >= leafCount) return new DecodeResult(DecodeStatus.IndexOutOfRange, 0);
        if (siblingCount != MerkleTree.ProofLength(leafIndex, leafCount)) return new DecodeResult(DecodeStatus.CountMismatch, 8);
        if (!reader.TrySkip(siblingCount * Hash.Size) || !reader.ExpectEnd()) return reader.Result;
        proof = new MerkleProofView(buffer, (int)leafIndex, (int)leafCount, siblingCount);
        return DecodeResult.Success;
    }
}

/// <summary>Encodes Merkle proofs (the mirror of <see cref="MerkleProofView"/>). Zero allocation.</summary>
public static class MerkleProofWriter
{
    public static int EncodedLength(int siblingCount) => MerkleProofView.HeaderSize + siblingCount * Hash.Size;

    /// <summary>
    /// Writes the proof of leaf <paramref name="leafIndex"/> of <paramref name="leafCount"/> with its
    /// <paramref name="siblings"/> (bottom up); throws when their number is not the proof length for that position.
    /// </summary>
    public static void Write(ref SpanWriter writer, int leafIndex, int leafCount, scoped ReadOnlySpan<Hash> siblings)
    {
        if (MerkleTree.ProofLength(leafIndex, leafCount) != siblings.Length)
        {
            ThrowHelper.ThrowArgument(nameof(siblings), "must hold exactly ProofLength(leafIndex, leafCount) hashes");
        }
        writer.WriteU32((uint)leafIndex);
        writer.WriteU32((uint)leafCount);
        writer.WriteU8((byte)siblings.Length);
        foreach (Hash sibling in siblings) writer.WriteHash(sibling);
    }
}
