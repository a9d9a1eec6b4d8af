using Fast.Core.Primitives;
using Fast.Crypto;

namespace Fast.Validator.Signing;

/// <summary>
/// How a machine checks a signature (a gossip value, a shred set's root, a repair request). The node
/// plugs in <see cref="SchnorrSignatureVerifier"/>; the simulator may plug in a cache of pairs already
/// verified, shared by all its nodes, so a 100-node run pays one real verification per distinct
/// signature (ARCHITECTURE.md, "Simulation cost"). The message is the domain-tagged bytes
/// (<see cref="SigningDomains.Write"/>), never a bare payload.
/// </summary>
public interface ISignatureVerifier
{
    bool Verify(in Pubkey signer, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature);
}

/// <summary>The real check: BIP-340 Schnorr through libsecp256k1. Stateless and thread-safe.</summary>
public sealed class SchnorrSignatureVerifier : ISignatureVerifier
{
    public static SchnorrSignatureVerifier Instance { get; } = new();

    public bool Verify(in Pubkey signer, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        Schnorr.Verify(signer.Span, message, signature);
}
