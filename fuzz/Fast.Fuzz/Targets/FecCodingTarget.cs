using System.Runtime.InteropServices;
using Fast.Core.Codec;
using Fast.Core.Primitives;
using Fast.Core.Shreds;
using Fast.Crypto;

namespace Fast.Fuzz.Targets;

/// <summary>
/// A coding shred from the network through the FEC-set path: <see cref="ShredView.TryParse"/> (a
/// coding shred is required), re-encoded with <see cref="ShredWriter"/> as the canonicality check,
/// then handed first to a <see cref="FecSetRecovery"/> that already expects the rest of a genuine
/// 2 + 2 set (data shred 1 and the other coding shred follow it), and recovery attempted. Any
/// outcome must be a status, never an exception; a recovery that reports success must rebuild the
/// genuine set byte for byte (otherwise the input counts as non-canonical).
/// </summary>
public readonly struct FecCodingTarget : IFuzzTarget
{
    private const int DataCount = 2, CodingCount = 2, Count = DataCount + CodingCount;
    private const int Stride = ShredLayout.CodingShredSize;

    [ThreadStatic]
    private static FecSetRecovery? _recovery;

    public string Name => "fec-coding";

    public int MaxInputLength => ShredLayout.MaxShredSize + 64;

    public DecodeStatus Check(ReadOnlySpan<byte> input, Span<byte> scratch, out bool canonical)
    {
        canonical = false;
        DecodeResult result = ShredView.TryParse(input, out ShredView shred);
        if (!result.IsOk) return result.Status;
        if (!shred.IsCoding) return DecodeStatus.InvalidValue;
        ShredCommonHeader header = new(shred.Slot, shred.Index, shred.Version, shred.FecSetIndex, shred.ChainedRoot);
        int length = ShredWriter.WriteCoding(scratch, header, shred.NumData, shred.NumCoding, shred.Position, shred.Parity);
        Span<byte> written = scratch[..length];
        ShredWriter.WriteProof(written, MemoryMarshal.Cast<byte, Hash>(shred.Proof));
        ShredWriter.WriteSignature(written, shred.SignatureBytes);
        bool roundTrips = written.SequenceEqual(input);

        byte[] genuine = Genuine.Value.Slab;
        FecSetRecovery recovery = _recovery ??= new FecSetRecovery();
        recovery.Reset();
        recovery.TryAdd(input, out _);
        recovery.TryAdd(ShredAt(genuine, 1), out _);
        recovery.TryAdd(ShredAt(genuine, shred.Position == 0 ? DataCount + 1 : DataCount), out _);
        bool consistent = true;
        if (recovery.TryRecover() == FecRecoverStatus.Recovered)
        {
            for (int leaf = 0; leaf < Count; leaf++) consistent &= recovery.Shred(leaf).SequenceEqual(ShredAt(genuine, leaf));
        }
        canonical = roundTrips && consistent;
        return DecodeStatus.Ok;
    }

    private static ReadOnlySpan<byte> ShredAt(byte[] slab, int leaf) =>
        slab.AsSpan(leaf * Stride, leaf < DataCount ? ShredLayout.DataShredSize : ShredLayout.CodingShredSize);

    public IReadOnlyList<FuzzSeed> CreateSeeds() => Genuine.Value.Seeds;

    private static readonly Lazy<(byte[] Slab, IReadOnlyList<FuzzSeed> Seeds)> Genuine = new(Build);

    private static readonly int[] CodingFields = [ShredLayout.VariantOffset, ShredLayout.IndexOffset, ShredLayout.FecSetIndexOffset, ShredLayout.NumDataOffset, ShredLayout.NumCodingOffset, ShredLayout.PositionOffset];

    /// <summary>A sealed 2 + 2 set with real parity; its two coding shreds are the seeds.</summary>
    private static (byte[] Slab, IReadOnlyList<FuzzSeed> Seeds) Build()
    {
        var leader = Keypair.Generate();
        Random random = new(12);
        int depth = System.Numerics.BitOperations.Log2(Count);
        byte[] slab = new byte[Count * Stride];
        var chainedRoot = Hash.Compute("fec-coding fuzz: the previous set"u8);
        for (int i = 0; i < DataCount; i++)
        {
            byte[] data = new byte[random.Next(ShredLayout.DataCapacity(depth))];
            random.NextBytes(data);
            ShredFlags flags = i == DataCount - 1 ? ShredFlags.LastInFecSet : ShredFlags.None;
            ShredWriter.WriteData(slab.AsSpan(i * Stride), new ShredCommonHeader(900, 40 + (uint)i, 3, 40, chainedRoot), depth, 2, flags, data);
        }
        for (int i = 0; i < CodingCount; i++)
        {
            ShredWriter.WriteCoding(slab.AsSpan((DataCount + i) * Stride), new ShredCommonHeader(900, 40 + (uint)i, 3, 40, chainedRoot), DataCount, CodingCount, i, default);
        }
        FecSetCoder.EncodeParity(slab, Stride, DataCount, CodingCount);
        FecSetMerkle.Seal(slab, Stride, Count, leader);
        List<FuzzSeed> seeds = [];
        for (int i = 0; i < CodingCount; i++) seeds.Add(new FuzzSeed(ShredAt(slab, DataCount + i).ToArray(), CodingFields));
        return (slab, seeds);
    }
}
