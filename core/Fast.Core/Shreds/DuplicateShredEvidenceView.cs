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
}

/// <summary>
/// Equivocation evidence read in place (layout: <see cref="DuplicateShredEvidence"/>, docs/wire-format.md
/// "Duplicate-shred evidence"). The decoder checks the structure only — version, conflict kind,
/// both shreds well-formed, of the evidence's slot, sharing what the conflict says, in canonical
/// order — and never throws; <see cref="DuplicateShredEvidence.Verify"/> then checks the
/// leader's two signatures and that the signed roots differ.
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

    /// <summary>The second shred; bytewise greater than <see cref="First"/>.</summary>
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
        if (conflict is not ((byte)DuplicateShredConflict.SameShred or (byte)DuplicateShredConflict.SameFecSet))
        {
            return new DecodeResult(DecodeStatus.InvalidValue, DuplicateShredEvidence.ConflictOffset);
        }

        if (!TryReadShred(ref reader, slot, out ShredView first)) return reader.Result;
        int secondLengthOffset = reader.Position;
        if (!TryReadShred(ref reader, slot, out ShredView second) || !reader.ExpectEnd()) return reader.Result;

        int secondStart = secondLengthOffset + sizeof(ushort);
        var kind = (DuplicateShredConflict)conflict;
        if (kind == DuplicateShredConflict.SameShred)
        {
            if (first.Kind != second.Kind) return new DecodeResult(DecodeStatus.InvalidValue, secondStart + ShredLayout.VariantOffset);
            if (first.Index != second.Index) return new DecodeResult(DecodeStatus.InvalidValue, secondStart + ShredLayout.IndexOffset);
        }
        else if (first.FecSetIndex != second.FecSetIndex)
        {
            return new DecodeResult(DecodeStatus.InvalidValue, secondStart + ShredLayout.FecSetIndexOffset);
        }
        // One encoding per value: the bytewise smaller shred comes first (equal shreds prove nothing).
        if (first.Bytes.SequenceCompareTo(second.Bytes) >= 0) return new DecodeResult(DecodeStatus.InvalidValue, secondLengthOffset);
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
