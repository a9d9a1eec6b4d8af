using System.Runtime.InteropServices;

namespace Fast.Crypto.Interop;

/// <summary>
/// Raw bindings to <c>libfastsecp256k1</c>: libsecp256k1 0.2.0 built from its pinned source
/// (schnorrsig + extrakeys modules) together with our batch-verification module
/// (crypto/native/secp256k1/fast_schnorrsig_batch.c) and the load generator's variable-time batch signer
/// (fast_schnorrsig_sign_vartime.c). Opaque structs are passed as byte buffers
/// of the sizes the library's headers give.
/// </summary>
internal static unsafe partial class Secp256k1Native
{
    internal const string Library = "fastsecp256k1";

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

    [LibraryImport(Library, EntryPoint = "fast_schnorrsig_batch_scratch_create")]
    internal static partial nint BatchScratchCreate(nint ctx, nuint capacity);

    [LibraryImport(Library, EntryPoint = "fast_schnorrsig_batch_scratch_destroy")]
    internal static partial void BatchScratchDestroy(nint ctx, nint scratch);

    /// <summary>1: every signature valid; 0: at least one is not; -1: a usage error (a bug of ours).</summary>
    [LibraryImport(Library, EntryPoint = "fast_schnorrsig_verify_batch")]
    internal static partial int SchnorrVerifyBatch(nint ctx, nint scratch, byte** sigs64, byte** msgs, nuint* msgLengths, byte** publicKeys32, nuint n);

    /// <summary>As <see cref="SchnorrVerifyBatch"/>, loading parsed[i] (64-byte secp256k1_xonly_pubkey) instead of lifting publicKeys32[i] where it is not null.</summary>
    [LibraryImport(Library, EntryPoint = "fast_schnorrsig_verify_batch_parsed")]
    internal static partial int SchnorrVerifyBatchParsed(nint ctx, nint scratch, byte** sigs64, byte** msgs, nuint* msgLengths, byte** publicKeys32, byte** parsed, nuint n);

    [LibraryImport(Library, EntryPoint = "fast_fixed_base_table_create")]
    internal static partial nint FixedBaseTableCreate();

    /// <summary>1: every signature made; 0: one keypair invalid or nonce zero (that signature zeroed); -1: a usage error (a bug of ours).</summary>
    [LibraryImport(Library, EntryPoint = "fast_schnorrsig_sign_batch_vartime")]
    internal static partial int SchnorrSignBatchVarTime(nint ctx, nint table, byte** sigs64, byte** msgs, nuint* msgLengths, byte** keypairs, byte** auxRand32, nuint n);
}
