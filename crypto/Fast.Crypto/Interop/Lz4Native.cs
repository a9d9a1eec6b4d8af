using System.Runtime.InteropServices;

namespace Fast.Crypto.Interop;

/// <summary>Raw bindings to liblz4's block API (LZ4_compress_default / LZ4_decompress_safe).</summary>
internal static unsafe partial class Lz4Native
{
    internal const string Library = "lz4";

    [LibraryImport(Library, EntryPoint = "LZ4_compressBound")]
    internal static partial int CompressBound(int inputSize);

    [LibraryImport(Library, EntryPoint = "LZ4_compress_default")]
    internal static partial int CompressDefault(byte* source, byte* destination, int sourceSize, int maxDestinationSize);

    [LibraryImport(Library, EntryPoint = "LZ4_decompress_safe")]
    internal static partial int DecompressSafe(byte* source, byte* destination, int compressedSize, int maxDecompressedSize);
}

/// <summary>Raw bindings to liblz4's frame decoder (LZ4F_*), for .lz4 files made by the lz4 tool.</summary>
internal static unsafe partial class Lz4FrameNative
{
    /// <summary>LZ4F_VERSION.</summary>
    internal const uint Version = 100;

    [LibraryImport(Lz4Native.Library, EntryPoint = "LZ4F_createDecompressionContext")]
    internal static partial nuint CreateDecompressionContext(nint* context, uint version);

    [LibraryImport(Lz4Native.Library, EntryPoint = "LZ4F_freeDecompressionContext")]
    internal static partial nuint FreeDecompressionContext(nint context);

    [LibraryImport(Lz4Native.Library, EntryPoint = "LZ4F_decompress")]
    internal static partial nuint Decompress(nint context, byte* destination, nuint* destinationSize, byte* source, nuint* sourceSize, void* options);

    [LibraryImport(Lz4Native.Library, EntryPoint = "LZ4F_isError")]
    internal static partial uint IsError(nuint code);
}
