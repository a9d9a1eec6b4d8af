using System.Buffers.Binary;
using Fast.Core.Codec;
using Fast.Core.Primitives;

namespace Fast.Core.Shreds;

/// <summary>What two conflicting shreds of one leader share (the evidence's conflict byte).</summary>
public enum DuplicateShredConflict : byte
{
    /// <summary>Same slot, shred index and kind, under two different signed roots.</summary>
    SameShred = 1,

    /// <summary>Same slot and fec_set_index, under two different signed roots (any index or kind).</summary>
    SameFecSet = 2,

    /// <summary>
    /// The first shred is a data shred that ends its FEC set (LAST_IN_FEC_SET at index i); the second
    /// belongs to the set starting at i + 1 but chains another root than the first shred's set.
    /// </summary>
    ChainedRoot = 3,

    /// <summary>
    /// The first shred is the slot's last (LAST_IN_SLOT at index i); the second lies past it: a data
    /// shred with index &gt; i, or a coding shred of a set with fec_set_index &gt; i.
    /// </summary>
    LastInSlot = 4,
}

/// <summary>
/// Equivocation evidence read in place (layout: <see cref="DuplicateShredEvidence"/>, docs/wire-format.md
/// "Duplicate-shred evidence"). The decoder checks the structure only — version, conflict kind,
/// both shreds well-formed, of the evidence's slot, placed as the conflict says, in canonical
/// order — and never throws; <see cref="DuplicateShredEvidence.Verify"/> then checks the
/// leader's two signatures and the conflict between what they signed.
/// </summary>
public readonly ref struct DuplicateShredEvidenceView
{
    private DuplicateShredEvidenceView(ReadOnlySpan<byte> bytes, int secondLengthOffset)
    {
        Bytes = bytes;
        _secondLengthOffset = secondLengthOffset;
    }

    private readonly int _secondLengthOffset;

    /// <summary>The whole evidence, exactly.</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    public byte Version => Bytes[DuplicateShredEvidence.VersionOffset];

    public DuplicateShredConflict Conflict => (DuplicateShredConflict)Bytes[DuplicateShredEvidence.ConflictOffset];

    /// <summary>The leader the evidence accuses (a verifier compares it with the slot's scheduled leader).</summary>
    public Pubkey Leader => new(Bytes.Slice(DuplicateShredEvidence.LeaderOffset, Pubkey.Size));

    public ulong Slot => BinaryPrimitives.ReadUInt64LittleEndian(Bytes[DuplicateShredEvidence.SlotOffset..]);

    /// <summary>The first shred, exactly as the leader sent it (signature, headers, chained root, proof).</summary>
    public ReadOnlySpan<byte> First => Bytes.Slice(DuplicateShredEvidence.FirstShredOffset, _secondLengthOffset - DuplicateShredEvidence.FirstShredOffset);

    /// <summary>The second shred (bytewise greater than <see cref="First"/> in conflicts 1 and 2).</summary>
    public ReadOnlySpan<byte> Second => Bytes[(_secondLengthOffset + sizeof(ushort))..];

    /// <summary>Parses a buffer that must hold exactly one piece of evidence.</summary>
    public static DecodeResult TryParse(ReadOnlySpan<byte> buffer, out DuplicateShredEvidenceView evidence)
    {
        evidence = default;
        if (buffer.Length > DuplicateShredEvidence.MaxSize) return new DecodeResult(DecodeStatus.TooLarge, DuplicateShredEvidence.MaxSize);
        SpanReader reader = new(buffer);
        reader.TryReadU8(out byte version);
        reader.TryReadU8(out byte conflict);
        reader.TrySkip(Pubkey.Size);
        reader.TryReadU64(out ulong slot);
        if (!reader.IsOk) return reader.Result;
        if (version != DuplicateShredEvidence.CurrentVersion) return new DecodeResult(DecodeStatus.InvalidValue, DuplicateShredEvidence.VersionOffset);
        if (conflict is < (byte)DuplicateShredConflict.SameShred or > (byte)DuplicateShredConflict.LastInSlot)
        {
            return new DecodeResult(DecodeStatus.InvalidValue, DuplicateShredEvidence.ConflictOffset);
        }

        if (!TryReadShred(ref reader, slot, out ShredView first)) return reader.Result;
        int secondLengthOffset = reader.Position;
        if (!TryReadShred(ref reader, slot, out ShredView second) || !reader.ExpectEnd()) return reader.Result;

        int firstStart = DuplicateShredEvidence.FirstShredOffset, secondStart = secondLengthOffset + sizeof(ushort);
        switch ((DuplicateShredConflict)conflict)
        {
            case DuplicateShredConflict.SameShred:
                if (first.Kind != second.Kind) return new DecodeResult(DecodeStatus.InvalidValue, secondStart + ShredLayout.VariantOffset);
                if (first.Index != second.Index) return new DecodeResult(DecodeStatus.InvalidValue, secondStart + ShredLayout.IndexOffset);
                break;
            case DuplicateShredConflict.SameFecSet:
                if (first.FecSetIndex != second.FecSetIndex) return new DecodeResult(DecodeStatus.InvalidValue, secondStart + ShredLayout.FecSetIndexOffset);
                break;
            case DuplicateShredConflict.ChainedRoot:
                if (!first.IsData) return new DecodeResult(DecodeStatus.InvalidValue, firstStart + ShredLayout.VariantOffset);
                if (!first.IsLastInFecSet) return new DecodeResult(DecodeStatus.InvalidValue, firstStart + ShredLayout.FlagsOffset);
                if (second.FecSetIndex != first.Index + 1) return new DecodeResult(DecodeStatus.InvalidValue, secondStart + ShredLayout.FecSetIndexOffset);
                break;
            default:
                if (!first.IsData) return new DecodeResult(DecodeStatus.InvalidValue, firstStart + ShredLayout.VariantOffset);
                if (!first.IsLastInSlot) return new DecodeResult(DecodeStatus.InvalidValue, firstStart + ShredLayout.FlagsOffset);
                if (second.IsData ? second.Index <= first.Index : second.FecSetIndex <= first.Index)
                {
                    return new DecodeResult(DecodeStatus.InvalidValue, secondStart + (second.IsData ? ShredLayout.IndexOffset : ShredLayout.FecSetIndexOffset));
                }
                break;
        }
        // One encoding per value: in conflicts 1 and 2 the bytewise smaller shred comes first (equal
        // shreds prove nothing); in 3 and 4 the order is by role and the shreds differ by construction.
        bool symmetric = conflict <= (byte)DuplicateShredConflict.SameFecSet;
        if (symmetric && first.Bytes.SequenceCompareTo(second.Bytes) >= 0) return new DecodeResult(DecodeStatus.InvalidValue, secondLengthOffset);
        evidence = new DuplicateShredEvidenceView(buffer, secondLengthOffset);
        return DecodeResult.Success;
    }

    /// <summary>Reads u16 length ‖ shred; the shred must parse and belong to <paramref name="slot"/>.</summary>
    private static bool TryReadShred(ref SpanReader reader, ulong slot, out ShredView shred)
    {
        shred = default;
        int lengthOffset = reader.Position;
        if (!reader.TryReadU16(out ushort length)) return false;
        if (length != ShredLayout.DataShredSize && length != ShredLayout.CodingShredSize) return reader.Fail(DecodeStatus.InvalidValue, lengthOffset);
        int start = reader.Position;
        if (!reader.TryReadBytes(length, out ReadOnlySpan<byte> bytes)) return false;
        DecodeResult parsed = ShredView.TryParse(bytes, out shred);
        if (!parsed.IsOk) return reader.Fail(parsed.Status, start + parsed.Offset);
        if (shred.Slot != slot) return reader.Fail(DecodeStatus.InvalidValue, start + ShredLayout.SlotOffset);
        return true;
    }
}
