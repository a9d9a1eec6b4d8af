using Fast.Core.Primitives;
using Fast.Crypto;

namespace Fast.Validator.Signing;

/// <summary>
/// The node's identity as a machine sees it: its public key and a way to sign domain-tagged bytes.
/// Injected, so the key never has to live inside the machine and the simulator can give each node its own.
/// </summary>
public interface INodeSigner
{
    Pubkey Identity { get; }

    /// <summary>Signs <paramref name="message"/> (already domain-tagged) into the 64-byte <paramref name="signature"/>.</summary>
    void Sign(ReadOnlySpan<byte> message, Span<byte> signature);
}

/// <summary>An <see cref="INodeSigner"/> over a <see cref="Keypair"/> (the node's identity keypair file).</summary>
public sealed class KeypairSigner(Keypair keypair) : INodeSigner
{
    public Pubkey Identity { get; } = new(keypair.PublicKey);

    public Keypair Keypair => keypair;

    public void Sign(ReadOnlySpan<byte> message, Span<byte> signature) => keypair.Sign(message, signature);
}
