using System.Runtime.InteropServices;

namespace Fast.Crypto.Interop;

/// <summary>Raw bindings to libsodium's Ed25519 (crypto_sign_ed25519_*).</summary>
internal static unsafe partial class SodiumNative
{
    internal const string Library = "sodium";

    [LibraryImport(Library, EntryPoint = "sodium_init")]
    internal static partial int Init();

    [LibraryImport(Library, EntryPoint = "crypto_sign_ed25519_seed_keypair")]
    internal static partial int Ed25519SeedKeypair(byte* publicKey32, byte* secretKey64, byte* seed32);

    [LibraryImport(Library, EntryPoint = "crypto_sign_ed25519_detached")]
    internal static partial int Ed25519SignDetached(byte* sig64, ulong* sigLength, byte* msg, ulong msgLength, byte* secretKey64);

    [LibraryImport(Library, EntryPoint = "crypto_sign_ed25519_verify_detached")]
    internal static partial int Ed25519VerifyDetached(byte* sig64, byte* msg, ulong msgLength, byte* publicKey32);
}
