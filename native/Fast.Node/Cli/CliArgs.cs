using Fast.Crypto;

namespace Fast.Node.Cli;

/// <summary>Turns command-line text into bytes and keys, or a one-line <see cref="CliException"/> saying what is wrong.</summary>
public static class CliArgs
{
    /// <summary>A 32-byte public key given as 64 hex digits (optional 0x) or base58.</summary>
    public static byte[] ParsePublicKey(string text, string what = "public key")
    {
        string trimmed = text.Trim();
        byte[] key = new byte[Schnorr.PublicKeySize];
        bool isHex = (trimmed.Length == 64 || (trimmed.Length == 66 && trimmed.StartsWith("0x", StringComparison.OrdinalIgnoreCase)))
            && Hex.TryDecode(trimmed, out byte[] hexBytes) && hexBytes.Length == key.Length;
        if (isHex)
        {
            Hex.TryDecode(trimmed, out key);
            return key;
        }
        if (Base58.TryDecodeExact(trimmed, key)) return key;
        throw new CliException($"{what} '{Shorten(text)}' is neither 64 hex digits nor base58 of 32 bytes");
    }

    /// <summary>Bytes given as hex ('' is the empty message).</summary>
    public static byte[] ParseHex(string text, string what)
    {
        if (Hex.TryDecode(text.Trim(), out byte[] bytes)) return bytes;
        throw new CliException($"{what} is not valid hex (an even number of 0-9a-f digits)");
    }

    /// <summary>Exactly <paramref name="length"/> bytes given as hex or base58.</summary>
    public static byte[] ParseFixed(string text, int length, string what)
    {
        string trimmed = text.Trim();
        if (Hex.TryDecode(trimmed, out byte[] hex) && hex.Length == length) return hex;
        byte[] decoded = new byte[length];
        if (Base58.TryDecodeExact(trimmed, decoded)) return decoded;
        throw new CliException($"{what} must be {length} bytes as hex ({length * 2} digits) or base58");
    }

    public static Keypair ReadKeypair(string path)
    {
        KeypairFileError error = KeypairFile.TryRead(path, out Keypair? keypair, out string message);
        return error switch
        {
            KeypairFileError.None => keypair!,
            KeypairFileError.AccessDenied or KeypairFileError.IoFailure or KeypairFileError.PermissionsTooOpen => throw new CliException(message, ExitCodes.Failure),
            _ => throw new CliException(message),
        };
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}
