using System.Buffers.Binary;
using Fast.Core.Primitives;
using Fast.Crypto.ReedSolomon;

namespace Fast.Core.Shreds;

/// <summary>
/// The leader's Reed-Solomon step for a FEC set, between writing its shreds (<see cref="ShredWriter"/>)
/// and sealing them (<see cref="FecSetMerkle.Seal"/>): the parity of every coding shred from the
/// erasure shards of the data shreds (<see cref="ShredView.ErasureShard"/>: bytes 64 up to the end of
/// the data area, 915 at depth 6), written in place. Also the one table of codes, one per
/// data:coding split a FEC set may use (made on first use, then shared by every thread).
/// Not yet wired into the broadcast path; the Turbine work calls it.
/// </summary>
public static class FecSetCoder
{
    private const int MaxSide = FecSetMerkle.MaxShreds;

    private static readonly ReedSolomonCode?[] Codes = new ReedSolomonCode?[(MaxSide + 1) * (MaxSide + 1)];

    /// <summary>The code for <paramref name="numData"/> data + <paramref name="numCoding"/> coding shreds (both ≥ 1, sum ≤ 128).</summary>
    public static ReedSolomonCode CodeFor(int numData, int numCoding)
    {
        if (numData < 1 || numCoding < 1 || numData + numCoding > MaxSide) ThrowHelper.ThrowArgument(nameof(numCoding), "num_data, num_coding ≥ 1 and their sum at most 128");
        if (numData == ShredLayout.DefaultDataShreds && numCoding == ShredLayout.DefaultCodingShreds) return ReedSolomonCode.Shreds32;
        ref ReedSolomonCode? slot = ref Codes[numData * (MaxSide + 1) + numCoding];
        if (slot is null) Interlocked.CompareExchange(ref slot, ReedSolomonCode.Create(numData, numCoding), null);
        return slot;
    }

    /// <summary>
    /// Fills the parity of the set's coding shreds. The set is laid out in leaf order in
    /// <paramref name="slab"/> (shred i at i × <paramref name="stride"/>, data shreds then coding
    /// shreds, as <see cref="FecSetMerkle.FillProofs"/> takes it), every shred already written;
    /// proofs and signature may still be empty (they are not coded). Allocation-free.
    /// </summary>
    public static unsafe void EncodeParity(Span<byte> slab, int stride, int numData, int numCoding)
    {
        ReedSolomonCode code = CodeFor(numData, numCoding);
        int count = numData + numCoding;
        if ((count & (count - 1)) != 0) ThrowHelper.ThrowArgument(nameof(numCoding), "a FEC set has 2^depth shreds");
        if (stride < ShredLayout.CodingShredSize || (long)stride * count > slab.Length) ThrowHelper.ThrowArgument(nameof(slab), "shorter than count × stride, or a stride below a coding shred");
        int depth = System.Numerics.BitOperations.Log2((uint)count);
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> shred = slab.Slice(i * stride, stride);
            ShredKind kind = i < numData ? ShredKind.Data : ShredKind.Coding;
            if (shred[ShredLayout.VariantOffset] != ShredLayout.Variant(kind, depth)) ThrowHelper.ThrowArgument(nameof(slab), "shred kinds or depths do not match the set's layout");
            if (kind == ShredKind.Coding && BinaryPrimitives.ReadUInt16LittleEndian(shred[ShredLayout.NumDataOffset..]) != numData)
            {
                ThrowHelper.ThrowArgument(nameof(slab), "a coding shred's num_data differs from the set's");
            }
        }
        int shardSize = ShredLayout.ErasureShardSize(depth);
        Span<nint> data = stackalloc nint[numData];
        Span<nint> parity = stackalloc nint[numCoding];
        fixed (byte* s = slab)
        {
            for (int i = 0; i < numData; i++) data[i] = (nint)(s + (long)i * stride + ShredLayout.SignatureSize);
            for (int i = 0; i < numCoding; i++) parity[i] = (nint)(s + (long)(numData + i) * stride + ShredLayout.ParityOffset);
            code.Encode(data, parity, shardSize);
        }
    }

    /// <summary>Pointers to a set's erasure shards in a pinned slab (data at byte 64 of its shred, parity at byte 89).</summary>
    internal static unsafe void ShardPointers(byte* slab, int stride, int numData, Span<nint> shards)
    {
        for (int i = 0; i < shards.Length; i++)
        {
            shards[i] = (nint)(slab + (long)i * stride + (i < numData ? ShredLayout.SignatureSize : ShredLayout.ParityOffset));
        }
    }
}
