namespace Fast.Core.Shreds;

/// <summary>
/// The fixed geometry of a shred: the unit a leader's block is cut into, signed, erasure-coded and
/// sent over Turbine in one UDP packet. Every offset here is from the start of the shred. Both kinds
/// have a fixed length (Reed-Solomon needs equal shards): a data shred is 1,203 bytes and a coding
/// shred 1,228 (Agave's Merkle-shred sizes; 1,228 + a 4-byte repair nonce = the 1,232-byte packet).
/// <code>
/// common (83):  signature(64) | u8 variant | u64 slot | u32 index | u16 version | u32 fec_set_index
/// data (+5):    u16 parent_offset | u8 flags | u16 size | data area (capacity) | chained root(32) | proof
/// coding (+6):  u16 num_data | u16 num_coding | u16 position | parity (shard size) | chained root(32) | proof
/// </code>
/// variant = kind (high nibble: 0x8 data, 0x4 coding) | proof depth (low nibble, 1..7). A FEC set
/// has exactly 2^depth shreds (num_data + num_coding), so every shred's Merkle path has exactly
/// depth 32-byte siblings and a data shred can be verified on its own. The chained root is the
/// previous FEC set's Merkle root (the parent block's id for a slot's first set): it sits inside
/// what the Merkle leaf hashes, so the leader's signed root commits to the whole chain, but outside
/// the erasure shard (like the signature it is the same for the whole set, so it is not coded).
/// </summary>
public static class ShredLayout
{
    /// <summary>One UDP packet (IPv6 minimum MTU − headers), as for transactions.</summary>
    public const int MaxShredSize = 1232;

    public const int DataShredSize = 1203;
    public const int CodingShredSize = 1228;

    public const int SignatureOffset = 0;
    public const int SignatureSize = 64;
    public const int VariantOffset = 64;
    public const int SlotOffset = 65;
    public const int IndexOffset = 73;
    public const int VersionOffset = 77;
    public const int FecSetIndexOffset = 79;
    public const int CommonHeaderSize = 83;

    public const int ParentOffsetOffset = 83;
    public const int FlagsOffset = 85;
    public const int SizeOffset = 86;
    /// <summary>Where a data shred's data area starts: the common header + the 5-byte data header.</summary>
    public const int DataOffset = 88;

    public const int NumDataOffset = 83;
    public const int NumCodingOffset = 85;
    public const int PositionOffset = 87;
    /// <summary>Where a coding shred's parity starts: the common header + the 6-byte coding header.</summary>
    public const int ParityOffset = 89;

    /// <summary>The previous FEC set's Merkle root, 32 bytes right before the proof.</summary>
    public const int ChainedRootSize = 32;

    /// <summary>A proof sibling is a whole SHA-256 node (not truncated): docs/wire-format.md says why.</summary>
    public const int ProofEntrySize = 32;

    public const int MinProofDepth = 1;

    /// <summary>At most 2^7 = 128 shreds per FEC set.</summary>
    public const int MaxProofDepth = 7;

    /// <summary>The default FEC set: 32 data + 32 coding shreds, a depth-6 tree.</summary>
    public const int DefaultDataShreds = 32;
    public const int DefaultCodingShreds = 32;
    public const int DefaultProofDepth = 6;

    /// <summary>Shred indexes (data and coding alike) stay below this per slot (Agave: MAX_DATA_SHREDS_PER_SLOT).</summary>
    public const uint MaxShredsPerSlot = 32_768;

    /// <summary>Bytes a data shred can carry at this proof depth (891 at the default depth 6; the chained root took 32).</summary>
    public static int DataCapacity(int proofDepth) => DataShredSize - DataOffset - ChainedRootSize - proofDepth * ProofEntrySize;

    /// <summary>
    /// Bytes that Reed-Solomon codes: a data shred from after its signature to the end of its data
    /// area, which is also the size of a coding shred's parity (915 at depth 6). Signature, chained
    /// root and proof are not coded (the first two are the same for the whole set; proofs are
    /// recomputed from the recovered tree).
    /// </summary>
    public static int ErasureShardSize(int proofDepth) => DataShredSize - SignatureSize - ChainedRootSize - proofDepth * ProofEntrySize;

    public static int ShredSize(ShredKind kind) => kind == ShredKind.Data ? DataShredSize : CodingShredSize;

    /// <summary>Where the Merkle proof starts in a shred of this kind and depth (it runs to the end).</summary>
    public static int ProofOffset(ShredKind kind, int proofDepth) => ShredSize(kind) - proofDepth * ProofEntrySize;

    /// <summary>Where the chained root (the previous FEC set's root) sits in a shred of this kind and depth.</summary>
    public static int ChainedRootOffset(ShredKind kind, int proofDepth) => ProofOffset(kind, proofDepth) - ChainedRootSize;

    public static byte Variant(ShredKind kind, int proofDepth) => (byte)((byte)kind | proofDepth);
}

/// <summary>What a shred carries: block data, or Reed-Solomon parity over its FEC set's data shreds. The value is the variant's high nibble.</summary>
public enum ShredKind : byte
{
    Coding = 0x40,
    Data = 0x80,
}

/// <summary>A data shred's flags; every other bit is reserved and a shred that sets one is rejected.</summary>
[Flags]
public enum ShredFlags : byte
{
    None = 0,

    /// <summary>The last data shred of its FEC set.</summary>
    LastInFecSet = 0x01,

    /// <summary>The last data shred of the slot (always also <see cref="LastInFecSet"/>).</summary>
    LastInSlot = 0x02,

    /// <summary>Both defined bits; anything outside is reserved.</summary>
    Defined = LastInFecSet | LastInSlot,
}
