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

    /// <summary>
    /// Both shreds are genuine but do not conflict: they prove the same root (one signed message,
    /// re-signed or re-proved; conflicts 1 and 2), or the second set does chain the first (conflict 3).
    /// </summary>
    NoConflict,
}

/// <summary>
/// Proof that a slot's leader equivocated (issue 11 item 2; the slashing instruction of the programs
/// work verifies it): two shreds of one slot, each carrying the leader's signature over its FEC set's
/// root, that cannot both belong to one block — different roots for the same (slot, shred index,
/// kind) or the same (slot, fec_set_index); a set that does not chain the set ending right before
/// it; a shred past the slot's LAST_IN_SLOT shred. Each shred is its own signed message: the root is
/// recomputed from its leaf and Merkle proof, and the leaf holds slot, index, fec_set_index, flags
/// and chained root, so a verifier that knows the leader's pubkey needs nothing else. Versioned,
/// self-contained, canonical:
/// <code>
/// 0   u8 version (1)
/// 1   u8 conflict         1 = same shred, 2 = same FEC set, 3 = broken chain, 4 = past the last shred (<see cref="DuplicateShredConflict"/>)
/// 2   pubkey leader(32)
/// 34  u64 slot
/// 42  u16 length ‖ shred   first shred (1,203 data or 1,228 coding bytes)
///     u16 length ‖ shred   second shred; bytewise greater than the first (1, 2), or by role (3, 4)
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
    /// parse, share a slot, and either lead to different roots while sharing (index, kind) —
    /// <see cref="DuplicateShredConflict.SameShred"/> — or fec_set_index — <see cref="DuplicateShredConflict.SameFecSet"/>;
    /// or one is LAST_IN_SLOT and the other lies past it — <see cref="DuplicateShredConflict.LastInSlot"/>;
    /// or one ends a FEC set and the other's set follows it without chaining its root —
    /// <see cref="DuplicateShredConflict.ChainedRoot"/> (the first that applies, in this order). False
    /// for anything else. Allocation-free (hashes only).
    /// </summary>
    public static bool TryFindConflict(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, out DuplicateShredConflict conflict)
    {
        conflict = default;
        if (!ShredView.TryParse(first, out ShredView a).IsOk || !ShredView.TryParse(second, out ShredView b).IsOk || a.Slot != b.Slot) return false;
        Hash rootA = a.ComputeRoot(), rootB = b.ComputeRoot();
        if (rootA != rootB && a.Kind == b.Kind && a.Index == b.Index) conflict = DuplicateShredConflict.SameShred;
        else if (rootA != rootB && a.FecSetIndex == b.FecSetIndex) conflict = DuplicateShredConflict.SameFecSet;
        else if (LiesPastLast(a, b) || LiesPastLast(b, a)) conflict = DuplicateShredConflict.LastInSlot;
        else if (BreaksChain(a, rootA, b) || BreaksChain(b, rootB, a)) conflict = DuplicateShredConflict.ChainedRoot;
        return conflict != default;
    }

    /// <summary>Conflict 3 in the order given: <paramref name="end"/> ends its set and <paramref name="next"/>'s set follows without chaining it.</summary>
    private static bool BreaksChain(in ShredView end, in Hash endRoot, in ShredView next) =>
        end.IsData && end.IsLastInFecSet && next.FecSetIndex == end.Index + 1 && next.ChainedRoot != endRoot;

    /// <summary>Conflict 4 in the order given: <paramref name="last"/> is LAST_IN_SLOT and <paramref name="past"/> lies after it.</summary>
    private static bool LiesPastLast(in ShredView last, in ShredView past) =>
        last.IsData && last.IsLastInSlot && (past.IsData ? past.Index > last.Index : past.FecSetIndex > last.Index);

    /// <summary>
    /// Writes evidence of <paramref name="conflict"/> between two shreds (any order: the writer puts
    /// the bytewise smaller first for conflicts 1 and 2, the set's end / the slot's last first for 3
    /// and 4) accusing <paramref name="leader"/>; returns its length. Shreds that do not show that
    /// conflict are a bug (check with <see cref="TryFindConflict"/>) and throw.
    /// </summary>
    public static int Write(Span<byte> destination, DuplicateShredConflict conflict, in Pubkey leader, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        bool parsed = ShredView.TryParse(first, out ShredView a).IsOk & ShredView.TryParse(second, out ShredView b).IsOk;
        if (!parsed || a.Slot != b.Slot) ThrowHelper.ThrowArgument(nameof(second), "two shreds of one slot");
        Hash rootA = a.ComputeRoot(), rootB = b.ComputeRoot();
        bool swap;
        switch (conflict)
        {
            case DuplicateShredConflict.SameShred:
            case DuplicateShredConflict.SameFecSet:
                bool placed = conflict == DuplicateShredConflict.SameShred ? a.Kind == b.Kind && a.Index == b.Index : a.FecSetIndex == b.FecSetIndex;
                if (!placed || rootA == rootB) ThrowHelper.ThrowArgument(nameof(second), "the shreds do not show this conflict");
                swap = first.SequenceCompareTo(second) > 0;
                break;
            case DuplicateShredConflict.ChainedRoot:
                swap = !BreaksChain(a, rootA, b);
                if (swap && !BreaksChain(b, rootB, a)) ThrowHelper.ThrowArgument(nameof(second), "the shreds do not show this conflict");
                break;
            case DuplicateShredConflict.LastInSlot:
                swap = !LiesPastLast(a, b);
                if (swap && !LiesPastLast(b, a)) ThrowHelper.ThrowArgument(nameof(second), "the shreds do not show this conflict");
                break;
            default:
                ThrowHelper.ThrowArgument(nameof(conflict), "unknown conflict");
                return 0;
        }
        return swap ? Encode(destination, conflict, leader, a.Slot, second, first) : Encode(destination, conflict, leader, a.Slot, first, second);
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
        // The decoder checked where the two shreds sit; what remains is whether what was signed conflicts.
        bool conflicts = view.Conflict switch
        {
            DuplicateShredConflict.SameShred or DuplicateShredConflict.SameFecSet => firstRoot != secondRoot,
            DuplicateShredConflict.ChainedRoot => second.ChainedRoot != firstRoot,
            _ => true,
        };
        return conflicts ? EvidenceVerdict.Proven : EvidenceVerdict.NoConflict;
    }
}
