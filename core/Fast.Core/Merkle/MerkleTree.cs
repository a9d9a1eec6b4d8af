using System.Buffers;
using System.Runtime.CompilerServices;
using Fast.Core.Primitives;
using Fast.Crypto;

namespace Fast.Core.Merkle;

/// <summary>
/// SHA-256 Merkle trees with domain separation: leaf = sha256(0x00 ‖ data), node =
/// sha256(0x01 ‖ left ‖ right); an odd node at the end of a level is promoted unchanged. Used for
/// an entry's transaction hash (the PoH mixin), FEC-set roots, and transaction inclusion proofs.
/// The root of zero leaves is <see cref="Hash.Zero"/>.
/// </summary>
public static partial class MerkleTree
{
    public const byte LeafPrefix = 0x00;
    public const byte NodePrefix = 0x01;

    /// <summary>Data up to this size is hashed from a stack buffer; larger leaves rent one.</summary>
    private const int StackLeafBytes = 1536;

    [SkipLocalsInit] // the stack buffer is written before it is read; zeroing 1.5 KB per leaf is waste
    public static Hash HashLeaf(ReadOnlySpan<byte> data)
    {
        int length = data.Length + 1;
        byte[]? rented = length > StackLeafBytes ? ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> buffer = rented is null ? stackalloc byte[StackLeafBytes] : rented;
        buffer[0] = LeafPrefix;
        data.CopyTo(buffer[1..]);
        Span<byte> digest = stackalloc byte[Hash.Size];
        Sha256Kernel.Hash(buffer[..length], digest);
        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        return new Hash(digest);
    }

    [SkipLocalsInit]
    public static Hash HashNode(in Hash left, in Hash right)
    {
        Span<byte> buffer = stackalloc byte[1 + 2 * Hash.Size];
        buffer[0] = NodePrefix;
        left.CopyTo(buffer.Slice(1, Hash.Size));
        right.CopyTo(buffer.Slice(1 + Hash.Size, Hash.Size));
        Span<byte> digest = stackalloc byte[Hash.Size];
        Sha256Kernel.Hash(buffer, digest);
        return new Hash(digest);
    }

    /// <summary>
    /// The root over already-hashed leaves. <paramref name="levels"/> is overwritten as scratch
    /// (pass the leaf array itself when it may be destroyed).
    /// </summary>
    public static Hash ComputeRootInPlace(Span<Hash> levels)
    {
        int count = levels.Length;
        if (count == 0) return Hash.Zero;
        while (count > 1)
        {
            int next = 0;
            for (int i = 0; i < count; i += 2)
            {
                levels[next++] = i + 1 < count ? HashNode(levels[i], levels[i + 1]) : levels[i];
            }
            count = next;
        }
        return levels[0];
    }

    /// <summary>The root over already-hashed leaves, leaving them intact (pooled scratch, no steady-state allocation).</summary>
    public static Hash ComputeRoot(ReadOnlySpan<Hash> leafHashes)
    {
        if (leafHashes.IsEmpty) return Hash.Zero;
        Hash[] scratch = ArrayPool<Hash>.Shared.Rent(leafHashes.Length);
        try
        {
            Span<Hash> levels = scratch.AsSpan(0, leafHashes.Length);
            leafHashes.CopyTo(levels);
            return ComputeRootInPlace(levels);
        }
        finally
        {
            ArrayPool<Hash>.Shared.Return(scratch);
        }
    }
}
