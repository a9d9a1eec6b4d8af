using System.Buffers.Binary;
using Fast.Core.Codec;
using Fast.Core.Primitives;
using Fast.Crypto;

namespace Fast.Core.Votes;

/// <summary>One entry of a voter's tower: a slot it voted for and how many votes are stacked on it.</summary>
public readonly record struct VoteLockout(ulong Slot, byte ConfirmationCount);

/// <summary>
/// A validator's vote (Tower BFT), read in place: its tower of voted slots with confirmation counts,
/// the bank hash it computed for the newest slot, when, and its Schnorr signature. Wire layout:
/// <code>
/// voter pubkey(32) | u8 n | n × { u64 slot | u8 confirmation_count } | bank_hash(32) | i64 timestamp_ms | signature(64)
/// </code>
/// 146 to 425 bytes. The signature is by the voter over every byte before it.
/// Canonical rules: 1 ≤ n ≤ 32; slots strictly increase; confirmation counts are 1..32 and strictly
/// decrease from the oldest slot to the newest (Agave's ConfirmationsNotOrdered / SlotsNotOrdered
/// rules: deeper votes are locked out longer); the timestamp is not negative; nothing follows.
/// </summary>
public readonly ref struct VoteView
{
    /// <summary>Tower BFT keeps 31 lockouts (Agave MAX_LOCKOUT_HISTORY); a vote carries at most 32.</summary>
    public const int MaxSlots = 32;

    public const int MaxConfirmationCount = MaxSlots;

    public const int VoterOffset = 0;
    public const int SlotCountOffset = Pubkey.Size;
    public const int LockoutsOffset = SlotCountOffset + 1;
    public const int LockoutSize = sizeof(ulong) + 1;

    public const int MinEncodedLength = LockoutsOffset + LockoutSize + Hash.Size + sizeof(long) + Signature.Size;
    public const int MaxEncodedLength = MinEncodedLength + (MaxSlots - 1) * LockoutSize;

    private VoteView(ReadOnlySpan<byte> bytes, int slotCount)
    {
        Bytes = bytes;
        SlotCount = slotCount;
    }

    /// <summary>The whole vote, exactly.</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    public int Length => Bytes.Length;

    public ReadOnlySpan<byte> VoterBytes => Bytes[..Pubkey.Size];

    public Pubkey Voter => new(VoterBytes);

    public int SlotCount { get; }

    public ulong GetSlot(int index) => BinaryPrimitives.ReadUInt64LittleEndian(Bytes.Slice(LockoutAt(index), sizeof(ulong)));

    public byte GetConfirmationCount(int index) => Bytes[LockoutAt(index) + sizeof(ulong)];

    public VoteLockout GetLockout(int index) => new(GetSlot(index), GetConfirmationCount(index));

    /// <summary>The newest slot voted for: the one <see cref="BankHash"/> belongs to.</summary>
    public ulong LastSlot => GetSlot(SlotCount - 1);

    private int BankHashOffset => LockoutsOffset + SlotCount * LockoutSize;

    public Hash BankHash => new(Bytes.Slice(BankHashOffset, Hash.Size));

    /// <summary>Unix time in milliseconds when the voter cast the vote.</summary>
    public long TimestampMs => BinaryPrimitives.ReadInt64LittleEndian(Bytes[(BankHashOffset + Hash.Size)..]);

    /// <summary>The bytes the voter signed: everything before the signature.</summary>
    public ReadOnlySpan<byte> SignedBytes => Bytes[..^Signature.Size];

    public ReadOnlySpan<byte> SignatureBytes => Bytes[^Signature.Size..];

    public Signature Signature => new(SignatureBytes);

    /// <summary>Checks the voter's Schnorr signature over <see cref="SignedBytes"/>.</summary>
    public bool VerifySignature() => Schnorr.Verify(VoterBytes, SignedBytes, SignatureBytes);

    private static int LockoutAt(int index) => LockoutsOffset + index * LockoutSize;

    /// <summary>Parses a buffer that must hold exactly one vote.</summary>
    public static DecodeResult TryParse(ReadOnlySpan<byte> buffer, out VoteView vote)
    {
        vote = default;
        SpanReader reader = new(buffer);
        reader.TrySkip(Pubkey.Size);
        reader.TryReadU8(out byte slotCount);
        if (!reader.IsOk) return reader.Result;
        if (slotCount == 0) return new DecodeResult(DecodeStatus.InvalidValue, SlotCountOffset);
        if (slotCount > MaxSlots) return new DecodeResult(DecodeStatus.LengthTooLarge, SlotCountOffset);

        ulong previousSlot = 0;
        int previousCount = MaxConfirmationCount + 1;
        for (int i = 0; i < slotCount; i++)
        {
            int at = reader.Position;
            if (!reader.TryReadU64(out ulong slot) || !reader.TryReadU8(out byte confirmations)) return reader.Result;
            if (i > 0 && slot <= previousSlot) return new DecodeResult(DecodeStatus.InvalidValue, at);
            if (confirmations == 0 || confirmations >= previousCount) return new DecodeResult(DecodeStatus.InvalidValue, at + sizeof(ulong));
            previousSlot = slot;
            previousCount = confirmations;
        }

        reader.TrySkip(Hash.Size);
        int timestampAt = reader.Position;
        reader.TryReadI64(out long timestampMs);
        if (!reader.IsOk) return reader.Result;
        if (timestampMs < 0) return new DecodeResult(DecodeStatus.InvalidValue, timestampAt);
        if (!reader.TrySkip(Signature.Size) || !reader.ExpectEnd()) return reader.Result;
        vote = new VoteView(buffer, slotCount);
        return DecodeResult.Success;
    }
}
