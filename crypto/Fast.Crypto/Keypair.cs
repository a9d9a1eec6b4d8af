using System.Security.Cryptography;
using Fast.Crypto.Interop;

namespace Fast.Crypto;

/// <summary>
/// A secp256k1 Schnorr signing key with its x-only public key, expanded once so each signature
/// costs one signing operation. Immutable; safe to sign with from several threads.
/// </summary>
public sealed unsafe class Keypair
{
    private readonly byte[] _secretKey;
    private readonly byte[] _publicKey;
    // secp256k1_keypair (96 opaque bytes), on the pinned object heap so native code can read it in place.
    private readonly byte[] _native;
    private static readonly byte[] ZeroAuxRand = new byte[Schnorr.AuxRandSize];

    private Keypair(byte[] secretKey, byte[] native, byte[] publicKey, bool deterministic = false)
    {
        _secretKey = secretKey;
        _native = native;
        _publicKey = publicKey;
        DeterministicSignatures = deterministic;
    }

    /// <summary>
    /// True when <see cref="Sign(ReadOnlySpan{byte}, Span{byte})"/> uses all-zero auxiliary randomness
    /// (BIP-340 allows it: the nonce still comes from the key and the message), so the same message
    /// always gets the same signature. For the simulator, whose runs must repeat byte for byte; a node
    /// signs with fresh randomness (it hardens the nonce against side channels).
    /// </summary>
    public bool DeterministicSignatures { get; }

    /// <summary>The same key, signing deterministically (<see cref="DeterministicSignatures"/>).</summary>
    public Keypair AsDeterministic() => new(_secretKey, _native, _publicKey, deterministic: true);

    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>The expanded secp256k1_keypair, in place (its array is on the pinned object heap, so the address never moves).</summary>
    internal byte* NativeKeypair => (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_native));

    /// <summary>The 32-byte secret; only key files and tests should need it.</summary>
    public ReadOnlySpan<byte> SecretKey => _secretKey;

    /// <summary>A new keypair from the operating system's CSPRNG.</summary>
    public static Keypair Generate()
    {
        Span<byte> secret = stackalloc byte[Schnorr.SecretKeySize];
        while (true)
        {
            RandomNumberGenerator.Fill(secret);
            if (TryFromSecretKey(secret, out Keypair? keypair)) return keypair;
        }
    }

    /// <summary>Expands a 32-byte secret key; false when it is not a valid secp256k1 scalar.</summary>
    public static bool TryFromSecretKey(ReadOnlySpan<byte> secretKey, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Keypair? keypair)
    {
        keypair = null;
        if (secretKey.Length != Schnorr.SecretKeySize) return false;
        byte[] native = GC.AllocateArray<byte>(Secp256k1Native.KeypairSize, pinned: true);
        byte[] publicKey = new byte[Schnorr.PublicKeySize];
        fixed (byte* s = secretKey)
        {
            fixed (byte* n = native)
            {
                if (Secp256k1Native.KeypairCreate(Schnorr.Context, n, s) != 1) return false;
                fixed (byte* p = publicKey) Schnorr.WriteXOnly(n, p);
            }
        }
        keypair = new Keypair(secretKey.ToArray(), native, publicKey);
        return true;
    }

    /// <summary>Signs <paramref name="message"/> (BIP-340, fresh auxiliary randomness unless <see cref="DeterministicSignatures"/>) into 64 bytes.</summary>
    public void Sign(ReadOnlySpan<byte> message, Span<byte> signature) => Sign(message, signature, DeterministicSignatures ? ZeroAuxRand : default);

    /// <summary>Signs with the given 32 bytes of auxiliary randomness (empty = fresh).</summary>
    public void Sign(ReadOnlySpan<byte> message, Span<byte> signature, ReadOnlySpan<byte> auxRand)
    {
        fixed (byte* n = _native) Schnorr.SignWithKeypair(n, message, signature, auxRand);
    }
}
