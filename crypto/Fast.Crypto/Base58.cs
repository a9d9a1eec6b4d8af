namespace Fast.Crypto;

/// <summary>
/// Base58 (Bitcoin alphabet) for keys and signatures in text: what operators type and read.
/// Leading zero bytes map to leading '1's. Cold path: fine to allocate the result string.
/// </summary>
public static class Base58
{
    private const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    /// <summary>The most bytes <see cref="TryDecodeExact"/> decodes (keys, signatures, hashes).</summary>
    private const int MaxExactBytes = 128;

    private static readonly sbyte[] DigitOf = BuildDigitTable();

    private static sbyte[] BuildDigitTable()
    {
        sbyte[] table = new sbyte[128];
        Array.Fill(table, (sbyte)-1);
        for (int i = 0; i < Alphabet.Length; i++) table[Alphabet[i]] = (sbyte)i;
        return table;
    }

    public static string Encode(ReadOnlySpan<byte> data)
    {
        int zeros = 0;
        while (zeros < data.Length && data[zeros] == 0) zeros++;

        // log(256)/log(58) ≈ 1.366: digits needed for the remaining bytes.
        int size = (data.Length - zeros) * 138 / 100 + 1;
        Span<byte> digits = size <= 512 ? stackalloc byte[size] : new byte[size];
        digits.Clear();
        int length = 0;
        for (int i = zeros; i < data.Length; i++)
        {
            int carry = data[i];
            int j = 0;
            for (int k = size - 1; (carry != 0 || j < length) && k >= 0; k--, j++)
            {
                carry += 256 * digits[k];
                digits[k] = (byte)(carry % 58);
                carry /= 58;
            }
            length = j;
        }

        int start = size - length;
        while (start < size && digits[start] == 0) start++;
        return BuildString(zeros, digits[start..]);
    }

    private static string BuildString(int zeros, ReadOnlySpan<byte> digits)
    {
        Span<char> chars = zeros + digits.Length <= 512 ? stackalloc char[zeros + digits.Length] : new char[zeros + digits.Length];
        chars[..zeros].Fill('1');
        for (int i = 0; i < digits.Length; i++) chars[zeros + i] = Alphabet[digits[i]];
        return new string(chars);
    }

    /// <summary>
    /// Decodes into <paramref name="destination"/>; false for a character outside the alphabet or a
    /// result that does not fit. Text too long to fit is refused before any work (decoding is
    /// quadratic, so the destination's size bounds the cost).
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<char> text, Span<byte> destination, out int written)
    {
        written = 0;
        int zeros = 0;
        while (zeros < text.Length && text[zeros] == '1') zeros++;
        // Each digit after the leading '1's carries log2(58)/8 ≈ 0.732 bytes, so this many digits cannot fit.
        if (zeros > destination.Length || (long)(text.Length - zeros) * 732 / 1000 > destination.Length - zeros + 1) return false;

        // log(58)/log(256) ≈ 0.733: bytes needed for the remaining digits.
        int size = (text.Length - zeros) * 733 / 1000 + 1;
        byte[]? heap = size > 2048 ? new byte[size] : null;
        Span<byte> bytes = heap ?? stackalloc byte[size];
        bytes.Clear();
        int length = 0;
        for (int i = zeros; i < text.Length; i++)
        {
            char c = text[i];
            if (c >= 128 || DigitOf[c] < 0) return false;
            int carry = DigitOf[c];
            int j = 0;
            for (int k = size - 1; (carry != 0 || j < length) && k >= 0; k--, j++)
            {
                carry += 58 * bytes[k];
                bytes[k] = (byte)carry;
                carry >>= 8;
            }
            length = j;
        }

        int start = size - length;
        while (start < size && bytes[start] == 0) start++;
        int total = zeros + (size - start);
        if (total > destination.Length) return false;
        destination[..zeros].Clear();
        bytes[start..].CopyTo(destination[zeros..]);
        written = total;
        return true;
    }

    /// <summary>Decodes text that must be exactly <paramref name="destination"/>.Length bytes (a key, a signature).</summary>
    public static bool TryDecodeExact(ReadOnlySpan<char> text, Span<byte> destination)
    {
        if (destination.Length > MaxExactBytes) return TryDecode(text, destination, out int n) && n == destination.Length;
        Span<byte> buffer = stackalloc byte[MaxExactBytes + 1];
        if (!TryDecode(text, buffer[..(destination.Length + 1)], out int written) || written != destination.Length) return false;
        buffer[..written].CopyTo(destination);
        return true;
    }
}
