using System.Security.Cryptography;
using Fast.Crypto.Interop;

namespace Fast.Crypto;

/// <summary>
/// BIP-340 Schnorr signatures over secp256k1 through libsecp256k1: 32-byte secret keys, 32-byte
/// x-only public keys, 64-byte signatures, messages of any length. Every method is thread-safe
/// (the library context is created once and only read afterwards). For repeated signing with
/// one key, <see cref="Keypair"/> keeps the expanded key and skips the per-call derivation.
/// Batch verification (many signatures in one equation) is in Schnorr.Batch.cs.
/// </summary>
public static unsafe partial class Schnorr
{
    public const int SecretKeySize = 32;
    public const int PublicKeySize = 32;
    public const int SignatureSize = 64;
    public const int AuxRandSize = 32;

    internal static readonly nint Context = CreateContext();

    private static nint CreateContext()
    {
        nint ctx = Secp256k1Native.ContextCreate(Secp256k1Native.ContextSignVerify);
        if (ctx == 0) ThrowHelper.ThrowNativeFailure("secp256k1_context_create");
        // Blinding against side channels in signing; the seed needs no secrecy beyond this process.
        byte* seed = stackalloc byte[32];
        RandomNumberGenerator.Fill(new Span<byte>(seed, 32));
        if (Secp256k1Native.ContextRandomize(ctx, seed) != 1) ThrowHelper.ThrowNativeFailure("secp256k1_context_randomize");
        return ctx;
    }

    /// <summary>True when <paramref name="secretKey"/> is 32 bytes and a valid scalar (0 &lt; k &lt; n).</summary>
    public static bool IsValidSecretKey(ReadOnlySpan<byte> secretKey)
    {
        if (secretKey.Length != SecretKeySize) return false;
        fixed (byte* s = secretKey) return Secp256k1Native.SecretKeyVerify(Context, s) == 1;
    }

    /// <summary>True when <paramref name="publicKey"/> is 32 bytes and the x coordinate of a curve point.</summary>
    public static bool IsValidPublicKey(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != PublicKeySize) return false;
        byte* parsed = stackalloc byte[Secp256k1Native.XOnlyPubkeySize];
        fixed (byte* p = publicKey) return Secp256k1Native.XOnlyPubkeyParse(Context, parsed, p) == 1;
    }

    /// <summary>Derives the x-only public key; false when the secret key is not a valid scalar.</summary>
    public static bool TryGetPublicKey(ReadOnlySpan<byte> secretKey, Span<byte> publicKey)
    {
        if (publicKey.Length != PublicKeySize) ThrowHelper.ThrowArgumentLength(nameof(publicKey), PublicKeySize);
        if (secretKey.Length != SecretKeySize) return false;
        byte* keypair = stackalloc byte[Secp256k1Native.KeypairSize];
        fixed (byte* s = secretKey)
        {
            if (Secp256k1Native.KeypairCreate(Context, keypair, s) != 1) return false;
        }
        fixed (byte* p = publicKey) WriteXOnly(keypair, p);
        return true;
    }

    /// <summary>
    /// Signs <paramref name="message"/> (any length) with BIP-340; <paramref name="auxRand"/> is the
    /// 32 bytes of auxiliary randomness, or empty for fresh randomness. False for an invalid secret key.
    /// </summary>
    public static bool TrySign(ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> message, Span<byte> signature, ReadOnlySpan<byte> auxRand = default)
    {
        if (secretKey.Length != SecretKeySize) return false;
        byte* keypair = stackalloc byte[Secp256k1Native.KeypairSize];
        fixed (byte* s = secretKey)
        {
            if (Secp256k1Native.KeypairCreate(Context, keypair, s) != 1) return false;
        }
        SignWithKeypair(keypair, message, signature, auxRand);
        return true;
    }

    /// <summary>
    /// Verifies a BIP-340 signature. Malformed lengths, a public key that is not on the curve, and
    /// a wrong signature all return false; nothing here throws on hostile bytes.
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeySize || signature.Length != SignatureSize) return false;
        byte* parsed = stackalloc byte[Secp256k1Native.XOnlyPubkeySize];
        fixed (byte* p = publicKey)
        {
            if (Secp256k1Native.XOnlyPubkeyParse(Context, parsed, p) != 1) return false;
        }
        fixed (byte* sig = signature, msg = message)
        {
            return Secp256k1Native.SchnorrVerify(Context, sig, msg, (nuint)message.Length, parsed) == 1;
        }
    }

    internal static void WriteXOnly(byte* keypair, byte* publicKey32)
    {
        byte* xonly = stackalloc byte[Secp256k1Native.XOnlyPubkeySize];
        if (Secp256k1Native.KeypairXOnlyPub(Context, xonly, null, keypair) != 1) ThrowHelper.ThrowNativeFailure("secp256k1_keypair_xonly_pub");
        if (Secp256k1Native.XOnlyPubkeySerialize(Context, publicKey32, xonly) != 1) ThrowHelper.ThrowNativeFailure("secp256k1_xonly_pubkey_serialize");
    }

    internal static void SignWithKeypair(byte* keypair, ReadOnlySpan<byte> message, Span<byte> signature, ReadOnlySpan<byte> auxRand)
    {
        if (signature.Length != SignatureSize) ThrowHelper.ThrowArgumentLength(nameof(signature), SignatureSize);
        if (!auxRand.IsEmpty && auxRand.Length != AuxRandSize) ThrowHelper.ThrowArgumentLength(nameof(auxRand), AuxRandSize);

        byte* aux = stackalloc byte[AuxRandSize];
        if (auxRand.IsEmpty) RandomNumberGenerator.Fill(new Span<byte>(aux, AuxRandSize));
        else auxRand.CopyTo(new Span<byte>(aux, AuxRandSize));

        Secp256k1Native.SchnorrExtraParams extra;
        extra.Magic = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(Secp256k1Native.ExtraParamsMagic);
        extra.NonceFunction = 0;
        extra.AuxRand32 = aux;
        fixed (byte* sig = signature, msg = message)
        {
            if (Secp256k1Native.SchnorrSignCustom(Context, sig, msg, (nuint)message.Length, keypair, &extra) != 1)
            {
                ThrowHelper.ThrowNativeFailure("secp256k1_schnorrsig_sign_custom");
            }
        }
    }
}
