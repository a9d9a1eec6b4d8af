using Fast.Core.Codec;
using Fast.Core.Primitives;
using Fast.Core.Shreds;
using Fast.Crypto;

namespace Fast.Fuzz.Targets;

/// <summary>
/// <see cref="DuplicateShredEvidenceView.TryParse"/> (equivocation evidence from gossip or a slashing
/// instruction), re-encoded from its fields with <see cref="DuplicateShredEvidence.Encode"/>. Seeds
/// are real evidence over two versions of a shredded slot: a data pair, a coding pair, and a data
/// shred against a coding shred of the same FEC set.
/// </summary>
public readonly struct DuplicateShredEvidenceTarget : IFuzzTarget
{
    public string Name => "duplicate-shred";

    public int MaxInputLength => DuplicateShredEvidence.MaxSize + 64;

    public DecodeStatus Check(ReadOnlySpan<byte> input, Span<byte> scratch, out bool canonical)
    {
        canonical = false;
        DecodeResult result = DuplicateShredEvidenceView.TryParse(input, out DuplicateShredEvidenceView evidence);
        if (!result.IsOk) return result.Status;
        int length = DuplicateShredEvidence.Encode(scratch, evidence.Conflict, evidence.Leader, evidence.Slot, evidence.First, evidence.Second);
        canonical = scratch[..length].SequenceEqual(input) && evidence.Version == DuplicateShredEvidence.CurrentVersion
            && evidence.First.SequenceCompareTo(evidence.Second) < 0;
        return DecodeStatus.Ok;
    }

    public IReadOnlyList<FuzzSeed> CreateSeeds() => Seeds.Value;

    private static readonly Lazy<IReadOnlyList<FuzzSeed>> Seeds = new(Build);

    private static List<FuzzSeed> Build()
    {
        var leader = Keypair.Generate();
        Pubkey leaderKey = new(leader.PublicKey);
        byte[] a = ShredSet(leader, 1), b = ShredSet(leader, 2);
        List<FuzzSeed> seeds = [];
        foreach ((DuplicateShredConflict conflict, int leafA, int leafB) in new[]
        {
            (DuplicateShredConflict.SameShred, 4, 4),
            (DuplicateShredConflict.SameShred, 40, 40),
            (DuplicateShredConflict.SameFecSet, 31, 33),
        })
        {
            byte[] buffer = new byte[DuplicateShredEvidence.MaxSize];
            int length = DuplicateShredEvidence.Write(buffer, conflict, leaderKey, ShredAt(a, leafA), ShredAt(b, leafB));
            byte[] evidence = buffer.AsSpan(0, length).ToArray();
            int secondLength = DuplicateShredEvidence.FirstShredOffset + BitConverter.ToUInt16(evidence, DuplicateShredEvidence.HeaderSize);
            seeds.Add(new FuzzSeed(evidence, [DuplicateShredEvidence.HeaderSize, secondLength, DuplicateShredEvidence.FirstShredOffset + ShredLayout.SizeOffset]));
        }
        return seeds;
    }

    private static ReadOnlySpan<byte> ShredAt(byte[] set, int leaf) =>
        set.AsSpan(leaf * Shredder.Stride, leaf < Shredder.DataShredsPerSet ? ShredLayout.DataShredSize : ShredLayout.CodingShredSize);

    /// <summary>The only set of a one-set slot 300 whose data depends on <paramref name="seed"/>.</summary>
    private static byte[] ShredSet(Keypair leader, int seed)
    {
        byte[] data = new byte[5_000];
        new Random(seed).NextBytes(data);
        Shredder shredder = new(leader, 4);
        shredder.BeginSlot(300, 299, Hash.Compute("parent"u8));
        shredder.TryAppend(data);
        byte[] set = new byte[Shredder.SetBufferSize];
        shredder.FinishSlot(set);
        return set;
    }
}
