using Fast.Crypto.Interop;

namespace Fast.Crypto;

/// <summary>
/// SHA-256 through our C kernel: SHA-NI when the CPU has it, a portable C path otherwise (same
/// results; the <c>Portable</c> methods force the fallback so tests can compare the two).
/// The proof-of-history generator calls <see cref="Chain"/> once per batch of hashes.
/// </summary>
public static unsafe class Sha256Kernel
{
    public const int HashSize = 32;

    /// <summary>True when the dispatching entry points run on SHA-NI.</summary>
    public static bool UsesShaNi { get; } = FastCryptoNative.Sha256UsesShaNi() != 0;

    /// <summary>hash = sha256(hash), <paramref name="count"/> times, in place.</summary>
    public static void Chain(Span<byte> hash, ulong count)
    {
        if (hash.Length != HashSize) ThrowHelper.ThrowArgumentLength(nameof(hash), HashSize);
        fixed (byte* h = hash) FastCryptoNative.Sha256Chain(h, count);
    }

    public static void ChainPortable(Span<byte> hash, ulong count)
    {
        if (hash.Length != HashSize) ThrowHelper.ThrowArgumentLength(nameof(hash), HashSize);
        fixed (byte* h = hash) FastCryptoNative.Sha256ChainPortable(h, count);
    }

    /// <summary>destination = sha256(previous ‖ mixin). Any of the three may overlap.</summary>
    public static void Mixin(ReadOnlySpan<byte> previous, ReadOnlySpan<byte> mixin, Span<byte> destination)
    {
        CheckMixinArgs(previous, mixin, destination);
        fixed (byte* p = previous, m = mixin, d = destination) FastCryptoNative.Sha256Mixin(p, m, d);
    }

    public static void MixinPortable(ReadOnlySpan<byte> previous, ReadOnlySpan<byte> mixin, Span<byte> destination)
    {
        CheckMixinArgs(previous, mixin, destination);
        fixed (byte* p = previous, m = mixin, d = destination) FastCryptoNative.Sha256MixinPortable(p, m, d);
    }

    /// <summary>destination = sha256(data).</summary>
    public static void Hash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (destination.Length < HashSize) ThrowHelper.ThrowArgumentTooShort(nameof(destination), HashSize);
        fixed (byte* s = data, d = destination) FastCryptoNative.Sha256(s, (nuint)data.Length, d);
    }

    public static void HashPortable(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (destination.Length < HashSize) ThrowHelper.ThrowArgumentTooShort(nameof(destination), HashSize);
        fixed (byte* s = data, d = destination) FastCryptoNative.Sha256Portable(s, (nuint)data.Length, d);
    }

    private static void CheckMixinArgs(ReadOnlySpan<byte> previous, ReadOnlySpan<byte> mixin, Span<byte> destination)
    {
        if (previous.Length != HashSize) ThrowHelper.ThrowArgumentLength(nameof(previous), HashSize);
        if (mixin.Length != HashSize) ThrowHelper.ThrowArgumentLength(nameof(mixin), HashSize);
        if (destination.Length != HashSize) ThrowHelper.ThrowArgumentLength(nameof(destination), HashSize);
    }
}
