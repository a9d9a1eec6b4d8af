using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Fast.Core.Codec;
using Fast.Core.Primitives;

namespace Fast.Core.Gossip;

/// <summary>
/// The Bloom filter a pull request carries: which gossip values (by their sha256) the requester already
/// holds, so the answerer sends only the others. Wire layout (10 + 8w bytes, at most 1,034):
/// <code>
/// u8 k (1..8)    hash functions
/// u64 salt       mixed into every index, chosen per request, so a value that is a false positive in
///                one request is very likely not in the next
/// u8 w (1..128)  64-bit words of bits (at most 8,192 bits)
/// w × u64        the bits; bit b is bit (b mod 64) of word (b / 64)
/// </code>
/// Index i of a value hash h (i &lt; k), over m = 64w bits: with h1 = u64le(h[0..8]) ⊕ salt and
/// h2 = (u64le(h[8..16]) ⊕ rotl(salt, 32)) | 1, index_i = (h1 + i·h2) mod m (double hashing; a value's
/// hash is already uniform, so its bytes are the hash functions). This type is the requester's reusable
/// builder (one word array, allocated once); <see cref="BloomFilterView"/> reads a received filter in place.
/// </summary>
public sealed class BloomFilter
{
    public const int MaxHashCount = 8;
    public const int MaxWords = 128;
    public const int MaxBits = MaxWords * 64;
    public const int HeaderLength = 1 + sizeof(ulong) + 1;
    public const int MaxEncodedLength = HeaderLength + MaxWords * sizeof(ulong);

    private readonly ulong[] _words = new ulong[MaxWords];

    public int HashCount { get; private set; } = 1;

    public ulong Salt { get; private set; }

    public int WordCount { get; private set; } = 1;

    public int BitCount => WordCount * 64;

    public int EncodedLength => HeaderLength + WordCount * sizeof(ulong);

    /// <summary>Clears the filter and sets its shape for a new request.</summary>
    public void Reset(int wordCount, int hashCount, ulong salt)
    {
        if (wordCount < 1 || wordCount > MaxWords) ThrowHelper.ThrowArgument(nameof(wordCount), "1..128 words");
        if (hashCount < 1 || hashCount > MaxHashCount) ThrowHelper.ThrowArgument(nameof(hashCount), "1..8 hash functions");
        Array.Clear(_words);
        WordCount = wordCount;
        HashCount = hashCount;
        Salt = salt;
    }

    /// <summary>
    /// The number of hash functions that keeps false positives lowest for <paramref name="items"/> values
    /// in <paramref name="bitCount"/> bits: (m / n) · ln 2, in integers, clamped to 1..8.
    /// </summary>
    public static int OptimalHashCount(int items, int bitCount)
    {
        if (items <= 0) return MaxHashCount;
        long k = (long)bitCount * 693 / ((long)items * 1000);
        return (int)Math.Clamp(k, 1, MaxHashCount);
    }

    public void Add(in Hash valueHash)
    {
        for (int i = 0; i < HashCount; i++)
        {
            int bit = BitIndex(valueHash, Salt, i, BitCount);
            _words[bit >> 6] |= 1UL << (bit & 63);
        }
    }

    public bool Contains(in Hash valueHash)
    {
        for (int i = 0; i < HashCount; i++)
        {
            int bit = BitIndex(valueHash, Salt, i, BitCount);
            if ((_words[bit >> 6] & (1UL << (bit & 63))) == 0) return false;
        }
        return true;
    }

    /// <summary>Writes the filter in its wire form.</summary>
    public void Write(ref SpanWriter writer)
    {
        GossipMessageWriter.WriteFilterHeader(ref writer, HashCount, Salt, WordCount);
        for (int i = 0; i < WordCount; i++) writer.WriteU64(_words[i]);
    }

    /// <summary>The i-th bit index of <paramref name="valueHash"/> in a filter of <paramref name="bitCount"/> bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int BitIndex(in Hash valueHash, ulong salt, int i, int bitCount)
    {
        ReadOnlySpan<byte> h = valueHash.Span;
        ulong h1 = BinaryPrimitives.ReadUInt64LittleEndian(h) ^ salt;
        ulong h2 = (BinaryPrimitives.ReadUInt64LittleEndian(h[8..]) ^ ulong.RotateLeft(salt, 32)) | 1;
        return (int)(unchecked(h1 + (ulong)i * h2) % (ulong)bitCount);
    }
}

/// <summary>
/// A received Bloom filter (<see cref="BloomFilter"/> for the layout), read in place: membership checks
/// read the words from the packet, allocating nothing.
/// </summary>
public readonly ref struct BloomFilterView
{
    public const int HashCountOffset = 0;
    public const int SaltOffset = 1;
    public const int WordCountOffset = SaltOffset + sizeof(ulong);
    public const int WordsOffset = BloomFilter.HeaderLength;

    private BloomFilterView(ReadOnlySpan<byte> bytes, int hashCount, int wordCount)
    {
        Bytes = bytes;
        HashCount = hashCount;
        WordCount = wordCount;
    }

    /// <summary>The whole filter, exactly.</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    public int HashCount { get; }

    public int WordCount { get; }

    public int BitCount => WordCount * 64;

    public ulong Salt => BinaryPrimitives.ReadUInt64LittleEndian(Bytes[SaltOffset..]);

    public ulong GetWord(int index) => BinaryPrimitives.ReadUInt64LittleEndian(Bytes.Slice(WordsOffset + index * sizeof(ulong), sizeof(ulong)));

    public bool Contains(in Hash valueHash)
    {
        ulong salt = Salt;
        int bits = BitCount;
        for (int i = 0; i < HashCount; i++)
        {
            int bit = BloomFilter.BitIndex(valueHash, salt, i, bits);
            if ((GetWord(bit >> 6) & (1UL << (bit & 63))) == 0) return false;
        }
        return true;
    }

    /// <summary>Parses the filter at the start of <paramref name="buffer"/>; <paramref name="length"/> is its size.</summary>
    public static DecodeResult TryParsePrefix(ReadOnlySpan<byte> buffer, out BloomFilterView filter, out int length)
    {
        filter = default;
        length = 0;
        SpanReader reader = new(buffer);
        reader.TryReadU8(out byte hashCount);
        if (!reader.IsOk) return reader.Result;
        if (hashCount == 0 || hashCount > BloomFilter.MaxHashCount) return new DecodeResult(DecodeStatus.InvalidValue, HashCountOffset);
        reader.TrySkip(sizeof(ulong));
        reader.TryReadU8(out byte wordCount);
        if (!reader.IsOk) return reader.Result;
        if (wordCount == 0) return new DecodeResult(DecodeStatus.InvalidValue, WordCountOffset);
        if (wordCount > BloomFilter.MaxWords) return new DecodeResult(DecodeStatus.LengthTooLarge, WordCountOffset);
        if (!reader.TrySkip(wordCount * sizeof(ulong))) return reader.Result;
        length = reader.Position;
        filter = new BloomFilterView(buffer[..length], hashCount, wordCount);
        return DecodeResult.Success;
    }
}
