using System.Runtime.CompilerServices;

namespace Fast.Core.Codec;

/// <summary>
/// The compact-u16 ("shortvec") length prefix of Solana's wire format: 7 bits per byte, low
/// group first, high bit = more bytes follow; 1–3 bytes for 0..0xFFFF. Exactly one encoding per
/// value: a trailing zero group, a fourth byte or a value past 0xFFFF is <see cref="DecodeStatus.NonCanonicalLength"/>.
/// </summary>
public static class ShortVec
{
    public const int MaxBytes = 3;
    public const int MaxValue = 0xFFFF;

    /// <summary>How many bytes <paramref name="value"/> takes (1–3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int EncodedLength(int value) => value < 0x80 ? 1 : value < 0x4000 ? 2 : 3;

    /// <summary>Writes <paramref name="value"/> (0..0xFFFF); returns bytes written, or 0 when it does not fit.</summary>
    public static int Write(Span<byte> destination, int value)
    {
        if ((uint)value > MaxValue) Primitives.ThrowHelper.ThrowArgument(nameof(value), "shortvec values are 0..65535");
        int length = EncodedLength(value);
        if (destination.Length < length) return 0;
        for (int i = 0; i < length - 1; i++)
        {
            destination[i] = (byte)((value & 0x7F) | 0x80);
            value >>= 7;
        }
        destination[length - 1] = (byte)value;
        return length;
    }

    /// <summary>
    /// Reads a compact-u16 from the start of <paramref name="source"/>. Returns Ok with the value
    /// and the bytes consumed, or Truncated / NonCanonicalLength.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DecodeStatus TryRead(ReadOnlySpan<byte> source, out int value, out int consumed)
    {
        if (source.Length > 0 && source[0] < 0x80)
        {
            value = source[0];
            consumed = 1;
            return DecodeStatus.Ok;
        }
        return TryReadMultiByte(source, out value, out consumed);
    }

    private static DecodeStatus TryReadMultiByte(ReadOnlySpan<byte> source, out int value, out int consumed)
    {
        value = 0;
        consumed = 0;
        int result = 0;
        for (int i = 0; i < MaxBytes; i++)
        {
            if (i >= source.Length)
            {
                consumed = i;
                return DecodeStatus.Truncated;
            }
            byte b = source[i];
            // Third byte: only 2 bits remain for a u16, and it may not continue.
            if (i == 2 && b > 0x03)
            {
                consumed = i;
                return DecodeStatus.NonCanonicalLength;
            }
            result |= (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                // A zero final group after the first byte is an alias of a shorter encoding.
                if (i > 0 && b == 0)
                {
                    consumed = i;
                    return DecodeStatus.NonCanonicalLength;
                }
                value = result;
                consumed = i + 1;
                return DecodeStatus.Ok;
            }
        }
        consumed = MaxBytes - 1;
        return DecodeStatus.NonCanonicalLength;
    }
}
