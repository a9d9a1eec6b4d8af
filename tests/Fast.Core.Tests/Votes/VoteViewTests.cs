using System.Buffers.Binary;
using Fast.Core.Codec;
using Fast.Core.Primitives;
using Fast.Core.Votes;
using Fast.Crypto;
using Fast.Testing;
using Xunit;

namespace Fast.Core.Tests.Votes;

public class VoteViewTests
{
    private static readonly VoteLockout[] Tower = [new(100, 3), new(101, 2), new(105, 1)];

    private static byte[] SignedVote(Keypair voter, VoteLockout[] tower, long timestampMs = 1_700_000_000_000)
    {
        byte[] vote = new byte[VoteWriter.EncodedLength(tower.Length)];
        VoteWriter.WriteSigned(vote, voter, tower, Hash.Compute([1, 2, 3]), timestampMs);
        return vote;
    }

    [Fact]
    public void A_signed_vote_parses_with_its_tower_bank_hash_and_timestamp_and_its_signature_verifies()
    {
        var voter = Keypair.Generate();
        byte[] vote = SignedVote(voter, Tower);

        Assert.Equal(33 + 3 * 9 + 32 + 8 + 64, vote.Length);
        Assert.Equal(DecodeResult.Success, VoteView.TryParse(vote, out VoteView view));
        Assert.Equal(new Pubkey(voter.PublicKey), view.Voter);
        Assert.Equal(3, view.SlotCount);
        for (int i = 0; i < Tower.Length; i++) Assert.Equal(Tower[i], view.GetLockout(i));
        Assert.Equal(105UL, view.LastSlot);
        Assert.Equal(Hash.Compute([1, 2, 3]), view.BankHash);
        Assert.Equal(1_700_000_000_000, view.TimestampMs);
        Assert.True(view.VerifySignature());
    }

    [Fact]
    public void A_vote_with_a_changed_slot_no_longer_verifies()
    {
        byte[] vote = SignedVote(Keypair.Generate(), Tower);
        vote[33 + 2 * 9] ^= 0x10; // slot 105 -> 121, still increasing
        Assert.Equal(DecodeResult.Success, VoteView.TryParse(vote, out VoteView view));
        Assert.False(view.VerifySignature());
    }

    [Fact]
    public void The_largest_vote_holds_32_slots_in_425_bytes()
    {
        VoteLockout[] tower = [.. Enumerable.Range(0, 32).Select(i => new VoteLockout((ulong)(1000 + i), (byte)(32 - i)))];
        byte[] vote = SignedVote(Keypair.Generate(), tower);
        Assert.Equal(VoteView.MaxEncodedLength, vote.Length);
        Assert.Equal(425, vote.Length);
        Assert.True(VoteView.TryParse(vote, out VoteView view).IsOk && view.VerifySignature());
    }

    [Fact]
    public void Decoding_a_vote_cut_before_its_slot_count_reports_Truncated_at_offset_32()
    {
        byte[] vote = SignedVote(Keypair.Generate(), Tower);
        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, 32), VoteView.TryParse(vote.AsSpan(0, 32), out _));
    }

    [Fact]
    public void Decoding_a_vote_missing_its_last_byte_reports_Truncated_at_offset_100_where_its_signature_starts()
    {
        byte[] vote = SignedVote(Keypair.Generate(), Tower);
        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, 100), VoteView.TryParse(vote.AsSpan(0, vote.Length - 1), out _));
    }

    [Fact]
    public void Decoding_a_vote_with_one_extra_byte_reports_TrailingBytes_at_its_end()
    {
        byte[] vote = [.. SignedVote(Keypair.Generate(), Tower), 0];
        Assert.Equal(new DecodeResult(DecodeStatus.TrailingBytes, 164), VoteView.TryParse(vote, out _));
    }

    [Fact]
    public void Decoding_a_vote_with_no_slots_reports_InvalidValue_at_offset_32()
    {
        byte[] vote = SignedVote(Keypair.Generate(), Tower);
        vote[32] = 0;
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 32), VoteView.TryParse(vote, out _));
    }

    [Fact]
    public void Decoding_a_vote_claiming_33_slots_reports_LengthTooLarge_at_offset_32()
    {
        byte[] vote = new byte[VoteView.MaxEncodedLength + 9];
        vote[32] = 33;
        Assert.Equal(new DecodeResult(DecodeStatus.LengthTooLarge, 32), VoteView.TryParse(vote, out _));
    }

    [Fact]
    public void Decoding_a_vote_whose_slots_do_not_increase_reports_InvalidValue_at_the_second_slot_offset_42()
    {
        byte[] vote = SignedVote(Keypair.Generate(), Tower);
        BinaryPrimitives.WriteUInt64LittleEndian(vote.AsSpan(42), 100);
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 42), VoteView.TryParse(vote, out _));
    }

    [Fact]
    public void Decoding_a_vote_with_zero_confirmations_reports_InvalidValue_at_offset_59()
    {
        byte[] vote = SignedVote(Keypair.Generate(), Tower);
        vote[33 + 2 * 9 + 8] = 0;
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 59), VoteView.TryParse(vote, out _));
    }

    [Fact]
    public void Decoding_a_vote_whose_confirmations_do_not_decrease_reports_InvalidValue_at_offset_50()
    {
        byte[] vote = SignedVote(Keypair.Generate(), Tower);
        vote[33 + 9 + 8] = 3;
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 50), VoteView.TryParse(vote, out _));
    }

    [Fact]
    public void Decoding_a_vote_with_33_confirmations_reports_InvalidValue_at_offset_41()
    {
        byte[] vote = SignedVote(Keypair.Generate(), Tower);
        vote[41] = 33;
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 41), VoteView.TryParse(vote, out _));
    }

    [Fact]
    public void Decoding_a_vote_with_a_negative_timestamp_reports_InvalidValue_at_offset_92()
    {
        byte[] vote = SignedVote(Keypair.Generate(), Tower);
        BinaryPrimitives.WriteInt64LittleEndian(vote.AsSpan(92), -1);
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 92), VoteView.TryParse(vote, out _));
    }

    [Fact]
    public void Writing_a_tower_that_breaks_the_rules_is_a_bug_and_throws()
    {
        var voter = Keypair.Generate();
        byte[] buffer = new byte[VoteView.MaxEncodedLength];
        Assert.Throws<ArgumentException>(() => VoteWriter.WriteSigned(buffer, voter, [], default, 0));
        Assert.Throws<ArgumentException>(() => VoteWriter.WriteSigned(buffer, voter, [new(5, 1), new(4, 0)], default, 0));
        Assert.Throws<ArgumentException>(() => VoteWriter.WriteSigned(buffer, voter, [new(5, 1), new(6, 1)], default, 0));
        Assert.Throws<ArgumentException>(() => VoteWriter.WriteSigned(buffer, voter, Tower, default, -5));
    }

    [Fact]
    public void Decoding_a_vote_allocates_nothing()
    {
        byte[] vote = SignedVote(Keypair.Generate(), Tower);
        long allocated = Allocations.Measure(10_000, () =>
        {
            VoteView.TryParse(vote, out VoteView view);
            _ = view.LastSlot + view.GetLockout(0).Slot;
        });
        Assert.Equal(0, allocated);
    }
}
