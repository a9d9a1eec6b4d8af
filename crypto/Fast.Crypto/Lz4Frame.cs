using Fast.Crypto.Interop;

namespace Fast.Crypto;

/// <summary>
/// Decodes LZ4 frames (the format of the `lz4` command-line tool, with its checksums) through
/// liblz4. The output size is capped by the caller, so a hostile frame cannot make us allocate
/// without bound; malformed frames return false.
/// </summary>
public static unsafe class Lz4Frame
{
    /// <summary>Decompresses a whole frame; false when malformed, truncated, or larger than <paramref name="maxOutputBytes"/>.</summary>
    public static bool TryDecompress(ReadOnlySpan<byte> frame, int maxOutputBytes, out byte[] output)
    {
        output = [];
        if (frame.IsEmpty || maxOutputBytes < 0) return false;
        nint context;
        if (Lz4FrameNative.IsError(Lz4FrameNative.CreateDecompressionContext(&context, Lz4FrameNative.Version)) != 0) return false;
        try
        {
            MemoryStream result = new();
            byte[] chunk = new byte[64 * 1024];
            int consumed = 0;
            fixed (byte* source = frame, destination = chunk)
            {
                while (true)
                {
                    nuint sourceSize = (nuint)(frame.Length - consumed);
                    nuint destinationSize = (nuint)chunk.Length;
                    nuint hint = Lz4FrameNative.Decompress(context, destination, &destinationSize, source + consumed, &sourceSize, null);
                    if (Lz4FrameNative.IsError(hint) != 0) return false;
                    consumed += (int)sourceSize;
                    if (result.Length + (long)destinationSize > maxOutputBytes) return false;
                    result.Write(chunk, 0, (int)destinationSize);
                    if (hint == 0)
                    {
                        // The frame is complete; trailing bytes are not part of it.
                        if (consumed != frame.Length) return false;
                        output = result.ToArray();
                        return true;
                    }
                    if (sourceSize == 0 && destinationSize == 0) return false; // truncated: no progress possible
                }
            }
        }
        finally
        {
            Lz4FrameNative.FreeDecompressionContext(context);
        }
    }
}
