using Fast.Core.Primitives;
using Fast.Crypto;

namespace Fast.Core.Shreds;

/// <summary>
/// What a leader's shred signature covers: the FEC set's chained Merkle root under the shred-root
/// signing domain (<c>tag ‖ root</c>, 48 bytes; ARCHITECTURE.md "Signatures are domain-separated"), so
/// no other signed message of the leader (a vote, a gossip value) can pass as a shred root and back.
/// Used by <see cref="FecSetMerkle.Sign"/>, <see cref="ShredView.VerifyLeaderSignature"/> and the
/// equivocation evidence. Allocation-free (the 48 bytes live on the stack).
/// </summary>
public static class ShredRootSignature
{
    /// <summary>Bytes of the signed message: the 16-byte tag and the 32-byte root.</summary>
    public const int MessageSize = SigningDomains.TagSize + Hash.Size;

    /// <summary>Writes the signed message for <paramref name="root"/> into <paramref name="destination"/> (at least <see cref="MessageSize"/> bytes).</summary>
    public static int WriteMessage(in Hash root, Span<byte> destination) => SigningDomains.Write(SigningDomain.ShredRoot, root.Span, destination);

    /// <summary>The leader's 64-byte signature over <paramref name="root"/>.</summary>
    public static void Sign(Keypair leader, in Hash root, Span<byte> signature)
    {
        Span<byte> message = stackalloc byte[MessageSize];
        WriteMessage(root, message);
        leader.Sign(message, signature);
    }

    /// <summary>True when <paramref name="signature"/> is <paramref name="leaderPubkey"/>'s signature over <paramref name="root"/> (malformed keys or signatures are false).</summary>
    public static bool Verify(ReadOnlySpan<byte> leaderPubkey, in Hash root, ReadOnlySpan<byte> signature)
    {
        Span<byte> message = stackalloc byte[MessageSize];
        WriteMessage(root, message);
        return Schnorr.Verify(leaderPubkey, message, signature);
    }
}
