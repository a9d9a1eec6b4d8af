using Fast.Crypto.Interop;

namespace Fast.Crypto;

/// <summary>
/// LZ4 block compression through liblz4 (raw blocks, no frame header): used for snapshots and
/// bulk ledger transfer. Decompression of hostile bytes is safe: it fails, it never overruns.
/// </summary>
public static unsafe class Lz4Block
{
    /// <summary>liblz4's LZ4_MAX_INPUT_SIZE.</summary>
    public const int MaxInputSize = 0x7E000000;

    /// <summary>The largest output <see cref="Compress"/> can produce for <paramref name="inputLength"/> bytes.</summary>
    public static int MaxCompressedLength(int inputLength)
    {
        if ((uint)inputLength > MaxInputSize) throw new ArgumentOutOfRangeException(nameof(inputLength));
        return Lz4Native.CompressBound(inputLength);
    }

    /// <summary>Compresses into <paramref name="destination"/>; returns bytes written, or 0 when it does not fit.</summary>
    public static int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (source.Length > MaxInputSize) throw new ArgumentOutOfRangeException(nameof(source));
        fixed (byte* s = source, d = destination)
        {
            return Lz4Native.CompressDefault(s, d, source.Length, destination.Length);
        }
    }

    /// <summary>
    /// Decompresses a block into <paramref name="destination"/>. False when the block is malformed
    /// or would not fit (the size of <paramref name="destination"/> is the cap).
    /// </summary>
    public static bool TryDecompress(ReadOnlySpan<byte> source, Span<byte> destination, out int written)
    {
        written = 0;
        if (source.IsEmpty) return false;
        fixed (byte* s = source, d = destination)
        {
            int n = Lz4Native.DecompressSafe(s, d, source.Length, destination.Length);
            if (n < 0) return false;
            written = n;
            return true;
        }
    }
}
