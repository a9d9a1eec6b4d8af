using Fast.Core.Primitives;
using Fast.Core.Shreds;
using Fast.Crypto;

namespace Fast.Core.Tests.Shreds;

/// <summary>Sealed FEC sets and single shreds for shred tests.</summary>
internal static class TestShreds
{
    internal const ulong Slot = 1000;
    internal const ushort Version = 7;

    /// <summary>A sealed FEC set of <paramref name="dataCount"/> + <paramref name="codingCount"/> shreds (shred i at i × CodingShredSize).</summary>
    internal static (byte[] Slab, Hash Root) SealedSet(Keypair leader, int dataCount, int codingCount, uint fecSetIndex, Random random)
    {
        byte[] chained = new byte[ShredLayout.ChainedRootSize];
        random.NextBytes(chained);
        return SealedSet(leader, dataCount, codingCount, fecSetIndex, random, new Hash(chained));
    }

    /// <summary>A sealed set that chains <paramref name="chainedRoot"/> (the previous set's root).</summary>
    internal static (byte[] Slab, Hash Root) SealedSet(Keypair leader, int dataCount, int codingCount, uint fecSetIndex, Random random, Hash chainedRoot)
    {
        int count = dataCount + codingCount;
        int depth = System.Numerics.BitOperations.Log2((uint)count);
        int stride = ShredLayout.CodingShredSize;
        byte[] slab = new byte[count * stride];
        for (int i = 0; i < dataCount; i++)
        {
            byte[] data = new byte[random.Next(ShredLayout.DataCapacity(depth) + 1)];
            random.NextBytes(data);
            ShredFlags flags = i == dataCount - 1 ? ShredFlags.LastInFecSet : ShredFlags.None;
            ShredWriter.WriteData(slab.AsSpan(i * stride), new ShredCommonHeader(Slot, fecSetIndex + (uint)i, Version, fecSetIndex, chainedRoot), depth, 3, flags, data);
        }
        for (int i = 0; i < codingCount; i++)
        {
            byte[] parity = new byte[ShredLayout.ErasureShardSize(depth)];
            random.NextBytes(parity);
            ShredWriter.WriteCoding(slab.AsSpan((dataCount + i) * stride), new ShredCommonHeader(Slot, fecSetIndex + (uint)i, Version, fecSetIndex, chainedRoot),
                dataCount, codingCount, i, parity);
        }
        Hash root = FecSetMerkle.Seal(slab, stride, count, leader);
        return (slab, root);
    }

    internal static byte[] ShredAt(byte[] slab, int leaf, bool isData) =>
        slab.AsSpan(leaf * ShredLayout.CodingShredSize, isData ? ShredLayout.DataShredSize : ShredLayout.CodingShredSize).ToArray();

    /// <summary>One data shred of a default-depth set with <paramref name="dataSize"/> bytes of data (not sealed).</summary>
    internal static byte[] Data(int dataSize = 100, uint index = 5, uint fecSetIndex = 0, ShredFlags flags = ShredFlags.None)
    {
        byte[] shred = new byte[ShredLayout.DataShredSize];
        byte[] data = new byte[dataSize];
        new Random(dataSize).NextBytes(data);
        ShredWriter.WriteData(shred, new ShredCommonHeader(Slot, index, Version, fecSetIndex), ShredLayout.DefaultProofDepth, 1, flags, data);
        return shred;
    }

    /// <summary>One coding shred of a default 32 + 32 set (not sealed).</summary>
    internal static byte[] Coding(int position = 3)
    {
        byte[] shred = new byte[ShredLayout.CodingShredSize];
        ShredWriter.WriteCoding(shred, new ShredCommonHeader(Slot, (uint)position, Version, 0), 32, 32, position, default);
        return shred;
    }
}
