using Fast.Crypto.ReedSolomon;

namespace Fast.Node.Bench;

/// <summary>
/// ISA-L's side of `fast bench fec`, used the way ISA-L's own erasure_code example uses it: the
/// encoding matrix [I; parity rows] (ours, so both give the same bytes), tables expanded once for
/// encoding; for each recovery, the 32 rows of the first 32 present shards inverted with
/// gf_invert_matrix, the missing shards' decode rows formed (parity rows multiplied through the
/// inverse), ec_init_tables, then ec_encode_data. Scratch is preallocated; nothing allocates per set.
/// </summary>
internal sealed unsafe class FecBenchIsa
{
    private const int K = 32, M = 32, N = K + M;

    private readonly IsaLibrary _isa;
    private readonly int _shardSize;
    private readonly byte[] _encodeMatrix = new byte[N * K];
    private readonly byte[] _encodeTables = new byte[32 * K * M];
    private readonly byte[] _submatrix = new byte[K * K];
    private readonly byte[] _inverse = new byte[K * K];
    private readonly byte[] _decodeMatrix = new byte[M * K];
    private readonly byte[] _decodeTables = new byte[32 * K * M];
    private readonly nint[] _sources = new nint[K];
    private readonly nint[] _outputs = new nint[M];

    public FecBenchIsa(IsaLibrary isa, ReedSolomonCode code, int shardSize)
    {
        _isa = isa;
        _shardSize = shardSize;
        for (int i = 0; i < K; i++) _encodeMatrix[i * K + i] = 1;
        code.ParityMatrix.CopyTo(_encodeMatrix.AsSpan(K * K));
        fixed (byte* parity = &_encodeMatrix[K * K])
        fixed (byte* tables = _encodeTables)
        {
            _isa.InitTables(K, M, parity, tables);
        }
    }

    public void Encode(ReadOnlySpan<nint> shards)
    {
        fixed (byte* tables = _encodeTables)
        fixed (nint* data = shards)
        {
            _isa.EncodeData(_shardSize, K, M, tables, (byte**)data, (byte**)(data + K));
        }
    }

    public void Recover(ReadOnlySpan<nint> shards, ReadOnlySpan<bool> present)
    {
        int rows = 0, missing = 0;
        for (int i = 0; i < N; i++)
        {
            if (present[i] && rows < K)
            {
                _encodeMatrix.AsSpan(i * K, K).CopyTo(_submatrix.AsSpan(rows * K));
                _sources[rows++] = shards[i];
            }
        }
        fixed (byte* sub = _submatrix)
        fixed (byte* inverse = _inverse)
        {
            if (!_isa.InvertMatrix(sub, inverse, K)) throw new InvalidOperationException("ISA-L: singular decode matrix");
        }
        for (int i = 0; i < N; i++)
        {
            if (present[i]) continue;
            Span<byte> row = _decodeMatrix.AsSpan(missing * K, K);
            if (i < K)
            {
                _inverse.AsSpan(i * K, K).CopyTo(row);
            }
            else
            {
                // A lost parity shard: its encoding row times the inverse.
                ReadOnlySpan<byte> encodeRow = _encodeMatrix.AsSpan(i * K, K);
                for (int j = 0; j < K; j++)
                {
                    byte sum = 0;
                    for (int t = 0; t < K; t++) sum ^= GaloisField.Multiply(encodeRow[t], _inverse[t * K + j]);
                    row[j] = sum;
                }
            }
            _outputs[missing++] = shards[i];
        }
        fixed (byte* decode = _decodeMatrix)
        fixed (byte* tables = _decodeTables)
        fixed (nint* sources = _sources)
        fixed (nint* outputs = _outputs)
        {
            _isa.InitTables(K, missing, decode, tables);
            _isa.EncodeData(_shardSize, K, missing, tables, (byte**)sources, (byte**)outputs);
        }
    }
}
