using Fast.Core.Codec;
using Fast.Core.Primitives;
using Fast.Core.Votes;
using Fast.Crypto;

namespace Fast.Fuzz.Targets;

/// <summary>VoteView.TryParse, re-encoded with <see cref="VoteWriter"/>.</summary>
public readonly struct VoteTarget : IFuzzTarget
{
    public string Name => "vote";

    public int MaxInputLength => VoteView.MaxEncodedLength + 64;

    public DecodeStatus Check(ReadOnlySpan<byte> input, Span<byte> scratch, out bool canonical)
    {
        canonical = false;
        DecodeResult result = VoteView.TryParse(input, out VoteView vote);
        if (!result.IsOk) return result.Status;
        Span<VoteLockout> tower = stackalloc VoteLockout[VoteView.MaxSlots];
        for (int i = 0; i < vote.SlotCount; i++) tower[i] = vote.GetLockout(i);
        SpanWriter writer = new(scratch);
        VoteWriter.Write(ref writer, vote.Voter, tower[..vote.SlotCount], vote.BankHash, vote.TimestampMs, vote.Signature);
        canonical = !writer.Overflowed && writer.Written.SequenceEqual(input);
        return DecodeStatus.Ok;
    }

    public IReadOnlyList<FuzzSeed> CreateSeeds() => Seeds.Value;

    private static readonly Lazy<IReadOnlyList<FuzzSeed>> Seeds = new(Build);

    private static List<FuzzSeed> Build()
    {
        var voter = Keypair.Generate();
        List<FuzzSeed> seeds = [];
        foreach (int slots in new[] { 1, 3, 31, 32 })
        {
            VoteLockout[] tower = [.. Enumerable.Range(0, slots).Select(i => new VoteLockout((ulong)(5_000 + 3 * i), (byte)(slots - i)))];
            byte[] vote = new byte[VoteWriter.EncodedLength(slots)];
            VoteWriter.WriteSigned(vote, voter, tower, Hash.Compute([(byte)slots]), 1_700_000_000_000 + slots);
            List<int> fields = [VoteView.SlotCountOffset];
            for (int i = 0; i < slots; i++) fields.Add(VoteView.LockoutsOffset + i * VoteView.LockoutSize + 8);
            seeds.Add(new FuzzSeed(vote, [.. fields]));
        }
        return seeds;
    }
}
