using Fast.Core.Primitives;
using Fast.Crypto;
using Fast.Validator.Signing;

namespace Fast.Simulation;

/// <summary>
/// The simulator's <see cref="ISignatureVerifier"/> (ARCHITECTURE.md "Simulation cost"): every node
/// shares it, so a signature checked by one node is not checked again by the other 99. A real
/// BIP-340 verification decides each distinct (signer, message, signature); only the answer is reused.
/// </summary>
internal sealed class CachedSignatureVerifier : ISignatureVerifier
{
    private readonly Dictionary<(Pubkey, Hash, Signature), bool> _known = [];

    public long Verified { get; private set; }
    public long Reused { get; private set; }

    public bool Verify(in Pubkey signer, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != Signature.Size) return false;
        Span<byte> digest = stackalloc byte[32];
        Sha256Kernel.Hash(message, digest);
        (Pubkey, Hash, Signature) key = (signer, new Hash(digest), new Signature(signature));
        if (_known.TryGetValue(key, out bool ok))
        {
            Reused++;
            return ok;
        }
        ok = Schnorr.Verify(signer.Span, message, signature);
        _known[key] = ok;
        Verified++;
        return ok;
    }
}
