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
/// reuse the answer. Execution and freezing stay per node.
/// </summary>
internal sealed class CachedBlockSignatures : IBlockSignatureCheck, IDisposable
{
    private readonly BlockSignatures _signatures = new(BlockSignatures.DefaultBatchSize, threads: 1);
    private readonly Dictionary<Hash, int> _answers = [];

    public long BlocksVerified { get; private set; }
    public long SignaturesVerified { get; private set; }
    public long BlocksReused { get; private set; }

    public int FirstInvalid(byte[] entries)
    {
        Span<byte> digest = stackalloc byte[32];
        Sha256Kernel.Hash(entries, digest);
        Hash key = new(digest);
        if (_answers.TryGetValue(key, out int answer))
        {
            BlocksReused++;
            return answer;
        }
        answer = _signatures.FirstInvalid(entries, workers: null);
        _answers[key] = answer;
        BlocksVerified++;
        SignaturesVerified += _signatures.LastSignatureCount;
        return answer;
    }

    public void Dispose() => _signatures.Dispose();
}
