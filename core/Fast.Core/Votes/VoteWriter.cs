using Fast.Core.Codec;
using Fast.Core.Primitives;
using Fast.Crypto;

namespace Fast.Core.Votes;

/// <summary>
/// Encodes votes (the mirror of <see cref="VoteView"/>), zero allocation. A tower that breaks the
/// format's rules (no slots, more than 32, slots not increasing, confirmations not decreasing, a
/// negative timestamp) is a bug in the caller and throws.
/// </summary>
public static class VoteWriter
{
    public static int EncodedLength(int slotCount) => VoteView.MinEncodedLength + (slotCount - 1) * VoteView.LockoutSize;

    /// <summary>Writes the vote's signed part (everything but the signature).</summary>
    public static void WriteUnsigned(ref SpanWriter writer, in Pubkey voter, scoped ReadOnlySpan<VoteLockout> lockouts, in Hash bankHash, long timestampMs)
    {
        CheckTower(lockouts, timestampMs);
        writer.WritePubkey(voter);
        writer.WriteU8((byte)lockouts.Length);
        foreach (VoteLockout lockout in lockouts)
        {
            writer.WriteU64(lockout.Slot);
            writer.WriteU8(lockout.ConfirmationCount);
        }
        writer.WriteHash(bankHash);
        writer.WriteI64(timestampMs);
    }

    /// <summary>Writes a whole vote with a signature made elsewhere.</summary>
    public static void Write(ref SpanWriter writer, in Pubkey voter, scoped ReadOnlySpan<VoteLockout> lockouts, in Hash bankHash, long timestampMs,
        in Signature signature)
    {
        WriteUnsigned(ref writer, voter, lockouts, bankHash, timestampMs);
        writer.WriteSignature(signature);
    }

    /// <summary>Writes and signs a vote by <paramref name="voter"/> into <paramref name="destination"/>; returns its length.</summary>
    public static int WriteSigned(Span<byte> destination, Keypair voter, ReadOnlySpan<VoteLockout> lockouts, in Hash bankHash, long timestampMs)
    {
        int length = EncodedLength(lockouts.Length);
        if (destination.Length < length) ThrowHelper.ThrowArgument(nameof(destination), "shorter than the vote");
        SpanWriter writer = new(destination);
        WriteUnsigned(ref writer, new Pubkey(voter.PublicKey), lockouts, bankHash, timestampMs);
        int signedLength = writer.Position;
        voter.Sign(destination[..signedLength], destination.Slice(signedLength, Signature.Size));
        return length;
    }

    private static void CheckTower(ReadOnlySpan<VoteLockout> lockouts, long timestampMs)
    {
        if (lockouts.IsEmpty || lockouts.Length > VoteView.MaxSlots) ThrowHelper.ThrowArgument(nameof(lockouts), "a vote holds 1..32 slots");
        for (int i = 0; i < lockouts.Length; i++)
        {
            byte count = lockouts[i].ConfirmationCount;
            if (count == 0 || count > VoteView.MaxConfirmationCount) ThrowHelper.ThrowArgument(nameof(lockouts), "confirmation counts are 1..32");
            if (i > 0 && (lockouts[i].Slot <= lockouts[i - 1].Slot || count >= lockouts[i - 1].ConfirmationCount))
            {
                ThrowHelper.ThrowArgument(nameof(lockouts), "slots must increase and confirmation counts decrease");
            }
        }
        if (timestampMs < 0) ThrowHelper.ThrowArgument(nameof(timestampMs), "must not be negative");
    }
}
