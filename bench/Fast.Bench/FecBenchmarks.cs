using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Fast.Core.Shreds;
using Fast.Crypto.ReedSolomon;

namespace Fast.Bench;

/// <summary>
/// Reed-Solomon on one 32 + 32 FEC set of 915-byte shards (a depth-6 shred's erasure-coded bytes):
/// encode, and recover 32 lost shards (decode matrix solved per call) from a rotating list of random
/// patterns, on the fastest kernel. `fast bench fec` puts the same operations beside Intel ISA-L;
/// here they hold their allocation budget (0 B per set).
/// </summary>
[MemoryDiagnoser]
public class FecBenchmarks
{
    private const int K = 32, N = 64, Patterns = 64;
    private static readonly int ShardSize = ShredLayout.ErasureShardSize(ShredLayout.DefaultProofDepth);
    private readonly byte[] _shards = GC.AllocateArray<byte>(N * ShardSize, pinned: true);
    private readonly nint[] _pointers = new nint[N];
    private readonly bool[][] _patterns = new bool[Patterns][];
    private readonly byte[] _scratch = new byte[ReedSolomonCode.Shreds32.RecoverScratchSize];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        Random random = new(1);
        random.NextBytes(_shards.AsSpan(0, K * ShardSize));
        for (int i = 0; i < N; i++) _pointers[i] = Marshal.UnsafeAddrOfPinnedArrayElement(_shards, i * ShardSize);
        int[] order = new int[N];
        for (int p = 0; p < Patterns; p++)
        {
            for (int i = 0; i < N; i++) order[i] = i;
            random.Shuffle(order);
            _patterns[p] = new bool[N];
            for (int i = 0; i < K; i++) _patterns[p][order[i]] = true;
        }
        Encode32Plus32();
    }

    [Benchmark]
    public void Encode32Plus32() => ReedSolomonCode.Shreds32.Encode(_pointers.AsSpan(0, K), _pointers.AsSpan(K), ShardSize);

    [Benchmark]
    public ReedSolomonStatus Recover32Of64() =>
        ReedSolomonCode.Shreds32.Recover(_pointers, _patterns[_next++ & (Patterns - 1)], ShardSize, _scratch);
}
