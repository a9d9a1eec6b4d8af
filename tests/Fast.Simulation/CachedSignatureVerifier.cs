using System.Collections.Concurrent;
using Fast.Core.Primitives;
using Fast.Crypto;
using Fast.Validator.Signing;

namespace Fast.Simulation;

/// <summary>
/// The simulator's <see cref="ISignatureVerifier"/> (ARCHITECTURE.md "Simulation cost"): every node
/// shares it, so a signature checked by one node is not checked again by the other 99. A real
/// BIP-340 verification decides each distinct (signer, message, signature); only the answer is reused.
/// Thread-safe (nodes run on several threads, <see cref="NodeWorkers"/>): each distinct signature is
/// verified once, whichever node asks first, and the others wait for the answer, so the counters are
/// the same for any thread count.
/// </summary>
internal sealed class CachedSignatureVerifier : ISignatureVerifier
{
    private readonly ConcurrentDictionary<(Pubkey, Hash, Signature), Lazy<bool>> _known = new();
    private long _calls;

    /// <summary>Distinct signatures verified.</summary>
    public long Verified => _known.Count;
    public long Reused => Interlocked.Read(ref _calls) - _known.Count;

    public bool Verify(in Pubkey signer, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != Signature.Size) return false;
        Interlocked.Increment(ref _calls);
        Span<byte> digest = stackalloc byte[32];
        Sha256Kernel.Hash(message, digest);
        (Pubkey, Hash, Signature) key = (signer, new Hash(digest), new Signature(signature));
        if (_known.TryGetValue(key, out Lazy<bool>? known)) return known.Value;
        // Only the first asker's bytes are verified (the key fixes them up to a SHA-256 collision).
        byte[] bytes = message.ToArray();
        Pubkey pk = signer;
        Lazy<bool> answer = _known.GetOrAdd(key, k => new Lazy<bool>(() => Schnorr.Verify(pk.Span, bytes, k.Item3.Span), LazyThreadSafetyMode.ExecutionAndPublication));
        return answer.Value;
    }
}
