using System.Diagnostics.CodeAnalysis;

namespace Fast.Core.Primitives;

/// <summary>Throw sites for Fast.Core (bugs only: hostile bytes get a <see cref="Codec.DecodeStatus"/>, not an exception).</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    internal static void ThrowLength(string paramName, int expected) =>
        throw new ArgumentException($"must be exactly {expected} bytes", paramName);

    [DoesNotReturn]
    internal static void ThrowArgument(string paramName, string message) =>
        throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    internal static void ThrowInvalidOperation(string message) =>
        throw new InvalidOperationException(message);
}
