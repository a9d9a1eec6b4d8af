using System.Diagnostics.CodeAnalysis;

namespace Fast.Exec;

/// <summary>Throw sites for Fast.Exec: misuse of the API (bugs), never a transaction's failure (that is a <see cref="TransactionError"/>).</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    internal static void ThrowInvalidOperation(string message) => throw new InvalidOperationException(message);

    [DoesNotReturn]
    internal static void ThrowArgument(string paramName, string message) => throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    internal static void ThrowReleased(ulong slot) =>
        throw new InvalidOperationException($"bank {slot} was released (rooted past or pruned); read a live bank");
}
