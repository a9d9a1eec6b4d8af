using System.Diagnostics.CodeAnalysis;

namespace Fast.Crypto;

/// <summary>Throw sites for Fast.Crypto, kept out of line so hot callers stay small.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    internal static void ThrowArgumentLength(string paramName, int expected) =>
        throw new ArgumentException($"must be exactly {expected} bytes", paramName);

    [DoesNotReturn]
    internal static void ThrowArgumentTooShort(string paramName, int minimum) =>
        throw new ArgumentException($"must be at least {minimum} bytes", paramName);

    [DoesNotReturn]
    internal static void ThrowNativeFailure(string what) =>
        throw new InvalidOperationException($"native call failed: {what}");

    [DoesNotReturn]
    internal static void ThrowArgumentOutOfRange(string paramName, string message) =>
        throw new ArgumentOutOfRangeException(paramName, message);

    [DoesNotReturn]
    internal static void ThrowPlatformNotSupported(string feature) =>
        throw new PlatformNotSupportedException($"this CPU lacks {feature}");
}
