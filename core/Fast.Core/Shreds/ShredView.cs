using System.Buffers.Binary;
using Fast.Core.Codec;
using Fast.Core.Merkle;
using Fast.Core.Primitives;

namespace Fast.Core.Shreds;

/// <summary>
/// A shred read in place from the packet it arrived in (layout: <see cref="ShredLayout"/>). Every
/// header field is checked once, when the view is made; the accessors then read fixed offsets.
/// What a shred fetch stage does with it: <see cref="VerifyLeaderSignature"/> (recompute the FEC
/// set's Merkle root from this shred's proof, check the leader's signature over it), then
/// retransmit, then hand the data to the FEC/blockstore stage.
/// Rules beyond lengths: the variant is data or coding with a proof depth of 1..7; indexes are below
/// 32,768; a data shred sits inside its FEC set (fec_set_index ≤ index &lt; fec_set_index + 2^depth − 1),
/// points at a parent no later than its slot (only slot 0 is its own parent), sets no reserved flag
/// (and last-in-slot only with last-in-FEC-set), uses at most its capacity and zero-fills the rest;
/// a coding shred has num_data, num_coding ≥ 1 with num_data + num_coding = 2^depth and
/// position &lt; num_coding.
/// </summary>
public readonly ref struct ShredView
{
    private ShredView(ReadOnlySpan<byte> bytes, ShredKind kind, int proofDepth, int leafIndex)
    {
        Bytes = bytes;
        Kind = kind;
        ProofDepth = proofDepth;
        LeafIndex = leafIndex;
    }

    /// <summary>The whole shred, exactly.</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    public ShredKind Kind { get; }

    public bool IsData => Kind == ShredKind.Data;

    public bool IsCoding => Kind == ShredKind.Coding;

    /// <summary>Siblings in this shred's Merkle proof; the FEC set has 2^depth shreds.</summary>
    public int ProofDepth { get; }

    /// <summary>Shreds in this shred's FEC set (data + coding): the Merkle tree's leaf count.</summary>
    public int FecSetSize => 1 << ProofDepth;

    /// <summary>This shred's leaf in the FEC set's Merkle tree: data shreds first (index − fec_set_index), then coding shreds (num_data + position).</summary>
    public int LeafIndex { get; }

    public byte Variant => Bytes[ShredLayout.VariantOffset];

    /// <summary>The leader's signature over the FEC set's Merkle root (domain-tagged: <see cref="ShredRootSignature"/>).</summary>
    public ReadOnlySpan<byte> SignatureBytes => Bytes[..ShredLayout.SignatureSize];

    public Signature Signature => new(SignatureBytes);

    public ulong Slot => BinaryPrimitives.ReadUInt64LittleEndian(Bytes[ShredLayout.SlotOffset..]);

    public uint Index => BinaryPrimitives.ReadUInt32LittleEndian(Bytes[ShredLayout.IndexOffset..]);

    public ushort Version => BinaryPrimitives.ReadUInt16LittleEndian(Bytes[ShredLayout.VersionOffset..]);

    /// <summary>The data index of the FEC set's first data shred.</summary>
    public uint FecSetIndex => BinaryPrimitives.ReadUInt32LittleEndian(Bytes[ShredLayout.FecSetIndexOffset..]);

    // Data shreds only (0 / empty on a coding shred).

    public ushort ParentOffset => IsData ? BinaryPrimitives.ReadUInt16LittleEndian(Bytes[ShredLayout.ParentOffsetOffset..]) : (ushort)0;

    /// <summary>The slot this block builds on: slot − parent_offset (checked not to underflow).</summary>
    public ulong ParentSlot => Slot - ParentOffset;

    public ShredFlags Flags => IsData ? (ShredFlags)Bytes[ShredLayout.FlagsOffset] : ShredFlags.None;

    public bool IsLastInFecSet => (Flags & ShredFlags.LastInFecSet) != 0;

    public bool IsLastInSlot => (Flags & ShredFlags.LastInSlot) != 0;

    /// <summary>How many bytes of the data area are used.</summary>
    public int DataSize => IsData ? BinaryPrimitives.ReadUInt16LittleEndian(Bytes[ShredLayout.SizeOffset..]) : 0;

    /// <summary>The block bytes this data shred carries (a slice of the entries of its slot).</summary>
    public ReadOnlySpan<byte> Data => IsData ? Bytes.Slice(ShredLayout.DataOffset, DataSize) : default;

    // Coding shreds only (0 / empty on a data shred).

    public int NumData => IsCoding ? BinaryPrimitives.ReadUInt16LittleEndian(Bytes[ShredLayout.NumDataOffset..]) : 0;

    public int NumCoding => IsCoding ? BinaryPrimitives.ReadUInt16LittleEndian(Bytes[ShredLayout.NumCodingOffset..]) : 0;

    /// <summary>Which coding shred of the set this is (0..num_coding − 1).</summary>
    public int Position => IsCoding ? BinaryPrimitives.ReadUInt16LittleEndian(Bytes[ShredLayout.PositionOffset..]) : 0;

    public ReadOnlySpan<byte> Parity => IsCoding ? Bytes.Slice(ShredLayout.ParityOffset, ShredLayout.ErasureShardSize(ProofDepth)) : default;

    // Both kinds.

    /// <summary>The previous FEC set's Merkle root (the parent block's id in a slot's first set); the leaf hashes it, so the signed root commits to it.</summary>
    public Hash ChainedRoot => new(Bytes.Slice(ShredLayout.ChainedRootOffset(Kind, ProofDepth), ShredLayout.ChainedRootSize));

    /// <summary>The bytes Reed-Solomon codes: a data shred's [64, end of data area), a coding shred's parity.</summary>
    public ReadOnlySpan<byte> ErasureShard => IsData
        ? Bytes.Slice(ShredLayout.SignatureSize, ShredLayout.ErasureShardSize(ProofDepth))
        : Parity;

    /// <summary>What the Merkle leaf hashes: everything after the signature and before the proof (the chained root included).</summary>
    public ReadOnlySpan<byte> LeafData => Bytes[ShredLayout.SignatureSize..ShredLayout.ProofOffset(Kind, ProofDepth)];

    /// <summary>The proof's siblings, bottom up, as concatenated 32-byte hashes.</summary>
    public ReadOnlySpan<byte> Proof => Bytes[ShredLayout.ProofOffset(Kind, ProofDepth)..];

    public Hash ComputeLeaf() => MerkleTree.HashLeaf(LeafData);

    /// <summary>The FEC set root this shred's proof leads to (what the leader signed, if the shred is genuine).</summary>
    public Hash ComputeRoot()
    {
        // Cannot fail: the parse checked the proof length against the depth and the leaf index.
        MerkleTree.TryComputeRootFromProof(ComputeLeaf(), LeafIndex, FecSetSize, Proof, out Hash root);
        return root;
    }

    /// <summary>True when this shred's proof leads to <paramref name="root"/> (e.g. a root already verified for its FEC set).</summary>
    public bool VerifyProof(in Hash root) => ComputeRoot() == root;

    /// <summary>
    /// Recomputes the FEC set root from this shred and checks the leader's Schnorr signature over it
    /// (over <c>tag ‖ root</c>, the shred-root signing domain: <see cref="ShredRootSignature"/>).
    /// <paramref name="root"/> is returned either way, so a caller can cache verified roots per FEC
    /// set and check later shreds of the set with <see cref="VerifyProof"/> (one hash path, no signature).
    /// </summary>
    public bool VerifyLeaderSignature(ReadOnlySpan<byte> leaderPubkey, out Hash root)
    {
        root = ComputeRoot();
        return ShredRootSignature.Verify(leaderPubkey, root, SignatureBytes);
    }

    /// <summary>Parses a buffer that must hold exactly one shred.</summary>
    public static DecodeResult TryParse(ReadOnlySpan<byte> buffer, out ShredView shred)
    {
        shred = default;
        if (buffer.Length > ShredLayout.MaxShredSize) return new DecodeResult(DecodeStatus.TooLarge, ShredLayout.MaxShredSize);
        SpanReader reader = new(buffer);
        reader.TrySkip(ShredLayout.SignatureSize);
        reader.TryReadU8(out byte variant);
        reader.TryReadU64(out ulong slot);
        reader.TryReadU32(out uint index);
        reader.TrySkip(sizeof(ushort));
        reader.TryReadU32(out uint fecSetIndex);
        if (!reader.IsOk) return reader.Result;

        var kind = (ShredKind)(variant & 0xF0);
        int depth = variant & 0x0F;
        if ((kind != ShredKind.Data && kind != ShredKind.Coding) || depth < ShredLayout.MinProofDepth || depth > ShredLayout.MaxProofDepth)
        {
            return new DecodeResult(DecodeStatus.InvalidValue, ShredLayout.VariantOffset);
        }
        if (index >= ShredLayout.MaxShredsPerSlot) return new DecodeResult(DecodeStatus.IndexOutOfRange, ShredLayout.IndexOffset);
        if (fecSetIndex >= ShredLayout.MaxShredsPerSlot) return new DecodeResult(DecodeStatus.IndexOutOfRange, ShredLayout.FecSetIndexOffset);

        int leafCount = 1 << depth;
        int leafIndex;
        if (kind == ShredKind.Data)
        {
            // At least one coding shred follows the data shreds, so a data leaf is below 2^depth − 1.
            if (index < fecSetIndex || index - fecSetIndex >= (uint)(leafCount - 1))
            {
                return new DecodeResult(DecodeStatus.IndexOutOfRange, ShredLayout.IndexOffset);
            }
            leafIndex = (int)(index - fecSetIndex);
            if (!TryReadDataHeader(ref reader, slot, depth)) return reader.Result;
        }
        else
        {
            if (!TryReadCodingHeader(ref reader, leafCount, out leafIndex)) return reader.Result;
            if (!reader.TrySkip(ShredLayout.ErasureShardSize(depth))) return reader.Result;
        }
        // The chained root may be any 32 bytes: only the chain (the deshredder, replay) can judge it.
        if (!reader.TrySkip(ShredLayout.ChainedRootSize)) return reader.Result;
        if (!reader.TrySkip(depth * ShredLayout.ProofEntrySize) || !reader.ExpectEnd()) return reader.Result;
        shred = new ShredView(buffer, kind, depth, leafIndex);
        return DecodeResult.Success;
    }

    private static bool TryReadDataHeader(ref SpanReader reader, ulong slot, int depth)
    {
        reader.TryReadU16(out ushort parentOffset);
        reader.TryReadU8(out byte flags);
        reader.TryReadU16(out ushort size);
        if (!reader.IsOk) return false;
        // Slot 0 (genesis) is the only slot that is its own parent.
        if (parentOffset > slot || (parentOffset == 0 && slot != 0)) return reader.Fail(DecodeStatus.InvalidValue, ShredLayout.ParentOffsetOffset);
        var parsedFlags = (ShredFlags)flags;
        if ((parsedFlags & ~ShredFlags.Defined) != 0 || parsedFlags == ShredFlags.LastInSlot)
        {
            return reader.Fail(DecodeStatus.InvalidValue, ShredLayout.FlagsOffset);
        }
        int capacity = ShredLayout.DataCapacity(depth);
        if (size > capacity) return reader.Fail(DecodeStatus.LengthTooLarge, ShredLayout.SizeOffset);
        if (!reader.TryReadBytes(capacity, out ReadOnlySpan<byte> area)) return false;
        // One encoding per shred: the unused tail of the data area is zero.
        int nonZero = area[size..].IndexOfAnyExcept((byte)0);
        return nonZero < 0 || reader.Fail(DecodeStatus.InvalidValue, ShredLayout.DataOffset + size + nonZero);
    }

    private static bool TryReadCodingHeader(ref SpanReader reader, int leafCount, out int leafIndex)
    {
        leafIndex = 0;
        reader.TryReadU16(out ushort numData);
        reader.TryReadU16(out ushort numCoding);
        reader.TryReadU16(out ushort position);
        if (!reader.IsOk) return false;
        if (numData == 0) return reader.Fail(DecodeStatus.InvalidValue, ShredLayout.NumDataOffset);
        if (numCoding == 0) return reader.Fail(DecodeStatus.InvalidValue, ShredLayout.NumCodingOffset);
        if (numData + numCoding != leafCount) return reader.Fail(DecodeStatus.CountMismatch, ShredLayout.NumDataOffset);
        if (position >= numCoding) return reader.Fail(DecodeStatus.IndexOutOfRange, ShredLayout.PositionOffset);
        leafIndex = numData + position;
        return true;
    }
}
