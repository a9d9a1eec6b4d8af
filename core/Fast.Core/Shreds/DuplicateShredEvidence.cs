using System.Buffers.Binary;
using Fast.Core.Codec;
using Fast.Core.Primitives;

namespace Fast.Core.Shreds;

/// <summary>What <see cref="DuplicateShredEvidence.Verify"/> concluded.</summary>
public enum EvidenceVerdict : byte
{
    /// <summary>Both shreds carry the leader's valid signature over two different roots that conflict: the leader equivocated.</summary>
    Proven = 0,

    /// <summary>The bytes are not evidence (the <see cref="DecodeResult"/> says why).</summary>
    Malformed,

    /// <summary>The evidence accuses another key than the leader the verifier knows for the slot.</summary>
    WrongLeader,

    /// <summary>The first shred's signature does not verify under the leader's key.</summary>
    FirstSignatureInvalid,

    /// <summary>The second shred's signature does not verify under the leader's key.</summary>
    SecondSignatureInvalid,

    /// <summary>Both shreds prove the same root: one signed message (re-signed or re-proved), no equivocation.</summary>
    SameRoot,
}

/// <summary>
/// Proof that a slot's leader equivocated (issue 11 item 2; the slashing instruction of the programs
/// work verifies it): two shreds of one slot, each carrying the leader's signature over its FEC set's
/// root, whose roots differ although the shreds claim the same place — the same (slot, shred index,
/// kind), or the same (slot, fec_set_index). Each shred is its own signed message: the root is
/// recomputed from its leaf and Merkle proof, and the leaf holds slot, index and fec_set_index, so a
/// verifier that knows the leader's pubkey needs nothing else. Versioned, self-contained, canonical:
/// <code>
/// 0   u8 version (1)
/// 1   u8 conflict         1 = same (slot, index, kind), 2 = same (slot, fec_set_index)
/// 2   pubkey leader(32)
/// 34  u64 slot
/// 42  u16 length ‖ shred   first shred (1,203 data or 1,228 coding bytes)
///     u16 length ‖ shred   second shred; bytewise greater than the first
/// </code>
/// At most 2,502 bytes: larger than one packet, so gossip and a slashing transaction carry it in
/// pieces (docs/wire-format.md "Duplicate-shred evidence"). Writing allocates nothing.
/// </summary>
public static class DuplicateShredEvidence
{
    public const byte CurrentVersion = 1;

    public const int VersionOffset = 0;
    public const int ConflictOffset = 1;
    public const int LeaderOffset = 2;
    public const int SlotOffset = 34;
    public const int FirstShredOffset = 44;
    public const int HeaderSize = 42;

    /// <summary>Two coding shreds with their lengths: 2,502 bytes.</summary>
    public const int MaxSize = HeaderSize + 2 * (sizeof(ushort) + ShredLayout.CodingShredSize);

    /// <summary>
    /// Whether two shreds of hostile origin prove equivocation before any signature is checked: both
    /// parse, share a slot, lead to different roots, and share (index, kind) — <see cref="DuplicateShredConflict.SameShred"/>
    /// — or else fec_set_index — <see cref="DuplicateShredConflict.SameFecSet"/>. False for anything else.
    /// </summary>
    public static bool TryFindConflict(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, out DuplicateShredConflict conflict)
    {
        conflict = default;
        if (!ShredView.TryParse(first, out ShredView a).IsOk || !ShredView.TryParse(second, out ShredView b).IsOk) return false;
        if (a.Slot != b.Slot || a.ComputeRoot() == b.ComputeRoot()) return false;
        if (a.Kind == b.Kind && a.Index == b.Index) conflict = DuplicateShredConflict.SameShred;
        else if (a.FecSetIndex == b.FecSetIndex) conflict = DuplicateShredConflict.SameFecSet;
        else return false;
        return true;
    }

    /// <summary>
    /// Writes evidence of <paramref name="conflict"/> between two shreds (any order; the writer puts
    /// the bytewise smaller first) accusing <paramref name="leader"/>; returns its length. Shreds
    /// that do not show that conflict are a bug (check with <see cref="TryFindConflict"/>) and throw.
    /// </summary>
    public static int Write(Span<byte> destination, DuplicateShredConflict conflict, in Pubkey leader, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        if (!TryFindConflict(first, second, out DuplicateShredConflict found) || (found != conflict && conflict != DuplicateShredConflict.SameFecSet))
        {
            ThrowHelper.ThrowArgument(nameof(second), "the shreds do not show this conflict");
        }
        ShredView.TryParse(first, out ShredView a);
        ShredView.TryParse(second, out ShredView b);
        if (conflict == DuplicateShredConflict.SameFecSet && a.FecSetIndex != b.FecSetIndex) ThrowHelper.ThrowArgument(nameof(second), "not of one FEC set");
        if (first.SequenceCompareTo(second) > 0)
        {
            ReadOnlySpan<byte> swap = first;
            first = second;
            second = swap;
        }
        return Encode(destination, conflict, leader, a.Slot, first, second);
    }

    /// <summary>
    /// Lays the fields out as given, in the order given, with no check of what they prove (the
    /// fuzzer's re-encoder; <see cref="Write"/> is the checked entry point). Returns the length.
    /// </summary>
    public static int Encode(Span<byte> destination, DuplicateShredConflict conflict, in Pubkey leader, ulong slot, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        int length = HeaderSize + 2 * sizeof(ushort) + first.Length + second.Length;
        if (destination.Length < length) ThrowHelper.ThrowArgument(nameof(destination), "shorter than the evidence");
        destination[VersionOffset] = CurrentVersion;
        destination[ConflictOffset] = (byte)conflict;
        leader.CopyTo(destination.Slice(LeaderOffset, Pubkey.Size));
        BinaryPrimitives.WriteUInt64LittleEndian(destination[SlotOffset..], slot);
        int offset = WriteShred(destination, HeaderSize, first);
        WriteShred(destination, offset, second);
        return length;
    }

    private static int WriteShred(Span<byte> destination, int offset, ReadOnlySpan<byte> shred)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(destination[offset..], (ushort)shred.Length);
        shred.CopyTo(destination[(offset + sizeof(ushort))..]);
        return offset + sizeof(ushort) + shred.Length;
    }

    /// <summary>
    /// Checks evidence against the slot's <paramref name="leader"/> (from the leader schedule): it
    /// decodes, names that leader, both signatures verify over their recomputed roots (domain-tagged,
    /// <see cref="ShredRootSignature"/>), and the roots differ. <paramref name="decode"/> says why when
    /// the verdict is <see cref="EvidenceVerdict.Malformed"/>. Never throws on hostile bytes.
    /// </summary>
    public static EvidenceVerdict Verify(in Pubkey leader, ReadOnlySpan<byte> evidence, out DecodeResult decode)
    {
        decode = DuplicateShredEvidenceView.TryParse(evidence, out DuplicateShredEvidenceView view);
        if (!decode.IsOk) return EvidenceVerdict.Malformed;
        if (view.Leader != leader) return EvidenceVerdict.WrongLeader;
        ShredView.TryParse(view.First, out ShredView first);
        ShredView.TryParse(view.Second, out ShredView second);
        if (!first.VerifyLeaderSignature(leader.Span, out Hash firstRoot)) return EvidenceVerdict.FirstSignatureInvalid;
        if (!second.VerifyLeaderSignature(leader.Span, out Hash secondRoot)) return EvidenceVerdict.SecondSignatureInvalid;
        return firstRoot == secondRoot ? EvidenceVerdict.SameRoot : EvidenceVerdict.Proven;
    }
}
