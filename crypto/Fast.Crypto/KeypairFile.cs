using System.Text;
using System.Text.Json;

namespace Fast.Crypto;

/// <summary>Why a keypair file could not be read or written.</summary>
public enum KeypairFileError
{
    None,
    NotFound,
    AlreadyExists,
    DirectoryNotFound,
    AccessDenied,
    TooLarge,
    NotAByteArray,
    WrongLength,
    InvalidSecretKey,
    PublicKeyMismatch,
    IoFailure,

    /// <summary>The file is readable (or writable) by its group or others: refused, as ssh refuses such a private key.</summary>
    PermissionsTooOpen,
}

/// <summary>
/// Keypair files: a JSON array of 64 numbers, the 32-byte secret key then the 32-byte x-only
/// public key (the shape Solana tooling uses, so operators recognise it). Written with mode
/// 0600, atomically, and never over an existing file unless asked. Reading checks that the
/// public key really belongs to the secret key, and refuses a file its group or others may access
/// (as ssh refuses such a private key).
/// </summary>
public static class KeypairFile
{
    /// <summary>A keypair file is ~250 bytes; anything past this is not one (and is not read into memory).</summary>
    public const int MaxFileBytes = 4096;
    public const int ByteCount = Schnorr.SecretKeySize + Schnorr.PublicKeySize;

    /// <summary>Where <c>fast keygen</c> writes when no path is given: ~/.config/fast/id.json.</summary>
    public static string DefaultPath =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config", "fast", "id.json");

    public static KeypairFileError TryRead(string path, out Keypair? keypair, out string message)
    {
        keypair = null;
        byte[] content;
        try
        {
            using FileStream stream = new(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (stream.Length > MaxFileBytes) return Fail(KeypairFileError.TooLarge, $"{path}: larger than {MaxFileBytes} bytes, not a keypair file", out message);
            content = new byte[stream.Length];
            stream.ReadExactly(content);
        }
        catch (FileNotFoundException) { return Fail(KeypairFileError.NotFound, $"{path}: no such file", out message); }
        catch (DirectoryNotFoundException) { return Fail(KeypairFileError.NotFound, $"{path}: no such file", out message); }
        catch (UnauthorizedAccessException) { return Fail(KeypairFileError.AccessDenied, $"{path}: permission denied", out message); }
        catch (IOException e) { return Fail(KeypairFileError.IoFailure, $"{path}: {e.Message}", out message); }

        Span<byte> bytes = stackalloc byte[ByteCount];
        KeypairFileError parse = ParseByteArray(content, bytes, out string detail);
        if (parse != KeypairFileError.None) return Fail(parse, $"{path}: {detail}", out message);

        if (!Keypair.TryFromSecretKey(bytes[..Schnorr.SecretKeySize], out Keypair? parsed))
        {
            return Fail(KeypairFileError.InvalidSecretKey, $"{path}: the secret key is not a valid secp256k1 scalar", out message);
        }
        if (!parsed.PublicKey.SequenceEqual(bytes[Schnorr.SecretKeySize..]))
        {
            return Fail(KeypairFileError.PublicKeyMismatch, $"{path}: the public key does not match the secret key", out message);
        }
        if (!OperatingSystem.IsWindows())
        {
            UnixFileMode mode;
            try
            {
                mode = File.GetUnixFileMode(path);
            }
            catch (IOException e) { return Fail(KeypairFileError.IoFailure, $"{path}: {e.Message}", out message); }
            catch (UnauthorizedAccessException) { return Fail(KeypairFileError.AccessDenied, $"{path}: permission denied", out message); }
            if ((mode & GroupOrOthers) != 0)
            {
                return Fail(KeypairFileError.PermissionsTooOpen,
                    $"permissions {Convert.ToString((int)mode & 0x1FF, 8).PadLeft(4, '0')} for '{path}' are too open: a keypair must be private to its owner (chmod 600 '{path}')", out message);
            }
        }
        keypair = parsed;
        message = string.Empty;
        return KeypairFileError.None;
    }

    private const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public static KeypairFileError TryWrite(string path, Keypair keypair, bool overwrite, out string message)
    {
        string full = Path.GetFullPath(path);
        string? directory = Path.GetDirectoryName(full);
        if (directory is null || !Directory.Exists(directory))
        {
            return Fail(KeypairFileError.DirectoryNotFound, $"{path}: directory {directory} does not exist", out message);
        }
        if (!overwrite && (File.Exists(full) || Directory.Exists(full)))
        {
            return Fail(KeypairFileError.AlreadyExists, $"{path}: already exists (use --force to overwrite)", out message);
        }

        byte[] text = Format(keypair);
        // Write a private temporary file beside the target, then rename: readers never see half a key,
        // and the result is 0600 even when it replaces a file with looser permissions.
        string temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        FileStreamOptions options = new()
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
        };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using (FileStream stream = new(temporary, options))
            {
                stream.Write(text);
                stream.Flush(flushToDisk: true);
            }
            if (overwrite) File.Move(temporary, full, overwrite: true);
            else File.Move(temporary, full, overwrite: false);
        }
        catch (UnauthorizedAccessException)
        {
            TryDelete(temporary);
            return Fail(KeypairFileError.AccessDenied, $"{path}: permission denied", out message);
        }
        catch (IOException e)
        {
            TryDelete(temporary);
            if (!overwrite && File.Exists(full)) return Fail(KeypairFileError.AlreadyExists, $"{path}: already exists (use --force to overwrite)", out message);
            return Fail(KeypairFileError.IoFailure, $"{path}: {e.Message}", out message);
        }
        message = string.Empty;
        return KeypairFileError.None;
    }

    /// <summary>The file text: "[s0,s1,...,s31,p0,...,p31]\n".</summary>
    public static byte[] Format(Keypair keypair)
    {
        StringBuilder text = new(ByteCount * 4 + 3);
        text.Append('[');
        AppendBytes(text, keypair.SecretKey);
        text.Append(',');
        AppendBytes(text, keypair.PublicKey);
        text.Append("]\n");
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static void AppendBytes(StringBuilder text, ReadOnlySpan<byte> bytes)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            if (i > 0) text.Append(',');
            text.Append(bytes[i]);
        }
    }

    private static KeypairFileError ParseByteArray(byte[] content, Span<byte> bytes, out string detail)
    {
        try
        {
            Utf8JsonReader reader = new(content, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 2 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                detail = "not a JSON array of bytes";
                return KeypairFileError.NotAByteArray;
            }
            int count = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out int value) || value is < 0 or > 255)
                {
                    detail = $"element {count} is not a byte (0-255)";
                    return KeypairFileError.NotAByteArray;
                }
                if (count == ByteCount)
                {
                    detail = $"more than {ByteCount} bytes";
                    return KeypairFileError.WrongLength;
                }
                bytes[count++] = (byte)value;
            }
            if (reader.TokenType != JsonTokenType.EndArray || reader.Read())
            {
                detail = "not a JSON array of bytes";
                return KeypairFileError.NotAByteArray;
            }
            if (count != ByteCount)
            {
                detail = $"{count} bytes, expected {ByteCount}";
                return KeypairFileError.WrongLength;
            }
        }
        catch (JsonException)
        {
            detail = "not a JSON array of bytes";
            return KeypairFileError.NotAByteArray;
        }
        detail = string.Empty;
        return KeypairFileError.None;
    }

    private static KeypairFileError Fail(KeypairFileError error, string text, out string message)
    {
        message = text;
        return error;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
