using Fast.Core.Codec;
using Fast.Core.Primitives;
using Fast.Core.Shreds;
using Fast.Crypto;

namespace Fast.Fuzz.Targets;

/// <summary>
/// <see cref="DuplicateShredEvidenceView.TryParse"/> (equivocation evidence from gossip or a slashing
/// instruction), re-encoded from its fields with <see cref="DuplicateShredEvidence.Encode"/>. Seeds
/// are real evidence over two versions of a shredded slot: a data pair, a coding pair, a data
/// shred against a coding shred of the same FEC set, a broken chain and a shred past the last.
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
        bool ordered = evidence.Conflict > DuplicateShredConflict.SameFecSet || evidence.First.SequenceCompareTo(evidence.Second) < 0;
        canonical = scratch[..length].SequenceEqual(input) && evidence.Version == DuplicateShredEvidence.CurrentVersion && ordered;
        return DecodeStatus.Ok;
    }

    public IReadOnlyList<FuzzSeed> CreateSeeds() => Seeds.Value;

    private static readonly Lazy<IReadOnlyList<FuzzSeed>> Seeds = new(Build);

    private static List<FuzzSeed> Build()
    {
        var leader = Keypair.Generate();
        Pubkey leaderKey = new(leader.PublicKey);
        // Two versions of a two-set slot and a one-set version: sets at 0 and 64 × stride.
        byte[] a = ShredSlot(leader, 1, 40_000), b = ShredSlot(leader, 2, 40_000), shorter = ShredSlot(leader, 3, 5_000);
        const int Next = Shredder.ShredsPerSet;
        List<FuzzSeed> seeds = [];
        foreach ((DuplicateShredConflict conflict, byte[] x, int leafX, byte[] y, int leafY) in new[]
        {
            (DuplicateShredConflict.SameShred, a, 4, b, 4),
            (DuplicateShredConflict.SameShred, a, 40, b, 40),
            (DuplicateShredConflict.SameFecSet, a, 31, b, 33),
            (DuplicateShredConflict.ChainedRoot, a, 31, b, Next + 2),
            (DuplicateShredConflict.LastInSlot, shorter, 31, a, Next + 5),
        })
        {
            byte[] buffer = new byte[DuplicateShredEvidence.MaxSize];
            int length = DuplicateShredEvidence.Write(buffer, conflict, leaderKey, ShredAt(x, leafX), ShredAt(y, leafY));
            byte[] evidence = buffer.AsSpan(0, length).ToArray();
            int secondLength = DuplicateShredEvidence.FirstShredOffset + BitConverter.ToUInt16(evidence, DuplicateShredEvidence.HeaderSize);
            seeds.Add(new FuzzSeed(evidence, [DuplicateShredEvidence.HeaderSize, secondLength, DuplicateShredEvidence.FirstShredOffset + ShredLayout.SizeOffset]));
        }
        return seeds;
    }

    /// <summary>Leaf <paramref name="leaf"/> % 64 of set <paramref name="leaf"/> / 64 of a shredded slot.</summary>
    private static ReadOnlySpan<byte> ShredAt(byte[] slot, int leaf) =>
        slot.AsSpan(leaf * Shredder.Stride, leaf % Shredder.ShredsPerSet < Shredder.DataShredsPerSet ? ShredLayout.DataShredSize : ShredLayout.CodingShredSize);

    /// <summary>Slot 300 of <paramref name="bytes"/> random bytes (from <paramref name="seed"/>): its sets back to back.</summary>
    private static byte[] ShredSlot(Keypair leader, int seed, int bytes)
    {
        byte[] data = new byte[bytes];
        new Random(seed).NextBytes(data);
        Shredder shredder = new(leader, 4);
        shredder.BeginSlot(300, 299, Hash.Compute("parent"u8));
        shredder.TryAppend(data);
        byte[] slot = new byte[2 * Shredder.SetBufferSize];
        int sets = 0;
        while (shredder.TryTakeFullSet(slot.AsSpan(sets * Shredder.SetBufferSize), out _)) sets++;
        shredder.FinishSlot(slot.AsSpan(sets * Shredder.SetBufferSize));
        return slot;
    }
}
