using System.Runtime.InteropServices;

namespace Fast.Crypto.Interop;

/// <summary>
/// Raw bindings to libsecp256k1 (Debian's 0.2.0: schnorrsig + extrakeys modules). Opaque
/// structs are passed as byte buffers of the sizes the library's headers give.
/// </summary>
internal static unsafe partial class Secp256k1Native
{
    internal const string Library = "secp256k1";

    /// <summary>SECP256K1_CONTEXT_SIGN | SECP256K1_CONTEXT_VERIFY (accepted by every 0.x release).</summary>
    internal const uint ContextSignVerify = 0x0301;

    /// <summary>sizeof(secp256k1_keypair) and sizeof(secp256k1_xonly_pubkey).</summary>
    internal const int KeypairSize = 96;
    internal const int XOnlyPubkeySize = 64;

    /// <summary>SECP256K1_SCHNORRSIG_EXTRAPARAMS_MAGIC.</summary>
    internal static ReadOnlySpan<byte> ExtraParamsMagic => [0xda, 0x6f, 0xb3, 0x8c];

    /// <summary>secp256k1_schnorrsig_extraparams: magic, nonce function (null = BIP-340 default), aux data.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct SchnorrExtraParams
    {
        internal uint Magic;
        internal nint NonceFunction;
        internal byte* AuxRand32;
    }

    [LibraryImport(Library, EntryPoint = "secp256k1_context_create")]
    internal static partial nint ContextCreate(uint flags);

    [LibraryImport(Library, EntryPoint = "secp256k1_context_randomize")]
    internal static partial int ContextRandomize(nint ctx, byte* seed32);

    [LibraryImport(Library, EntryPoint = "secp256k1_ec_seckey_verify")]
    internal static partial int SecretKeyVerify(nint ctx, byte* secret32);

    [LibraryImport(Library, EntryPoint = "secp256k1_keypair_create")]
    internal static partial int KeypairCreate(nint ctx, byte* keypair, byte* secret32);

    [LibraryImport(Library, EntryPoint = "secp256k1_keypair_xonly_pub")]
    internal static partial int KeypairXOnlyPub(nint ctx, byte* xonlyPubkey, int* parity, byte* keypair);

    [LibraryImport(Library, EntryPoint = "secp256k1_xonly_pubkey_serialize")]
    internal static partial int XOnlyPubkeySerialize(nint ctx, byte* output32, byte* xonlyPubkey);

    [LibraryImport(Library, EntryPoint = "secp256k1_xonly_pubkey_parse")]
    internal static partial int XOnlyPubkeyParse(nint ctx, byte* xonlyPubkey, byte* input32);

    [LibraryImport(Library, EntryPoint = "secp256k1_schnorrsig_sign_custom")]
    internal static partial int SchnorrSignCustom(nint ctx, byte* sig64, byte* msg, nuint msgLength, byte* keypair, SchnorrExtraParams* extraParams);

    [LibraryImport(Library, EntryPoint = "secp256k1_schnorrsig_verify")]
    internal static partial int SchnorrVerify(nint ctx, byte* sig64, byte* msg, nuint msgLength, byte* xonlyPubkey);
}
