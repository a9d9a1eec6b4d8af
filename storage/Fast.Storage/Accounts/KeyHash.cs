using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Fast.Core.Primitives;

namespace Fast.Storage.Accounts;

/// <summary>
/// The hash of an account key for in-memory tables. Keys are chosen by users (any 32 bytes can be
/// a recipient), so the hash is seeded per process (<see cref="HashCode"/>) rather than taken from
/// the key's bytes, which a client could grind into one long probe chain.
/// </summary>
internal static class KeyHash
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Of(in Pubkey key)
    {
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(key.Span);
        return HashCode.Combine(words[0], words[1], words[2], words[3]);
    }
}
