using System.Runtime.InteropServices;
using Fast.Core.Shreds;
using Fast.Crypto.ReedSolomon;
using Fast.Node.Cli;

namespace Fast.Node.Bench;

/// <summary>
/// `fast bench fec`: Reed-Solomon over 32 + 32 FEC sets of shred-sized shards (915 bytes: what a
/// depth-6 shred erasure-codes), laid out where the shred layout puts them (data at byte 64 and
/// parity at byte 89 of 1,232-byte packet buffers). Encode, and recover from random 32-of-64
/// erasure patterns with the decode matrix solved per set, for our coder (each kernel) and Intel
/// ISA-L on the same buffers in the same run. ISA-L is loaded at run time (<see cref="IsaLibrary"/>);
/// without it the bench fails rather than print a result with no reference.
/// </summary>
public static unsafe class FecBench
{
    private const int K = 32, M = 32, N = K + M;
    private const int Sets = 16;
    private const int Patterns = 1024;
    private const int PacketStride = ShredLayout.MaxShredSize;

    /// <summary>Rounds of the paired (ours, ISA-L) measurements behind the headline ratios.</summary>
    private const int PairRounds = 40;

    public static BenchReport Run(double seconds)
    {
        using IsaLibrary isa = IsaLibrary.TryLoad(out string? error)
            ?? throw new CliException($"bench fec needs Intel ISA-L as its reference and cannot load it: {error}", ExitCodes.Failure);
        int shardSize = ShredLayout.ErasureShardSize(ShredLayout.DefaultProofDepth);
        using FecBenchSets sets = new(Sets, shardSize, new Random(2026));
        ReedSolomonCode code = ReedSolomonCode.Shreds32;
        FecBenchIsa reference = new(isa, code, shardSize);
        bool[][] patterns = RandomPatterns(new Random(7));
        byte[] scratch = new byte[code.RecoverScratchSize];
        long bytesPerPass = (long)Sets * K * shardSize;
        int next = 0;

        long Encode(ReedSolomonKernel kernel)
        {
            for (int s = 0; s < Sets; s++) code.Encode(sets.Data(s), sets.Parity(s), shardSize, kernel);
            return bytesPerPass;
        }
        long Recover(ReedSolomonKernel kernel)
        {
            for (int s = 0; s < Sets; s++)
            {
                if (code.Recover(sets.Shards(s), patterns[next++ & (Patterns - 1)], shardSize, scratch, kernel) != ReedSolomonStatus.Ok) throw new InvalidOperationException("recovery failed with 32 shards present");
            }
            return bytesPerPass;
        }
        long IsaEncode()
        {
            for (int s = 0; s < Sets; s++) reference.Encode(sets.Shards(s));
            return bytesPerPass;
        }
        long IsaRecover()
        {
            for (int s = 0; s < Sets; s++) reference.Recover(sets.Shards(s), patterns[next++ & (Patterns - 1)]);
            return bytesPerPass;
        }

        // Both coders must give the same bytes: encode with ISA-L, then check ours agrees.
        IsaEncode();
        byte[] isaParity = sets.Snapshot();
        Encode(ReedSolomonKernel.Scalar);
        bool parityAgrees = sets.Snapshot().AsSpan().SequenceEqual(isaParity);
        if (!parityAgrees) throw new CliException("bench fec: ISA-L's parity differs from ours for the same matrix", ExitCodes.Internal);
        byte[] encoded = isaParity;

        // The headline ratios: ours and ISA-L alternate in short adjacent slices (many rounds), and each
        // ratio is the median over rounds of ours ÷ ISA-L, so a neighbour stealing the shared CPU skews few pairs.
        double pairSeconds = seconds * 0.3;
        double[][] encodePair = Throughput.InterleavedRounds(pairSeconds, PairRounds, () => Encode(ReedSolomonKernel.Auto), IsaEncode);
        double[][] recoverPair = Throughput.InterleavedRounds(pairSeconds, PairRounds, () => Recover(ReedSolomonKernel.Auto), IsaRecover);

        // Each kernel's own figure, interleaved with ISA-L again.
        List<(string Name, Func<long> Run)> operations = [("isal_encode", IsaEncode), ("isal_recover", IsaRecover)];
        foreach (ReedSolomonKernel kernel in new[] { ReedSolomonKernel.Gfni, ReedSolomonKernel.Avx512, ReedSolomonKernel.Avx2, ReedSolomonKernel.Scalar })
        {
            if (!ReedSolomonCode.IsSupported(kernel)) continue;
            string name = kernel.ToString().ToLowerInvariant();
            operations.Add(($"encode_{name}", () => Encode(kernel)));
            operations.Add(($"recover_{name}", () => Recover(kernel)));
        }
        var runs = new Func<long>[operations.Count];
        for (int i = 0; i < runs.Length; i++) runs[i] = operations[i].Run;
        double[][] rounds = Throughput.InterleavedRounds(seconds - 2 * pairSeconds, Throughput.DefaultRounds, runs);

        // Every recovery rewrote its missing shards in place: the sets must still be the encoded ones.
        if (!sets.Snapshot().AsSpan().SequenceEqual(encoded)) throw new CliException("bench fec: a recovery produced different bytes", ExitCodes.Internal);

        BenchReport report = new("fec");
        report.Result("encode_gbps", Throughput.Median(encodePair[0]) / 1e9)
              .Result("recover_gbps", Throughput.Median(recoverPair[0]) / 1e9);
        for (int i = 2; i < operations.Count; i++) report.Result($"{operations[i].Name}_gbps", Throughput.Median(rounds[i]) / 1e9);
        report.Result("shard_bytes", shardSize).Result("data_bytes_per_set", K * shardSize);
        report.Reference("isal_encode_gbps", Throughput.Median(encodePair[1]) / 1e9)
              .Reference("isal_recover_gbps", Throughput.Median(recoverPair[1]) / 1e9);
        report.Ratio("encode_vs_isal", Throughput.MedianRatio(encodePair[0], encodePair[1]))
              .Ratio("recover_vs_isal", Throughput.MedianRatio(recoverPair[0], recoverPair[1]));
        for (int i = 2; i < operations.Count; i++)
        {
            bool encode = operations[i].Name.StartsWith("encode_", StringComparison.Ordinal);
            report.Ratio($"{operations[i].Name}_vs_isal", Throughput.MedianRatio(rounds[i], rounds[encode ? 0 : 1]));
        }

        double encodeAllocated = Throughput.AllocatedPerUnit(20, () => { Encode(ReedSolomonKernel.Auto); return Sets; });
        double recoverAllocated = Throughput.AllocatedPerUnit(20, () => { Recover(ReedSolomonKernel.Auto); return Sets; });
        report.AllocatedBytesPerOp = Math.Max(encodeAllocated, recoverAllocated);
        report.Note($"kernel: {ReedSolomonCode.BestKernel} (auto); reference: Intel ISA-L ec_encode_data from {isa.Path}, same buffers, same matrix (parity checked byte for byte)");
        report.Note($"{Sets} FEC sets of 32 + 32 shards of {shardSize} B (a depth-6 shred's erasure-coded bytes), at the shred layout's offsets in {PacketStride}-byte buffers; GB/s counts data bytes (32 x {shardSize} per set)");
        report.Note("recover: random 32-of-64 erasure patterns, all 32 missing shards rebuilt; the decode matrix is solved per set on both sides (ours: Gauss-Jordan on the e x (k+e) system; ISA-L: gf_invert_matrix + ec_init_tables)");
        report.Note($"Firedancer's GFNI coder is quoted at ~16 GB/s: this run's encode is {Throughput.Median(encodePair[0]) / 1e9 / 16 * 100:0}% of that, recover {Throughput.Median(recoverPair[0]) / 1e9 / 16 * 100:0}% (on a shared 2-core host)");
        return report;
    }

    /// <summary>Random patterns of exactly 32 present shards out of 64.</summary>
    private static bool[][] RandomPatterns(Random random)
    {
        bool[][] patterns = new bool[Patterns][];
        int[] order = new int[N];
        for (int p = 0; p < Patterns; p++)
        {
            for (int i = 0; i < N; i++) order[i] = i;
            random.Shuffle(order);
            patterns[p] = new bool[N];
            for (int i = 0; i < K; i++) patterns[p][order[i]] = true;
        }
        return patterns;
    }
}

/// <summary>The bench's FEC sets in native memory: set s, shred i at a 1,232-byte stride, its shard at the shred layout's offset.</summary>
internal sealed unsafe class FecBenchSets : IDisposable
{
    private const int N = 64, K = 32;
    private readonly byte* _memory;
    private readonly nint[] _pointers;
    private readonly GCHandle _pin;
    private readonly int _sets;
    private readonly int _shardSize;

    public FecBenchSets(int sets, int shardSize, Random random)
    {
        _sets = sets;
        _shardSize = shardSize;
        nuint bytes = (nuint)(sets * N * ShredLayout.MaxShredSize);
        _memory = (byte*)NativeMemory.AlignedAlloc(bytes, 64);
        NativeMemory.Clear(_memory, bytes);
        _pointers = new nint[sets * N];
        _pin = GCHandle.Alloc(_pointers, GCHandleType.Pinned);
        for (int s = 0; s < sets; s++)
        {
            for (int i = 0; i < N; i++)
            {
                byte* shred = _memory + (long)(s * N + i) * ShredLayout.MaxShredSize;
                _pointers[s * N + i] = (nint)(shred + (i < K ? ShredLayout.SignatureSize : ShredLayout.ParityOffset));
                if (i < K) random.NextBytes(new Span<byte>((void*)_pointers[s * N + i], shardSize));
            }
        }
    }

    public ReadOnlySpan<nint> Shards(int set) => _pointers.AsSpan(set * N, N);

    public ReadOnlySpan<nint> Data(int set) => _pointers.AsSpan(set * N, K);

    public ReadOnlySpan<nint> Parity(int set) => _pointers.AsSpan(set * N + K, N - K);

    /// <summary>Every shard of every set, concatenated (to compare runs).</summary>
    public byte[] Snapshot()
    {
        byte[] copy = new byte[_pointers.Length * _shardSize];
        for (int i = 0; i < _pointers.Length; i++) new ReadOnlySpan<byte>((void*)_pointers[i], _shardSize).CopyTo(copy.AsSpan(i * _shardSize));
        _ = _sets;
        return copy;
    }

    public void Dispose()
    {
        _pin.Free();
        NativeMemory.AlignedFree(_memory);
    }
}
