using System.Runtime.InteropServices;

namespace Fast.Crypto.Interop;

/// <summary>
/// Raw bindings to our C kernel (crypto/native, <c>libfastcrypto</c>). Callers go through
/// <see cref="Sha256Kernel"/> and <see cref="ReedSolomon.ReedSolomonCode"/>, which own the span checks.
/// </summary>
internal static unsafe partial class FastCryptoNative
{
    internal const string Library = "fastcrypto";

    [LibraryImport(Library, EntryPoint = "fast_cpu_features")]
    internal static partial uint CpuFeatures();

    [LibraryImport(Library, EntryPoint = "fast_sha256_uses_shani")]
    internal static partial int Sha256UsesShaNi();

    [LibraryImport(Library, EntryPoint = "fast_sha256_chain")]
    internal static partial void Sha256Chain(byte* hash, ulong n);

    [LibraryImport(Library, EntryPoint = "fast_sha256_chain_portable")]
    internal static partial void Sha256ChainPortable(byte* hash, ulong n);

    [LibraryImport(Library, EntryPoint = "fast_sha256_mixin")]
    internal static partial void Sha256Mixin(byte* prev, byte* mixin, byte* output);

    [LibraryImport(Library, EntryPoint = "fast_sha256_mixin_portable")]
    internal static partial void Sha256MixinPortable(byte* prev, byte* mixin, byte* output);

    [LibraryImport(Library, EntryPoint = "fast_sha256_chain_many")]
    internal static partial void Sha256ChainMany(byte* hashes, ulong* counts, nuint n);

    [LibraryImport(Library, EntryPoint = "fast_sha256_chain_many_lanes")]
    internal static partial void Sha256ChainManyLanes(byte* hashes, ulong* counts, nuint n, int maxLanes);

    [LibraryImport(Library, EntryPoint = "fast_sha256_chain_many_portable")]
    internal static partial void Sha256ChainManyPortable(byte* hashes, ulong* counts, nuint n);

    [LibraryImport(Library, EntryPoint = "fast_sha256")]
    internal static partial void Sha256(byte* data, nuint length, byte* output);

    [LibraryImport(Library, EntryPoint = "fast_sha256_portable")]
    internal static partial void Sha256Portable(byte* data, nuint length, byte* output);

    [LibraryImport(Library, EntryPoint = "fast_rs_gfni_supported")]
    internal static partial int RsGfniSupported();

    [LibraryImport(Library, EntryPoint = "fast_rs_gfni_mul")]
    internal static partial void RsGfniMul(ulong* matrices, nuint k, byte** src, nuint rows, byte** dst, nuint length);
}
