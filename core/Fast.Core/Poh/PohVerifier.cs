using System.Buffers;
using Fast.Core.Primitives;
using Fast.Crypto;

namespace Fast.Core.Poh;

/// <summary>
/// Checks a list of entries against the PoH rule, given the hash before the first. Each entry is
/// its own chain once its start (the previous entry's claimed hash) is known, so the verifier
/// hashes all of them as independent chains — several per core at once (interleaved SHA-NI, or
/// SIMD lanes; <see cref="PohHashPath"/>) and, with a degree of parallelism above one, split into
/// contiguous chunks of equal hash counts across cores — then applies the mixins and compares.
/// The result names the first bad entry. Work is proportional to the claimed num_hashes, so
/// replay runs <see cref="CheckTickHashCounts"/> first on untrusted entries: it bounds every
/// num_hashes by hashes-per-tick before any hashing. Allocates nothing in steady state (pooled scratch).
/// Safe from any number of threads.
/// </summary>
public static partial class PohVerifier
{
    /// <summary>The fastest path on this CPU, by measurement (see `fast bench poh`): interleaved SHA-NI (~60 M hashes/s per core on Zen 4, vs ~45 M for 16 AVX-512 lanes), else AVX-512, else AVX2, else portable C.</summary>
    public static PohHashPath DefaultPath { get; } =
        Sha256Kernel.UsesShaNi ? PohHashPath.ShaNiInterleaved
        : Sha256MultiLane.IsAvx512Supported ? PohHashPath.Avx512Lanes16
        : Sha256MultiLane.IsAvx2Supported ? PohHashPath.Avx2Lanes8
        : PohHashPath.Portable;

    public static bool IsSupported(PohHashPath path) => path switch
    {
        PohHashPath.Avx512Lanes16 => Sha256MultiLane.IsAvx512Supported,
        PohHashPath.Avx2Lanes8 => Sha256MultiLane.IsAvx2Supported,
        _ => true,
    };

    /// <summary>Verifies on the calling thread.</summary>
    public static PohVerifyResult Verify(in Hash start, ReadOnlySpan<PohSegment> segments, PohHashPath path = PohHashPath.Default)
    {
        if (segments.IsEmpty) return PohVerifyResult.Valid;
        path = Resolve(path);
        byte[] hashes = ArrayPool<byte>.Shared.Rent(segments.Length * Hash.Size);
        ulong[] counts = ArrayPool<ulong>.Shared.Rent(segments.Length);
        try
        {
            return VerifyChunk(start, segments, 0, hashes.AsSpan(0, segments.Length * Hash.Size), counts.AsSpan(0, segments.Length), path);
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(counts);
            ArrayPool<byte>.Shared.Return(hashes);
        }
    }

    /// <summary>
    /// Agave's tick hash count rule: the hashes from one tick to the next (entries between them
    /// included) add up to exactly <paramref name="hashesPerTick"/>, and the entries after the last
    /// tick stay below it. <paramref name="hashesSinceTick"/> carries the count across calls (0 at a
    /// slot's start). <paramref name="hashesPerTick"/> 0 disables the rule (as in Agave).
    /// </summary>
    public static PohVerifyResult CheckTickHashCounts(ReadOnlySpan<PohSegment> segments, ulong hashesPerTick, ref ulong hashesSinceTick)
    {
        if (hashesPerTick == 0) return PohVerifyResult.Valid;
        for (int i = 0; i < segments.Length; i++)
        {
            ulong sum = hashesSinceTick + segments[i].NumHashes;
            hashesSinceTick = sum < hashesSinceTick ? ulong.MaxValue : sum; // saturating, as Agave's
            if (segments[i].HasMixin) continue;
            if (hashesSinceTick != hashesPerTick) return new PohVerifyResult(PohVerifyStatus.TickHashCount, i);
            hashesSinceTick = 0;
        }
        return hashesSinceTick < hashesPerTick ? PohVerifyResult.Valid : new PohVerifyResult(PohVerifyStatus.TickHashCount, segments.Length - 1);
    }

    private static PohHashPath Resolve(PohHashPath path)
    {
        if (path == PohHashPath.Default) return DefaultPath;
        if (!IsSupported(path)) ThrowHelper.ThrowArgument(nameof(path), $"{path} needs a CPU feature this machine lacks");
        return path;
    }

    /// <summary>Verifies <paramref name="segments"/> (entries <paramref name="firstIndex"/>.. of the whole list) starting from <paramref name="start"/>.</summary>
    private static PohVerifyResult VerifyChunk(in Hash start, ReadOnlySpan<PohSegment> segments, int firstIndex, Span<byte> hashes, Span<ulong> counts, PohHashPath path)
    {
        for (int i = 0; i < segments.Length; i++)
        {
            ref readonly PohSegment segment = ref segments[i];
            (i == 0 ? start : segments[i - 1].Hash).CopyTo(hashes.Slice(i * Hash.Size, Hash.Size));
            // An entry with transactions: num_hashes - 1 plain hashes, then the mixin (below).
            counts[i] = segment.HasMixin && segment.NumHashes > 0 ? segment.NumHashes - 1 : segment.NumHashes;
        }

        ChainAll(path, hashes, counts);

        for (int i = 0; i < segments.Length; i++)
        {
            ref readonly PohSegment segment = ref segments[i];
            Span<byte> hash = hashes.Slice(i * Hash.Size, Hash.Size);
            if (segment.HasMixin)
            {
                if (segment.NumHashes == 0) return new PohVerifyResult(PohVerifyStatus.MixinWithoutHash, firstIndex + i);
                Sha256Kernel.Mixin(hash, segment.Mixin.Span, hash);
            }
            if (!hash.SequenceEqual(segment.Hash.Span)) return new PohVerifyResult(PohVerifyStatus.HashMismatch, firstIndex + i);
        }
        return PohVerifyResult.Valid;
    }

    private static void ChainAll(PohHashPath path, Span<byte> hashes, ReadOnlySpan<ulong> counts)
    {
        switch (path)
        {
            case PohHashPath.ShaNiInterleaved:
                Sha256Kernel.ChainMany(hashes, counts);
                break;
            case PohHashPath.ShaNiSingle:
                for (int i = 0; i < counts.Length; i++) Sha256Kernel.Chain(hashes.Slice(i * Hash.Size, Hash.Size), counts[i]);
                break;
            case PohHashPath.Avx512Lanes16:
                Sha256MultiLane.Chain16(hashes, counts);
                break;
            case PohHashPath.Avx2Lanes8:
                Sha256MultiLane.Chain8(hashes, counts);
                break;
            default:
                Sha256Kernel.ChainManyPortable(hashes, counts);
                break;
        }
    }
}
