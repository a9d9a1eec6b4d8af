using System.Buffers;
using System.Runtime.InteropServices;

namespace Fast.Crypto.ReedSolomon;

/// <summary>
/// Recovery: rebuilds every missing shard from any k present ones. The decode matrix depends on the
/// erasure pattern (random patterns almost never repeat), so each call solves for it in scratch
/// space: with D the e missing data shards and P the first e present parity shards, the parity
/// equations give A·d_D = c_P + B·d_S (A = E[P][D], B = E[P][present data]); one Gauss-Jordan
/// elimination of the e × (k + e) matrix [A | B | I] yields [I | A⁻¹B | A⁻¹], whose rows are the
/// missing data shards' coefficients over the k sources (present data, then P). Missing parity is
/// then encoded again from the completed data. Both steps run on the chosen SIMD kernel.
/// </summary>
public sealed partial class ReedSolomonCode
{
    /// <summary>The largest scratch the convenience overloads put on the stack; bigger codes rent from the shared pool.</summary>
    private const int MaxStackScratch = 32 * 1024;

    /// <summary>
    /// Rebuilds the shards whose <paramref name="present"/> flag is false, in place: shard i (data
    /// first, then parity) lives at <paramref name="shards"/>[i] (pinned memory of
    /// <paramref name="shardSize"/> bytes; missing ones are written, present ones only read).
    /// Returns <see cref="ReedSolomonStatus.TooFewShards"/> (writing nothing) when fewer than k are present.
    /// <paramref name="scratch"/> holds at least <see cref="RecoverScratchSize"/> bytes.
    /// </summary>
    public unsafe ReedSolomonStatus Recover(ReadOnlySpan<nint> shards, ReadOnlySpan<bool> present, int shardSize, Span<byte> scratch,
        ReedSolomonKernel kernel = ReedSolomonKernel.Auto)
    {
        int k = DataShards, m = ParityShards;
        if (shards.Length != TotalShards) ThrowHelper.ThrowArgumentLength(nameof(shards), TotalShards);
        if (present.Length != TotalShards) ThrowHelper.ThrowArgumentLength(nameof(present), TotalShards);
        if (scratch.Length < RecoverScratchSize) ThrowHelper.ThrowArgumentTooShort(nameof(scratch), RecoverScratchSize);
        if (shardSize < 0) ThrowHelper.ThrowArgumentOutOfRange(nameof(shardSize), "must not be negative");
        ReedSolomonKernel resolved = Resolve(kernel);

        int presentCount = 0, missingData = 0, missingParity = 0;
        for (int i = 0; i < TotalShards; i++)
        {
            if (present[i]) presentCount++;
            else if (i < k) missingData++;
            else missingParity++;
        }
        if (presentCount < k) return ReedSolomonStatus.TooFewShards;
        if (missingData + missingParity == 0) return ReedSolomonStatus.Ok;

        Span<byte> coef = scratch[..(m * k)];
        Span<ulong> affine = MemoryMarshal.Cast<byte, ulong>(scratch.Slice(m * k, m * k * sizeof(ulong)));
        Span<byte> elimination = scratch[(m * k * (1 + sizeof(ulong)))..];
        Span<nint> src = stackalloc nint[k];
        Span<nint> dst = stackalloc nint[m];

        fixed (byte* coefPtr = coef)
        fixed (ulong* affinePtr = affine)
        fixed (nint* srcPtr = src)
        fixed (nint* dstPtr = dst)
        {
            if (missingData > 0)
            {
                SolveMissingData(shards, present, missingData, coef, affine, elimination, src, dst);
                ReedSolomonKernels.Multiply(resolved, coefPtr, affinePtr, k, (byte**)srcPtr, missingData, (byte**)dstPtr, shardSize);
            }
            if (missingParity > 0)
            {
                // Missing parity: encode those rows again from the (now complete) data.
                int rows = 0;
                Span<byte> lost = stackalloc byte[missingParity];
                for (int i = 0; i < m; i++)
                {
                    if (present[k + i]) continue;
                    dst[rows] = shards[k + i];
                    lost[rows++] = (byte)i;
                }
                fixed (byte* parityRows = _parityRows)
                fixed (ulong* parityAffine = _parityAffine)
                {
                    for (int j = 0; j < k; j++)
                    {
                        src[j] = shards[j];
                        for (int r = 0; r < rows; r++)
                        {
                            coefPtr[j * rows + r] = parityRows[lost[r] * k + j];
                            affinePtr[j * rows + r] = parityAffine[j * m + lost[r]];
                        }
                    }
                }
                ReedSolomonKernels.Multiply(resolved, coefPtr, affinePtr, k, (byte**)srcPtr, rows, (byte**)dstPtr, shardSize);
            }
        }
        return ReedSolomonStatus.Ok;
    }

    /// <summary><see cref="Recover(ReadOnlySpan{nint}, ReadOnlySpan{bool}, int, Span{byte}, ReedSolomonKernel)"/> with scratch on the stack (or rented for codes whose scratch passes 32 KB).</summary>
    public ReedSolomonStatus Recover(ReadOnlySpan<nint> shards, ReadOnlySpan<bool> present, int shardSize, ReedSolomonKernel kernel = ReedSolomonKernel.Auto)
    {
        if (RecoverScratchSize <= MaxStackScratch)
        {
            Span<byte> scratch = stackalloc byte[RecoverScratchSize];
            return Recover(shards, present, shardSize, scratch, kernel);
        }
        byte[] rented = ArrayPool<byte>.Shared.Rent(RecoverScratchSize);
        try
        {
            return Recover(shards, present, shardSize, rented, kernel);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Recovery over equal-stride shards: shard i (data first, then parity) is
    /// <paramref name="shards"/>[i·stride ..][..shardSize]; the missing ones are written in place.
    /// </summary>
    public unsafe ReedSolomonStatus Recover(Span<byte> shards, int stride, int shardSize, ReadOnlySpan<bool> present,
        ReedSolomonKernel kernel = ReedSolomonKernel.Auto)
    {
        CheckStrided(shards.Length, stride, TotalShards, shardSize, nameof(shards));
        Span<nint> pointers = stackalloc nint[TotalShards];
        fixed (byte* s = shards)
        {
            for (int i = 0; i < TotalShards; i++) pointers[i] = (nint)(s + (long)i * stride);
            return Recover(pointers, present, shardSize, kernel);
        }
    }

    /// <summary>
    /// Fills coef/affine (source-major, e rows) with the missing data shards' coefficients over the
    /// sources it puts in <paramref name="src"/> (present data in order, then the first e present
    /// parity shards), and the missing data shards' pointers in <paramref name="dst"/>.
    /// </summary>
    private void SolveMissingData(ReadOnlySpan<nint> shards, ReadOnlySpan<bool> present, int e, Span<byte> coef, Span<ulong> affine,
        Span<byte> elimination, Span<nint> src, Span<nint> dst)
    {
        int k = DataShards;
        int stride = EliminationStride;
        Span<byte> matrix = elimination[..(e * stride)];
        matrix.Clear();
        Span<byte> missing = stackalloc byte[e];
        Span<byte> kept = stackalloc byte[k - e];
        int d = 0, s = 0;
        for (int j = 0; j < k; j++)
        {
            if (present[j])
            {
                src[s] = shards[j];
                kept[s++] = (byte)j;
            }
            else
            {
                dst[d] = shards[j];
                missing[d++] = (byte)j;
            }
        }
        // Row t: parity shard P[t]'s equation, [A | B | I].
        int t = 0;
        for (int i = 0; t < e; i++)
        {
            if (!present[k + i]) continue;
            src[k - e + t] = shards[k + i];
            ReadOnlySpan<byte> parityRow = _parityRows.AsSpan(i * k, k);
            Span<byte> row = matrix.Slice(t * stride, stride);
            for (int c = 0; c < e; c++) row[c] = parityRow[missing[c]];
            for (int c = 0; c < k - e; c++) row[e + c] = parityRow[kept[c]];
            row[k + t] = 1;
            t++;
        }
        // A is a square block of an MDS code's matrix, so it is never singular.
        if (!GaloisMatrix.Eliminate(matrix, e, stride)) ThrowHelper.ThrowNativeFailure("decode matrix is singular");
        for (int r = 0; r < e; r++)
        {
            ReadOnlySpan<byte> row = matrix.Slice(r * stride + e, k);
            for (int j = 0; j < k; j++)
            {
                coef[j * e + r] = row[j];
                affine[j * e + r] = GaloisField.AffineMatrix(row[j]);
            }
        }
    }
}
