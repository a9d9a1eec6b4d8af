using System.Diagnostics.CodeAnalysis;

namespace Fast.Storage;

/// <summary>Throw sites for Fast.Storage (bugs and environment failures; expected outcomes are return values).</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    internal static void ThrowArgument(string paramName, string message) => throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    internal static void ThrowInvalidOperation(string message) => throw new InvalidOperationException(message);

    [DoesNotReturn]
    internal static void ThrowStorage(string message) => throw new StorageException(message);
}

/// <summary>The store on disk could not do what was asked (I/O failure, corrupt or incompatible files).</summary>
public sealed class StorageException(string message, Exception? inner = null) : Exception(message, inner);
