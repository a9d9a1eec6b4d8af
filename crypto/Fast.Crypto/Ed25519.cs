using Fast.Crypto.Interop;

namespace Fast.Crypto;

/// <summary>
/// Ed25519 (RFC 8032) through libsodium: 32-byte seeds and public keys, 64-byte expanded secret
/// keys (seed ‖ public key) and signatures. Thread-safe.
/// </summary>
public static unsafe class Ed25519
{
    public const int SeedSize = 32;
    public const int PublicKeySize = 32;
    public const int SecretKeySize = 64;
    public const int SignatureSize = 64;

    private static readonly bool Initialized = SodiumNative.Init() >= 0;

    /// <summary>Derives the public key and the 64-byte secret key from a 32-byte seed.</summary>
    public static void KeypairFromSeed(ReadOnlySpan<byte> seed, Span<byte> publicKey, Span<byte> secretKey)
    {
        EnsureInitialized();
        if (seed.Length != SeedSize) ThrowHelper.ThrowArgumentLength(nameof(seed), SeedSize);
        if (publicKey.Length != PublicKeySize) ThrowHelper.ThrowArgumentLength(nameof(publicKey), PublicKeySize);
        if (secretKey.Length != SecretKeySize) ThrowHelper.ThrowArgumentLength(nameof(secretKey), SecretKeySize);
        fixed (byte* s = seed, p = publicKey, k = secretKey)
        {
            if (SodiumNative.Ed25519SeedKeypair(p, k, s) != 0) ThrowHelper.ThrowNativeFailure("crypto_sign_ed25519_seed_keypair");
        }
    }

    public static void Sign(ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> message, Span<byte> signature)
    {
        EnsureInitialized();
        if (secretKey.Length != SecretKeySize) ThrowHelper.ThrowArgumentLength(nameof(secretKey), SecretKeySize);
        if (signature.Length != SignatureSize) ThrowHelper.ThrowArgumentLength(nameof(signature), SignatureSize);
        fixed (byte* k = secretKey, m = message, sig = signature)
        {
            if (SodiumNative.Ed25519SignDetached(sig, null, m, (ulong)message.Length, k) != 0) ThrowHelper.ThrowNativeFailure("crypto_sign_ed25519_detached");
        }
    }

    /// <summary>False for a wrong signature, a malformed key or wrong lengths; never throws on bytes.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        EnsureInitialized();
        if (publicKey.Length != PublicKeySize || signature.Length != SignatureSize) return false;
        fixed (byte* p = publicKey, m = message, sig = signature)
        {
            return SodiumNative.Ed25519VerifyDetached(sig, m, (ulong)message.Length, p) == 0;
        }
    }

    private static void EnsureInitialized()
    {
        if (!Initialized) ThrowHelper.ThrowNativeFailure("sodium_init");
    }
}
