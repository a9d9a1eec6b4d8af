using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Fast.Crypto;

/// <summary>
/// SHA-256 of many independent messages of one length at once, one message per SIMD lane (16 with
/// AVX-512, 8 with AVX2): for Merkle levels (65-byte node preimages) and account hashes, where a slot
/// hashes 10⁵ short messages that do not depend on each other. Same digests as
/// <see cref="Sha256Kernel.Hash"/>; stateless, allocation-free, safe from any number of threads.
/// </summary>
public static partial class Sha256MultiLane
{
    /// <summary>
    /// <c>digests[32i..32i+32) = sha256(messages[i·length..(i+1)·length))</c> for every message, on the widest
    /// SIMD path (or the C kernel one message at a time without AVX2). <paramref name="messages"/> holds
    /// the messages back to back; its length must be a multiple of <paramref name="length"/>.
    /// </summary>
    public static void HashMany(ReadOnlySpan<byte> messages, int length, Span<byte> digests)
    {
        if (Avx512F.IsSupported) HashMany16(messages, length, digests);
        else if (Avx2.IsSupported) HashMany8(messages, length, digests);
        else HashManyScalar(messages, length, digests);
    }

    /// <summary>The 16-lane AVX-512 path of <see cref="HashMany"/>; throws <see cref="PlatformNotSupportedException"/> without AVX-512F.</summary>
    public static void HashMany16(ReadOnlySpan<byte> messages, int length, Span<byte> digests)
    {
        if (!Avx512F.IsSupported) ThrowHelper.ThrowPlatformNotSupported("AVX-512F");
        int count = CheckHashManyArgs(messages, length, digests);
        HashMany<Lanes16, Vector512<uint>>(messages, length, count, digests);
    }

    /// <summary>The 8-lane AVX2 path of <see cref="HashMany"/>; throws <see cref="PlatformNotSupportedException"/> without AVX2.</summary>
    public static void HashMany8(ReadOnlySpan<byte> messages, int length, Span<byte> digests)
    {
        if (!Avx2.IsSupported) ThrowHelper.ThrowPlatformNotSupported("AVX2");
        int count = CheckHashManyArgs(messages, length, digests);
        HashMany<Lanes8, Vector256<uint>>(messages, length, count, digests);
    }

    private static void HashManyScalar(ReadOnlySpan<byte> messages, int length, Span<byte> digests)
    {
        int count = CheckHashManyArgs(messages, length, digests);
        for (int i = 0; i < count; i++) Sha256Kernel.Hash(messages.Slice(i * length, length), digests.Slice(i * Sha256Kernel.HashSize, Sha256Kernel.HashSize));
    }

    private static int CheckHashManyArgs(ReadOnlySpan<byte> messages, int length, Span<byte> digests)
    {
        if (length <= 0) ThrowHelper.ThrowArgumentOutOfRange(nameof(length), "messages are at least one byte long");
        if (messages.Length % length != 0) ThrowHelper.ThrowArgumentOutOfRange(nameof(messages), "not a whole number of messages");
        int count = messages.Length / length;
        if (digests.Length < count * Sha256Kernel.HashSize) ThrowHelper.ThrowArgumentTooShort(nameof(digests), count * Sha256Kernel.HashSize);
        return count;
    }

    /// <summary>
    /// Messages in groups of one per lane (the last group's idle lanes hash its first message again; their
    /// digests are not written). Each block is transposed into the lanes' message words; the padding
    /// block(s) come from a per-lane copy of the message's tail.
    /// </summary>
    [SkipLocalsInit]
    private static void HashMany<TLanes, TVector>(ReadOnlySpan<byte> messages, int length, int count, Span<byte> digests)
        where TLanes : struct, ILanes<TVector>
        where TVector : unmanaged
    {
        int lanes = TLanes.Count;
        int blocks = (length + 9 + 63) / 64;
        int fullBlocks = length / 64;
        Span<uint> state = stackalloc uint[8 * 16];
        Span<uint> words = stackalloc uint[16 * 16];
        Span<byte> tail = stackalloc byte[128]; // one lane's padded last block(s): at most two
        for (int first = 0; first < count; first += lanes)
        {
            int active = Math.Min(lanes, count - first);
            Sha256Lanes.LoadInitialState(state, lanes);
            for (int b = 0; b < blocks; b++)
            {
                for (int lane = 0; lane < lanes; lane++)
                {
                    int message = first + (lane < active ? lane : 0);
                    scoped ReadOnlySpan<byte> block;
                    if (b < fullBlocks)
                    {
                        block = messages.Slice(message * length + b * 64, 64);
                    }
                    else
                    {
                        WritePaddedTail(messages.Slice(message * length, length), fullBlocks, tail);
                        block = tail.Slice((b - fullBlocks) * 64, 64);
                    }
                    for (int j = 0; j < 16; j++) words[j * lanes + lane] = BinaryPrimitives.ReadUInt32BigEndian(block[(4 * j)..]);
                }
                Sha256Lanes.Compress<TLanes, TVector>(state, words);
            }
            for (int lane = 0; lane < active; lane++)
            {
                Span<byte> digest = digests.Slice((first + lane) * Sha256Kernel.HashSize, Sha256Kernel.HashSize);
                for (int j = 0; j < 8; j++) BinaryPrimitives.WriteUInt32BigEndian(digest[(4 * j)..], state[j * lanes + lane]);
            }
        }
    }

    /// <summary>The message's bytes after its whole blocks, then 0x80, zeros and the bit length (FIPS 180-4 §5.1.1), in one or two blocks.</summary>
    private static void WritePaddedTail(ReadOnlySpan<byte> message, int fullBlocks, Span<byte> tail)
    {
        ReadOnlySpan<byte> rest = message[(fullBlocks * 64)..];
        int tailBlocks = rest.Length + 9 <= 64 ? 1 : 2;
        Span<byte> padded = tail[..(tailBlocks * 64)];
        padded.Clear();
        rest.CopyTo(padded);
        padded[rest.Length] = 0x80;
        BinaryPrimitives.WriteUInt64BigEndian(padded[^8..], (ulong)message.Length * 8);
    }
}
