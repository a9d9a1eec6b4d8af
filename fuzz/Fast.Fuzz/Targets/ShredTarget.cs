using System.Runtime.InteropServices;
using Fast.Core.Codec;
using Fast.Core.Primitives;
using Fast.Core.Shreds;
using Fast.Crypto;

namespace Fast.Fuzz.Targets;

/// <summary>ShredView.TryParse, re-encoded with <see cref="ShredWriter"/> (headers, body, chained root, proof, signature).</summary>
public readonly struct ShredTarget : IFuzzTarget
{
    public string Name => "shred";

    public int MaxInputLength => ShredLayout.MaxShredSize + 64;

    public DecodeStatus Check(ReadOnlySpan<byte> input, Span<byte> scratch, out bool canonical)
    {
        canonical = false;
        DecodeResult result = ShredView.TryParse(input, out ShredView shred);
        if (!result.IsOk) return result.Status;
        ShredCommonHeader header = new(shred.Slot, shred.Index, shred.Version, shred.FecSetIndex, shred.ChainedRoot);
        int length = shred.IsData
            ? ShredWriter.WriteData(scratch, header, shred.ProofDepth, shred.ParentOffset, shred.Flags, shred.Data)
            : ShredWriter.WriteCoding(scratch, header, shred.NumData, shred.NumCoding, shred.Position, shred.Parity);
        Span<byte> written = scratch[..length];
        ShredWriter.WriteProof(written, MemoryMarshal.Cast<byte, Hash>(shred.Proof));
        ShredWriter.WriteSignature(written, shred.SignatureBytes);
        canonical = written.SequenceEqual(input) && shred.LeafIndex < shred.FecSetSize && shred.ErasureShard.Length == ShredLayout.ErasureShardSize(shred.ProofDepth);
        return DecodeStatus.Ok;
    }

    public IReadOnlyList<FuzzSeed> CreateSeeds() => Seeds.Value;

    private static readonly Lazy<IReadOnlyList<FuzzSeed>> Seeds = new(Build);

    private static readonly int[] DataFields = [ShredLayout.VariantOffset, ShredLayout.IndexOffset, ShredLayout.FecSetIndexOffset, ShredLayout.ParentOffsetOffset, ShredLayout.FlagsOffset, ShredLayout.SizeOffset, ShredLayout.SizeOffset + 1];
    private static readonly int[] CodingFields = [ShredLayout.VariantOffset, ShredLayout.IndexOffset, ShredLayout.FecSetIndexOffset, ShredLayout.NumDataOffset, ShredLayout.NumCodingOffset, ShredLayout.PositionOffset];

    /// <summary>Sealed FEC sets of three shapes: 32 + 32 (default), 5 + 11, 1 + 1; from each, data shreds of several sizes and coding shreds.</summary>
    private static List<FuzzSeed> Build()
    {
        var leader = Keypair.Generate();
        Random random = new(5);
        List<FuzzSeed> seeds = [];
        foreach ((int dataCount, int codingCount, uint fecSetIndex) in new[] { (32, 32, 64u), (5, 11, 0u), (1, 1, 200u) })
        {
            byte[] chained = new byte[ShredLayout.ChainedRootSize];
            random.NextBytes(chained);
            Hash chainedRoot = new(chained);
            int count = dataCount + codingCount;
            int depth = System.Numerics.BitOperations.Log2((uint)count);
            int stride = ShredLayout.CodingShredSize;
            byte[] slab = new byte[count * stride];
            for (int i = 0; i < dataCount; i++)
            {
                int size = i switch { 0 => 0, 1 => ShredLayout.DataCapacity(depth), _ => random.Next(ShredLayout.DataCapacity(depth)) };
                byte[] data = new byte[size];
                random.NextBytes(data);
                ShredFlags flags = i == dataCount - 1 ? ShredFlags.LastInFecSet | ShredFlags.LastInSlot : ShredFlags.None;
                ShredWriter.WriteData(slab.AsSpan(i * stride), new ShredCommonHeader(777, fecSetIndex + (uint)i, 3, fecSetIndex, chainedRoot), depth, 1, flags, data);
            }
            for (int i = 0; i < codingCount; i++)
            {
                ShredWriter.WriteCoding(slab.AsSpan((dataCount + i) * stride), new ShredCommonHeader(777, fecSetIndex + (uint)i, 3, fecSetIndex, chainedRoot), dataCount, codingCount, i, default);
                random.NextBytes(ShredWriter.ParityRegion(slab.AsSpan((dataCount + i) * stride, stride)));
            }
            FecSetMerkle.Seal(slab, stride, count, leader);
            for (int i = 0; i < Math.Min(dataCount, 3); i++) seeds.Add(new FuzzSeed(slab.AsSpan(i * stride, ShredLayout.DataShredSize).ToArray(), DataFields));
            for (int i = 0; i < Math.Min(codingCount, 2); i++) seeds.Add(new FuzzSeed(slab.AsSpan((dataCount + i) * stride, ShredLayout.CodingShredSize).ToArray(), CodingFields));
        }
        return seeds;
    }
}
