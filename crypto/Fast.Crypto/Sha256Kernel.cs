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

    /// <summary>Most chains <see cref="ChainMany(Span{byte}, ReadOnlySpan{ulong})"/> keeps in flight on one core (the C kernel's FAST_SHA256_CHAIN_LANES).</summary>
    public const int ChainManyMaxLanes = 4;

    /// <summary>
    /// Many independent chains in one call: <c>hashes[32i..32i+32) = sha256(itself)</c>,
    /// <c>counts[i]</c> times, for every i. The SHA-NI path interleaves up to
    /// <see cref="ChainManyMaxLanes"/> chains so the SHA unit's throughput, not its latency, is the
    /// limit (the proof-of-history verifier's inner loop). Results equal <see cref="Chain"/> per item.
    /// </summary>
    public static void ChainMany(Span<byte> hashes, ReadOnlySpan<ulong> counts)
    {
        CheckChainManyArgs(hashes, counts);
        fixed (byte* h = hashes)
        fixed (ulong* c = counts)
        {
            FastCryptoNative.Sha256ChainMany(h, c, (nuint)counts.Length);
        }
    }

    /// <summary><see cref="ChainMany(Span{byte}, ReadOnlySpan{ulong})"/> with at most <paramref name="maxLanes"/> (1..<see cref="ChainManyMaxLanes"/>) chains interleaved.</summary>
    public static void ChainMany(Span<byte> hashes, ReadOnlySpan<ulong> counts, int maxLanes)
    {
        CheckChainManyArgs(hashes, counts);
        if ((uint)(maxLanes - 1) >= ChainManyMaxLanes) ThrowHelper.ThrowArgumentOutOfRange(nameof(maxLanes), $"must be 1..{ChainManyMaxLanes}");
        fixed (byte* h = hashes)
        fixed (ulong* c = counts)
        {
            FastCryptoNative.Sha256ChainManyLanes(h, c, (nuint)counts.Length, maxLanes);
        }
    }

    public static void ChainManyPortable(Span<byte> hashes, ReadOnlySpan<ulong> counts)
    {
        CheckChainManyArgs(hashes, counts);
        fixed (byte* h = hashes)
        fixed (ulong* c = counts)
        {
            FastCryptoNative.Sha256ChainManyPortable(h, c, (nuint)counts.Length);
        }
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

    private static void CheckChainManyArgs(Span<byte> hashes, ReadOnlySpan<ulong> counts)
    {
        if (hashes.Length != counts.Length * HashSize) ThrowHelper.ThrowArgumentLength(nameof(hashes), counts.Length * HashSize);
    }

    private static void CheckMixinArgs(ReadOnlySpan<byte> previous, ReadOnlySpan<byte> mixin, Span<byte> destination)
    {
        if (previous.Length != HashSize) ThrowHelper.ThrowArgumentLength(nameof(previous), HashSize);
        if (mixin.Length != HashSize) ThrowHelper.ThrowArgumentLength(nameof(mixin), HashSize);
        if (destination.Length != HashSize) ThrowHelper.ThrowArgumentLength(nameof(destination), HashSize);
    }
}
