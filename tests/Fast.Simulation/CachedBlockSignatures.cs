using System.Collections.Concurrent;
using Fast.Core.Primitives;
using Fast.Crypto;
using Fast.Exec.Validity;
using Fast.Validator.Replay;

namespace Fast.Simulation;

/// <summary>
/// The simulator's block signature check (ARCHITECTURE.md "Simulation cost"), shared by every node:
/// "the first transaction whose signature does not verify" is a pure function of a block's entry bytes,
/// so its answer is cached by the SHA-256 of those exact bytes. The first node to replay a block pays
/// the real BIP-340 batch verification (<see cref="BlockSignatures"/>, on this thread); the other 99
/// reuse the answer. Execution and freezing stay per node. Thread-safe (the nodes' replay stages run
/// on several threads, <see cref="NodeWorkers"/>): one check per distinct block, whichever thread asks
/// first, the others wait for its answer, so the counters do not depend on thread timing.
/// </summary>
internal sealed class CachedBlockSignatures : IBlockSignatureCheck, IDisposable
{
    private readonly BlockSignatures _signatures = new(BlockSignatures.DefaultBatchSize, threads: 1);
    private readonly ConcurrentDictionary<Hash, Lazy<int>> _answers = new();
    private long _calls;
    private long _signaturesVerified;

    /// <summary>Distinct blocks whose signatures were verified.</summary>
    public long BlocksVerified => _answers.Count;
    public long SignaturesVerified => Interlocked.Read(ref _signaturesVerified);
    public long BlocksReused => Interlocked.Read(ref _calls) - _answers.Count;

    public int FirstInvalid(byte[] entries)
    {
        Span<byte> digest = stackalloc byte[32];
        Sha256Kernel.Hash(entries, digest);
        Interlocked.Increment(ref _calls);
        Lazy<int> answer = _answers.GetOrAdd(new Hash(digest), _ => new Lazy<int>(() => Verify(entries), LazyThreadSafetyMode.ExecutionAndPublication));
        return answer.Value;
    }

    private int Verify(byte[] entries)
    {
        lock (_signatures)
        {
            int answer = _signatures.FirstInvalid(entries, workers: null);
            _signaturesVerified += _signatures.LastSignatureCount;
            return answer;
        }
    }

    public void Dispose() => _signatures.Dispose();
}
