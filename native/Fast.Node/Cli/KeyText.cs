using Fast.Crypto;

namespace Fast.Node.Cli;

/// <summary>Text forms of keys for printing.</summary>
public static class KeyText
{
    public static string ToBase58(this ReadOnlySpan<byte> key) => Base58.Encode(key);
}
