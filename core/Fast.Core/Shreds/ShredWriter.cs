using System.Buffers.Binary;
using Fast.Core.Primitives;

namespace Fast.Core.Shreds;

/// <summary>
/// The header fields every shred carries (besides the signature and the variant), and the chained
/// root: the previous FEC set's Merkle root (for a slot's first set, the parent block's id; zero for
/// a block with no parent block), the same in every shred of a set.
/// </summary>
public readonly record struct ShredCommonHeader(ulong Slot, uint Index, ushort Version, uint FecSetIndex, Hash ChainedRoot = default);

/// <summary>
/// Encodes shreds (the mirror of <see cref="ShredView"/>), zero allocation. A shred is written in
/// three steps, as a shredder produces them: the headers and body (<see cref="WriteData"/> /
/// <see cref="WriteCoding"/>, chained root included, signature and proof left zero), then the Merkle
/// proof once the FEC set's tree is known (<see cref="WriteProof"/>), then the leader's signature
/// over the domain-tagged root (<see cref="WriteSignature"/>). <see cref="FecSetMerkle.Seal"/> does the last two for a whole set.
/// Arguments that would make an invalid shred are bugs and throw.
/// </summary>
public static class ShredWriter
{
    /// <summary>Writes a data shred (1,203 bytes) into the start of <paramref name="destination"/>; returns its length.</summary>
    public static int WriteData(Span<byte> destination, in ShredCommonHeader header, int proofDepth, ushort parentOffset, ShredFlags flags,
        ReadOnlySpan<byte> data)
    {
        CheckDepth(proofDepth);
        if (data.Length > ShredLayout.DataCapacity(proofDepth)) ThrowHelper.ThrowArgument(nameof(data), "more than the data capacity at this depth");
        if ((flags & ~ShredFlags.Defined) != 0 || flags == ShredFlags.LastInSlot) ThrowHelper.ThrowArgument(nameof(flags), "reserved bits, or last-in-slot without last-in-FEC-set");
        if (parentOffset > header.Slot || (parentOffset == 0 && header.Slot != 0)) ThrowHelper.ThrowArgument(nameof(parentOffset), "parent must be an earlier slot");
        if (header.Index < header.FecSetIndex || header.Index - header.FecSetIndex >= (uint)((1 << proofDepth) - 1) || header.Index >= ShredLayout.MaxShredsPerSlot)
        {
            ThrowHelper.ThrowArgument(nameof(header), "index outside its FEC set");
        }
        Span<byte> shred = Exact(destination, ShredLayout.DataShredSize);
        WriteCommon(shred, header, ShredKind.Data, proofDepth);
        BinaryPrimitives.WriteUInt16LittleEndian(shred[ShredLayout.ParentOffsetOffset..], parentOffset);
        shred[ShredLayout.FlagsOffset] = (byte)flags;
        BinaryPrimitives.WriteUInt16LittleEndian(shred[ShredLayout.SizeOffset..], (ushort)data.Length);
        data.CopyTo(shred[ShredLayout.DataOffset..]);
        shred[(ShredLayout.DataOffset + data.Length)..].Clear();
        header.ChainedRoot.CopyTo(shred.Slice(ShredLayout.ChainedRootOffset(ShredKind.Data, proofDepth), ShredLayout.ChainedRootSize));
        return ShredLayout.DataShredSize;
    }

    /// <summary>
    /// Writes a coding shred (1,228 bytes); its depth follows from num_data + num_coding (a power of
    /// two). <paramref name="parity"/> is exactly <see cref="ShredLayout.ErasureShardSize"/> bytes, or
    /// empty to zero-fill the parity for a coder to write in place later (<see cref="ParityRegion"/>).
    /// </summary>
    public static int WriteCoding(Span<byte> destination, in ShredCommonHeader header, int numData, int numCoding, int position,
        ReadOnlySpan<byte> parity)
    {
        int total = numData + numCoding;
        if (numData < 1 || numCoding < 1 || (total & (total - 1)) != 0) ThrowHelper.ThrowArgument(nameof(numCoding), "num_data, num_coding ≥ 1 and their sum a power of two");
        int proofDepth = System.Numerics.BitOperations.Log2((uint)total);
        CheckDepth(proofDepth);
        if ((uint)position >= (uint)numCoding) ThrowHelper.ThrowArgument(nameof(position), "must be below num_coding");
        if (header.Index >= ShredLayout.MaxShredsPerSlot || header.FecSetIndex >= ShredLayout.MaxShredsPerSlot) ThrowHelper.ThrowArgument(nameof(header), "index past the per-slot maximum");
        int shardSize = ShredLayout.ErasureShardSize(proofDepth);
        if (!parity.IsEmpty && parity.Length != shardSize) ThrowHelper.ThrowArgument(nameof(parity), "must be empty or exactly the erasure shard size");

        Span<byte> shred = Exact(destination, ShredLayout.CodingShredSize);
        WriteCommon(shred, header, ShredKind.Coding, proofDepth);
        BinaryPrimitives.WriteUInt16LittleEndian(shred[ShredLayout.NumDataOffset..], (ushort)numData);
        BinaryPrimitives.WriteUInt16LittleEndian(shred[ShredLayout.NumCodingOffset..], (ushort)numCoding);
        BinaryPrimitives.WriteUInt16LittleEndian(shred[ShredLayout.PositionOffset..], (ushort)position);
        Span<byte> region = shred.Slice(ShredLayout.ParityOffset, shardSize);
        if (parity.IsEmpty) region.Clear();
        else parity.CopyTo(region);
        shred[(ShredLayout.ParityOffset + shardSize)..].Clear();
        header.ChainedRoot.CopyTo(shred.Slice(ShredLayout.ChainedRootOffset(ShredKind.Coding, proofDepth), ShredLayout.ChainedRootSize));
        return ShredLayout.CodingShredSize;
    }

    /// <summary>A written coding shred's parity bytes, for a Reed-Solomon coder to fill in place.</summary>
    public static Span<byte> ParityRegion(Span<byte> codingShred) =>
        codingShred.Slice(ShredLayout.ParityOffset, ShredLayout.ErasureShardSize(DepthOf(codingShred)));

    /// <summary>Writes <paramref name="proof"/> (bottom-up siblings; exactly the shred's depth of them) at the end of a written shred.</summary>
    public static void WriteProof(Span<byte> shred, ReadOnlySpan<Hash> proof)
    {
        int depth = DepthOf(shred);
        if (proof.Length != depth) ThrowHelper.ThrowArgument(nameof(proof), "must hold exactly the shred's proof depth of hashes");
        Span<byte> region = shred[ShredLayout.ProofOffset(KindOf(shred), depth)..ShredLayout.ShredSize(KindOf(shred))];
        for (int i = 0; i < proof.Length; i++) proof[i].CopyTo(region.Slice(i * ShredLayout.ProofEntrySize, ShredLayout.ProofEntrySize));
    }

    public static void WriteSignature(Span<byte> shred, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != ShredLayout.SignatureSize) ThrowHelper.ThrowLength(nameof(signature), ShredLayout.SignatureSize);
        signature.CopyTo(shred);
    }

    /// <summary>The kind of a shred this writer produced (trusted bytes; parse hostile ones with <see cref="ShredView.TryParse"/>).</summary>
    internal static ShredKind KindOf(ReadOnlySpan<byte> shred)
    {
        var kind = (ShredKind)(shred[ShredLayout.VariantOffset] & 0xF0);
        if (kind != ShredKind.Data && kind != ShredKind.Coding) ThrowHelper.ThrowArgument(nameof(shred), "not a shred written by ShredWriter");
        return kind;
    }

    internal static int DepthOf(ReadOnlySpan<byte> shred)
    {
        int depth = shred[ShredLayout.VariantOffset] & 0x0F;
        CheckDepth(depth);
        if (shred.Length < ShredLayout.ShredSize(KindOf(shred))) ThrowHelper.ThrowArgument(nameof(shred), "shorter than its kind's size");
        return depth;
    }

    private static void WriteCommon(Span<byte> shred, in ShredCommonHeader header, ShredKind kind, int proofDepth)
    {
        shred[..ShredLayout.SignatureSize].Clear();
        shred[ShredLayout.VariantOffset] = ShredLayout.Variant(kind, proofDepth);
        BinaryPrimitives.WriteUInt64LittleEndian(shred[ShredLayout.SlotOffset..], header.Slot);
        BinaryPrimitives.WriteUInt32LittleEndian(shred[ShredLayout.IndexOffset..], header.Index);
        BinaryPrimitives.WriteUInt16LittleEndian(shred[ShredLayout.VersionOffset..], header.Version);
        BinaryPrimitives.WriteUInt32LittleEndian(shred[ShredLayout.FecSetIndexOffset..], header.FecSetIndex);
    }

    private static Span<byte> Exact(Span<byte> destination, int size)
    {
        if (destination.Length < size) ThrowHelper.ThrowArgument(nameof(destination), "shorter than the shred");
        return destination[..size];
    }

    private static void CheckDepth(int proofDepth)
    {
        if (proofDepth < ShredLayout.MinProofDepth || proofDepth > ShredLayout.MaxProofDepth)
        {
            ThrowHelper.ThrowArgument(nameof(proofDepth), "must be 1..7 (2 to 128 shreds per FEC set)");
        }
    }
}
