namespace Fast.Crypto;

/// <summary>Hex text for bytes (CLI input/output). Accepts upper or lower case and an optional 0x prefix.</summary>
public static class Hex
{
    public static string Encode(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>Decodes hex text; false on an odd length or a non-hex character.</summary>
    public static bool TryDecode(string text, out byte[] bytes)
    {
        ReadOnlySpan<char> span = text.AsSpan();
        if (span.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) span = span[2..];
        bytes = [];
        if (span.Length % 2 != 0) return false;
        byte[] result = new byte[span.Length / 2];
        if (Convert.FromHexString(span, result, out _, out int written) != System.Buffers.OperationStatus.Done || written != result.Length)
        {
            return false;
        }
        bytes = result;
        return true;
    }
}
