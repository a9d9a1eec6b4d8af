using System.Buffers.Binary;
using Fast.Core.Codec;
using Fast.Core.Primitives;
using Fast.Core.Shreds;
using Fast.Crypto;
using Xunit;
using static Fast.Core.Tests.Shreds.ShredderTests;

namespace Fast.Core.Tests.Shreds;

/// <summary>Equivocation evidence: two conflicting signed shreds of one leader, written, decoded and verified.</summary>
public class DuplicateShredEvidenceTests
{
    private static readonly Pubkey LeaderKey = new(ShredderTests.Leader.PublicKey);

    // Two versions of slot 50 on the same parent: same indexes, different data, so different roots.
    private static readonly ShreddedSlot VersionA = Shred(RandomBytes(Shredder.DataPerSet + 3000, 21));
    private static readonly ShreddedSlot VersionB = Shred(RandomBytes(Shredder.DataPerSet + 3000, 22));

    private static byte[] ShredOf(ShreddedSlot slot, int set, int leaf) => slot.Sets[set].Shred(slot.Buffers[set], leaf).ToArray();

    private static byte[] Evidence(DuplicateShredConflict conflict, byte[] first, byte[] second)
    {
        byte[] buffer = new byte[DuplicateShredEvidence.MaxSize];
        int length = DuplicateShredEvidence.Write(buffer, conflict, LeaderKey, first, second);
        return buffer.AsSpan(0, length).ToArray();
    }

    [Fact]
    public void Two_signed_versions_of_one_shred_prove_equivocation()
    {
        byte[] a = ShredOf(VersionA, 1, 5), b = ShredOf(VersionB, 1, 5);
        Assert.True(DuplicateShredEvidence.TryFindConflict(a, b, out DuplicateShredConflict conflict));
        Assert.Equal(DuplicateShredConflict.SameShred, conflict);
        byte[] evidence = Evidence(conflict, a, b);
        Assert.Equal(DuplicateShredEvidence.HeaderSize + 4 + 2 * ShredLayout.DataShredSize, evidence.Length);
        Assert.Equal(EvidenceVerdict.Proven, DuplicateShredEvidence.Verify(LeaderKey, evidence, out DecodeResult decode));
        Assert.True(decode.IsOk);
        Assert.True(DuplicateShredEvidenceView.TryParse(evidence, out DuplicateShredEvidenceView view).IsOk);
        Assert.Equal((1, DuplicateShredConflict.SameShred, LeaderKey, 50UL), (view.Version, view.Conflict, view.Leader, view.Slot));
        Assert.True(view.First.SequenceCompareTo(view.Second) < 0);
    }

    [Fact]
    public void Two_signed_roots_for_one_fec_set_prove_equivocation_with_any_shreds_of_the_two_sets()
    {
        byte[] data = ShredOf(VersionA, 0, 3), coding = ShredOf(VersionB, 0, 40);
        Assert.True(DuplicateShredEvidence.TryFindConflict(data, coding, out DuplicateShredConflict conflict));
        Assert.Equal(DuplicateShredConflict.SameFecSet, conflict);
        Assert.Equal(EvidenceVerdict.Proven, DuplicateShredEvidence.Verify(LeaderKey, Evidence(conflict, coding, data), out _));
    }

    [Fact]
    public void The_writer_orders_the_shreds_so_the_evidence_has_one_encoding()
    {
        byte[] a = ShredOf(VersionA, 1, 5), b = ShredOf(VersionB, 1, 5);
        Assert.Equal(Evidence(DuplicateShredConflict.SameShred, a, b), Evidence(DuplicateShredConflict.SameShred, b, a));
    }

    [Fact]
    public void Shreds_of_one_version_or_of_unrelated_places_are_no_conflict()
    {
        Assert.False(DuplicateShredEvidence.TryFindConflict(ShredOf(VersionA, 0, 1), ShredOf(VersionA, 0, 2), out _));
        Assert.False(DuplicateShredEvidence.TryFindConflict(ShredOf(VersionA, 0, 1), ShredOf(VersionB, 1, 1), out _));
        Assert.Throws<ArgumentException>(() => Evidence(DuplicateShredConflict.SameShred, ShredOf(VersionA, 0, 1), ShredOf(VersionA, 0, 1)));
    }

    [Fact]
    public void Evidence_naming_another_leader_or_checked_against_another_leader_is_refused()
    {
        byte[] evidence = Evidence(DuplicateShredConflict.SameShred, ShredOf(VersionA, 1, 5), ShredOf(VersionB, 1, 5));
        Assert.Equal(EvidenceVerdict.WrongLeader, DuplicateShredEvidence.Verify(new Pubkey(Keypair.Generate().PublicKey), evidence, out _));
    }

    [Fact]
    public void A_shred_signed_by_someone_else_does_not_prove_anything()
    {
        ShreddedSlot forged = Shred(RandomBytes(Shredder.DataPerSet + 3000, 23), leader: Keypair.Generate());
        byte[] genuine = ShredOf(VersionA, 1, 5), fake = ShredOf(forged, 1, 5);
        byte[] evidence = Evidence(DuplicateShredConflict.SameShred, genuine, fake);
        EvidenceVerdict verdict = DuplicateShredEvidence.Verify(LeaderKey, evidence, out _);
        Assert.Equal(genuine.AsSpan().SequenceCompareTo(fake) < 0 ? EvidenceVerdict.SecondSignatureInvalid : EvidenceVerdict.FirstSignatureInvalid, verdict);
    }

    [Fact]
    public void The_same_root_signed_twice_is_no_equivocation()
    {
        // One shred, re-signed: a different signature (fresh nonce randomness) over the same root.
        byte[] original = ShredOf(VersionA, 0, 0);
        byte[] resigned = (byte[])original.Clone();
        ShredRootSignature.Sign(ShredderTests.Leader, VersionA.Sets[0].Root, resigned.AsSpan(0, 64));
        Assert.False(DuplicateShredEvidence.TryFindConflict(original, resigned, out _));
        // Hand-built evidence (the writer refuses it) is decoded but judged no conflict.
        byte[] evidence = new byte[DuplicateShredEvidence.HeaderSize + 4 + 2 * ShredLayout.DataShredSize];
        (byte[] low, byte[] high) = original.AsSpan().SequenceCompareTo(resigned) < 0 ? (original, resigned) : (resigned, original);
        evidence[0] = 1;
        evidence[1] = (byte)DuplicateShredConflict.SameShred;
        LeaderKey.CopyTo(evidence.AsSpan(2));
        BinaryPrimitives.WriteUInt64LittleEndian(evidence.AsSpan(34), 50);
        BinaryPrimitives.WriteUInt16LittleEndian(evidence.AsSpan(42), ShredLayout.DataShredSize);
        low.CopyTo(evidence, 44);
        BinaryPrimitives.WriteUInt16LittleEndian(evidence.AsSpan(44 + ShredLayout.DataShredSize), ShredLayout.DataShredSize);
        high.CopyTo(evidence, 46 + ShredLayout.DataShredSize);
        Assert.Equal(EvidenceVerdict.NoConflict, DuplicateShredEvidence.Verify(LeaderKey, evidence, out _));
    }

    [Fact]
    public void Decoding_rejects_each_broken_field_with_its_offset()
    {
        byte[] good = Evidence(DuplicateShredConflict.SameShred, ShredOf(VersionA, 1, 5), ShredOf(VersionB, 1, 5));
        int second = 44 + ShredLayout.DataShredSize;
        Assert.Equal(DecodeResult.Success, DuplicateShredEvidenceView.TryParse(good, out _));
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 0), Mutated(good, b => b[0] = 2));
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 1), Mutated(good, b => b[1] = 5));
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 1), Mutated(good, b => b[1] = 0));
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 42), Mutated(good, b => b[42] = 7));
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 44 + ShredLayout.SlotOffset), Mutated(good, b => b[34] ^= 1));
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, second + 2 + ShredLayout.IndexOffset), Mutated(good, b => Swap(b, second)));
        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, second + 2), DuplicateShredEvidenceView.TryParse(good.AsSpan(0, second + 100), out _));
        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, 34), DuplicateShredEvidenceView.TryParse(good.AsSpan(0, 40), out _));
        Assert.Equal(DecodeStatus.TrailingBytes, DuplicateShredEvidenceView.TryParse([.. good, 0], out _).Status);
        Assert.Equal(new DecodeResult(DecodeStatus.TooLarge, DuplicateShredEvidence.MaxSize), DuplicateShredEvidenceView.TryParse(new byte[DuplicateShredEvidence.MaxSize + 1], out _));
        // The same shred twice, or the larger one first, is not canonical.
        byte[] shred = ShredOf(VersionA, 1, 5);
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, second), Mutated(good, b => shred.CopyTo(b, 44 + ShredLayout.DataShredSize + 2), b => shred.CopyTo(b, 44)));
    }

    [Fact]
    public void A_set_that_does_not_chain_the_set_ending_before_it_proves_equivocation()
    {
        // Version A's set 0 ends at index 31; version B's set 1 starts at 32 but chains B's set 0.
        byte[] end = ShredOf(VersionA, 0, 31), next = ShredOf(VersionB, 1, 40);
        Assert.True(DuplicateShredEvidence.TryFindConflict(next, end, out DuplicateShredConflict conflict));
        Assert.Equal(DuplicateShredConflict.ChainedRoot, conflict);
        byte[] evidence = Evidence(conflict, next, end);
        Assert.True(DuplicateShredEvidenceView.TryParse(evidence, out DuplicateShredEvidenceView view).IsOk);
        Assert.True(view.First.SequenceEqual(end));
        Assert.Equal(EvidenceVerdict.Proven, DuplicateShredEvidence.Verify(LeaderKey, evidence, out _));
        // Within one version the chain holds: no conflict, and hand-built evidence of it is judged so.
        byte[] honestNext = ShredOf(VersionA, 1, 40);
        Assert.False(DuplicateShredEvidence.TryFindConflict(end, honestNext, out _));
        byte[] buffer = new byte[DuplicateShredEvidence.MaxSize];
        int length = DuplicateShredEvidence.Encode(buffer, DuplicateShredConflict.ChainedRoot, LeaderKey, 50, end, honestNext);
        Assert.Equal(EvidenceVerdict.NoConflict, DuplicateShredEvidence.Verify(LeaderKey, buffer.AsSpan(0, length), out _));
    }

    [Fact]
    public void A_shred_past_the_last_in_slot_shred_proves_equivocation()
    {
        // A one-set version of slot 50 ends at index 31; version A has data at index 40 and a coding set at 32.
        ShreddedSlot shorter = Shred(RandomBytes(2000, 24));
        byte[] last = ShredOf(shorter, 0, 31);
        foreach (byte[] past in new[] { ShredOf(VersionA, 1, 8), ShredOf(VersionA, 1, 50) })
        {
            Assert.True(DuplicateShredEvidence.TryFindConflict(past, last, out DuplicateShredConflict conflict));
            Assert.Equal(DuplicateShredConflict.LastInSlot, conflict);
            Assert.Equal(EvidenceVerdict.Proven, DuplicateShredEvidence.Verify(LeaderKey, Evidence(conflict, past, last), out _));
        }
        // A shred before the last one is no conflict; evidence claiming it is rejected by the decoder.
        byte[] before = ShredOf(shorter, 0, 3);
        Assert.False(DuplicateShredEvidence.TryFindConflict(before, last, out _));
        byte[] buffer = new byte[DuplicateShredEvidence.MaxSize];
        int length = DuplicateShredEvidence.Encode(buffer, DuplicateShredConflict.LastInSlot, LeaderKey, 50, last, before);
        int secondStart = 44 + ShredLayout.DataShredSize + 2;
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, secondStart + ShredLayout.IndexOffset), DuplicateShredEvidenceView.TryParse(buffer.AsSpan(0, length), out _));
        length = DuplicateShredEvidence.Encode(buffer, DuplicateShredConflict.LastInSlot, LeaderKey, 50, before, last);
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 44 + ShredLayout.FlagsOffset), DuplicateShredEvidenceView.TryParse(buffer.AsSpan(0, length), out _));
    }

    /// <summary>Replaces the second shred with shred 6 of version B (another index) — a SameShred conflict that is not one.</summary>
    private static void Swap(byte[] evidence, int second) => ShredOf(VersionB, 1, 6).CopyTo(evidence, second + 2);

    private static DecodeResult Mutated(byte[] good, params Action<byte[]>[] edits)
    {
        byte[] copy = (byte[])good.Clone();
        foreach (Action<byte[]> edit in edits) edit(copy);
        return DuplicateShredEvidenceView.TryParse(copy, out _);
    }
}
