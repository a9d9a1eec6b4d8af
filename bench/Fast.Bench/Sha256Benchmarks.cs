using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Fast.Crypto;

namespace Fast.Bench;

/// <summary>
/// The proof-of-history hash chain: 1,000 chained SHA-256 hashes of a 32-byte value through our
/// SHA-NI kernel, its portable C fallback, and the .NET reference (<see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/>).
/// </summary>
[MemoryDiagnoser]
public class Sha256Benchmarks
{
    private const int Links = 1000;
    private readonly byte[] _hash = new byte[32];
    private readonly byte[] _other = new byte[32];
    private readonly byte[] _mixin = new byte[32];

    [Benchmark(Baseline = true, OperationsPerInvoke = Links)]
    public void DotnetHashDataChain()
    {
        for (int i = 0; i < Links; i += 2)
        {
            SHA256.HashData(_hash, _other);
            SHA256.HashData(_other, _hash);
        }
    }

    [Benchmark(OperationsPerInvoke = Links)]
    public void KernelChain() => Sha256Kernel.Chain(_hash, Links);

    [Benchmark(OperationsPerInvoke = Links)]
    public void KernelChainPortable() => Sha256Kernel.ChainPortable(_hash, Links);

    [Benchmark]
    public void KernelMixin() => Sha256Kernel.Mixin(_hash, _mixin, _hash);
}
