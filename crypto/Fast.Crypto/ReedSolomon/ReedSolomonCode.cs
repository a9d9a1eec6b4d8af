namespace Fast.Crypto.ReedSolomon;

/// <summary>What a recovery came to: every shard present, or too few left to rebuild the set.</summary>
public enum ReedSolomonStatus
{
    Ok = 0,

    /// <summary>Fewer than the data shard count remain; nothing was written.</summary>
    TooFewShards,
}

/// <summary>
/// A systematic Reed-Solomon erasure code over GF(2^8) (<see cref="GaloisField"/>) with k data and
/// m parity shards, k + m ≤ 256: the construction Solana shreds use (Agave's rust-rse, Firedancer),
/// so parity bytes are theirs byte for byte. V[r][c] = r^c (0^0 = 1) is the n × k Vandermonde matrix
/// and E = V · inverse(V[0..k)), whose top k rows are the identity; parity shard i = Σ_j E[k+i][j]·data[j].
/// Any k of the n shards rebuild the rest (<see cref="Recover(ReadOnlySpan{nint}, ReadOnlySpan{bool}, int, Span{byte}, ReedSolomonKernel)"/>).
/// A code is immutable and may be shared by any number of threads; its calls allocate nothing.
/// Shards are given either as pointers to pinned memory (a FEC set's shreds sit in packet buffers, at
/// different offsets per kind) or as equal-stride slices of one span. 32:32 is the shred fast path
/// (<see cref="Shreds32"/>).
/// </summary>
public sealed partial class ReedSolomonCode
{
    public const int MaxShards = 256;

    /// <summary>E's parity rows, row-major: [i·k + j] = E[k+i][j].</summary>
    private readonly byte[] _parityRows;

    /// <summary>The same coefficients source-major ([j·m + i]), the kernels' layout.</summary>
    private readonly byte[] _paritySourceMajor;

    /// <summary>The GFNI kernel's 8×8 bit matrices for <see cref="_paritySourceMajor"/>.</summary>
    private readonly ulong[] _parityAffine;

    private ReedSolomonCode(int dataShards, int parityShards, byte[] parityRows)
    {
        DataShards = dataShards;
        ParityShards = parityShards;
        _parityRows = parityRows;
        _paritySourceMajor = new byte[parityRows.Length];
        _parityAffine = new ulong[parityRows.Length];
        for (int i = 0; i < parityShards; i++)
        {
            for (int j = 0; j < dataShards; j++)
            {
                byte c = parityRows[i * dataShards + j];
                _paritySourceMajor[j * parityShards + i] = c;
                _parityAffine[j * parityShards + i] = GaloisField.AffineMatrix(c);
            }
        }
        int maxMissingData = Math.Min(dataShards, parityShards);
        EliminationStride = RoundUp32(dataShards + maxMissingData);
        // Output coefficients and their GFNI matrices (at most m rows of k), then the elimination matrix.
        RecoverScratchSize = parityShards * dataShards * (1 + sizeof(ulong)) + maxMissingData * EliminationStride;
    }

    /// <summary>The shred FEC set's code: 32 data + 32 coding shreds.</summary>
    public static ReedSolomonCode Shreds32 { get; } = Create(32, 32);

    public int DataShards { get; }

    public int ParityShards { get; }

    public int TotalShards => DataShards + ParityShards;

    /// <summary>Bytes of scratch <see cref="Recover(ReadOnlySpan{nint}, ReadOnlySpan{bool}, int, Span{byte}, ReedSolomonKernel)"/> needs (11,264 for 32:32).</summary>
    public int RecoverScratchSize { get; }

    private int EliminationStride { get; }

    /// <summary>The m × k parity block of the encoding matrix, row-major (for 32:32, Firedancer's <c>generic_constants</c> matrix).</summary>
    public ReadOnlySpan<byte> ParityMatrix => _parityRows;

    /// <summary>The kernel <see cref="ReedSolomonKernel.Auto"/> resolves to on this CPU.</summary>
    public static ReedSolomonKernel BestKernel => ReedSolomonKernels.Best;

    public static bool IsSupported(ReedSolomonKernel kernel) => ReedSolomonKernels.IsSupported(kernel);

    /// <summary>Builds the code (cold: O(n·k²) field operations and a few KB of tables). Throws on k &lt; 1, m &lt; 1 or k + m &gt; 256.</summary>
    public static ReedSolomonCode Create(int dataShards, int parityShards)
    {
        if (dataShards < 1 || parityShards < 1 || dataShards + parityShards > MaxShards)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(parityShards), "need k ≥ 1, m ≥ 1 and k + m ≤ 256");
        }
        int k = dataShards;
        // [V_top | I] → [I | V_top⁻¹].
        byte[] augmented = new byte[k * 2 * k];
        for (int r = 0; r < k; r++)
        {
            for (int c = 0; c < k; c++) augmented[r * 2 * k + c] = GaloisField.Power((byte)r, c);
            augmented[r * 2 * k + k + r] = 1;
        }
        if (!GaloisMatrix.Eliminate(augmented, k, 2 * k)) ThrowHelper.ThrowNativeFailure("Vandermonde block is singular");
        byte[] parityRows = new byte[parityShards * k];
        for (int i = 0; i < parityShards; i++)
        {
            int r = k + i;
            for (int c = 0; c < k; c++)
            {
                byte sum = 0;
                for (int t = 0; t < k; t++) sum ^= GaloisField.Multiply(GaloisField.Power((byte)r, t), augmented[t * 2 * k + k + c]);
                parityRows[i * k + c] = sum;
            }
        }
        return new ReedSolomonCode(dataShards, parityShards, parityRows);
    }

    /// <summary>
    /// Computes the m parity shards from the k data shards, <paramref name="shardSize"/> bytes each.
    /// Pointers must stay valid (pinned) for the call; parity must not overlap data.
    /// </summary>
    public unsafe void Encode(ReadOnlySpan<nint> data, ReadOnlySpan<nint> parity, int shardSize, ReedSolomonKernel kernel = ReedSolomonKernel.Auto)
    {
        if (data.Length != DataShards) ThrowHelper.ThrowArgumentLength(nameof(data), DataShards);
        if (parity.Length != ParityShards) ThrowHelper.ThrowArgumentLength(nameof(parity), ParityShards);
        if (shardSize < 0) ThrowHelper.ThrowArgumentOutOfRange(nameof(shardSize), "must not be negative");
        ReedSolomonKernel resolved = Resolve(kernel);
        fixed (nint* src = data)
        fixed (nint* dst = parity)
        fixed (byte* coef = _paritySourceMajor)
        fixed (ulong* affine = _parityAffine)
        {
            ReedSolomonKernels.Multiply(resolved, coef, affine, DataShards, (byte**)src, ParityShards, (byte**)dst, shardSize);
        }
    }

    /// <summary>
    /// <see cref="Encode(ReadOnlySpan{nint}, ReadOnlySpan{nint}, int, ReedSolomonKernel)"/> over equal-stride shards: data shard j is
    /// <paramref name="data"/>[j·dataStride ..][..shardSize], parity shard i <paramref name="parity"/>[i·parityStride ..][..shardSize].
    /// </summary>
    public unsafe void Encode(ReadOnlySpan<byte> data, int dataStride, Span<byte> parity, int parityStride, int shardSize,
        ReedSolomonKernel kernel = ReedSolomonKernel.Auto)
    {
        CheckStrided(data.Length, dataStride, DataShards, shardSize, nameof(data));
        CheckStrided(parity.Length, parityStride, ParityShards, shardSize, nameof(parity));
        Span<nint> src = stackalloc nint[DataShards];
        Span<nint> dst = stackalloc nint[ParityShards];
        fixed (byte* d = data)
        fixed (byte* p = parity)
        {
            for (int j = 0; j < DataShards; j++) src[j] = (nint)(d + (long)j * dataStride);
            for (int i = 0; i < ParityShards; i++) dst[i] = (nint)(p + (long)i * parityStride);
            Encode(src, dst, shardSize, kernel);
        }
    }

    private static ReedSolomonKernel Resolve(ReedSolomonKernel kernel)
    {
        if (kernel == ReedSolomonKernel.Auto) return ReedSolomonKernels.Best;
        if (!ReedSolomonKernels.IsSupported(kernel)) ThrowHelper.ThrowPlatformNotSupported(kernel.ToString());
        return kernel;
    }

    private static void CheckStrided(int length, int stride, int count, int shardSize, string name)
    {
        if (shardSize < 0 || stride < shardSize) ThrowHelper.ThrowArgumentOutOfRange(name, "stride must be at least the shard size");
        if ((long)(count - 1) * stride + shardSize > length) ThrowHelper.ThrowArgumentTooShort(name, (int)Math.Min(int.MaxValue, (long)(count - 1) * stride + shardSize));
    }

    private static int RoundUp32(int value) => (value + 31) & ~31;
}
