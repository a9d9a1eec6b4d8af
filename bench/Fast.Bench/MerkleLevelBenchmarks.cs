using BenchmarkDotNet.Attributes;
using Fast.Crypto;

namespace Fast.Bench;

/// <summary>
/// One Merkle level of 4,096 nodes (65-byte preimages, as in a slot's accounts-delta hash): every
/// preimage through the multi-lane SHA-256 at once (<see cref="Sha256MultiLane.HashMany"/>, what
/// the freeze does) against one SHA-NI kernel call per preimage (the baseline, what it did before).
/// </summary>
[MemoryDiagnoser]
public class MerkleLevelBenchmarks
{
    private const int Nodes = 4096;
    private const int PreimageSize = 65;
    private readonly byte[] _preimages = new byte[Nodes * PreimageSize];
    private readonly byte[] _digests = new byte[Nodes * 32];

    [GlobalSetup]
    public void Setup() => new Random(1).NextBytes(_preimages);

    [Benchmark(Baseline = true, OperationsPerInvoke = Nodes)]
    public void KernelOneByOne()
    {
        for (int i = 0; i < Nodes; i++) Sha256Kernel.Hash(_preimages.AsSpan(i * PreimageSize, PreimageSize), _digests.AsSpan(i * 32, 32));
    }

    [Benchmark(OperationsPerInvoke = Nodes)]
    public void MultiLaneHashMany() => Sha256MultiLane.HashMany(_preimages, PreimageSize, _digests);
}
