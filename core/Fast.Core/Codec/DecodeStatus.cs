namespace Fast.Core.Codec;

/// <summary>
/// Why a decoder rejected its input. Decoders never throw on hostile bytes; they return one of
/// these with the byte offset where decoding stopped (<see cref="DecodeResult"/>). Nodes count
/// drops by status in their metrics.
/// </summary>
public enum DecodeStatus : byte
{
    Ok = 0,

    /// <summary>The input ended before the value did.</summary>
    Truncated,

    /// <summary>Bytes remain after a complete value (every format here is exact-length).</summary>
    TrailingBytes,

    /// <summary>A compact-u16 length used more bytes than needed, or more than 3, or exceeded 0xFFFF.</summary>
    NonCanonicalLength,

    /// <summary>A count or length is larger than the format allows (checked before anything is sized from it).</summary>
    LengthTooLarge,

    /// <summary>The whole encoding is larger than its format's maximum (e.g. a 1,232-byte packet).</summary>
    TooLarge,

    /// <summary>An index points outside the table it indexes.</summary>
    IndexOutOfRange,

    /// <summary>Two counts that must agree do not (e.g. signatures vs required signers).</summary>
    CountMismatch,

    /// <summary>A field holds a value its format forbids (unknown variant, reserved flag bits set, a duplicate key).</summary>
    InvalidValue,
}

/// <summary>A decoder's verdict: <see cref="DecodeStatus.Ok"/>, or the status and the offset where it failed.</summary>
public readonly record struct DecodeResult(DecodeStatus Status, int Offset)
{
    public static DecodeResult Success => default;

    public bool IsOk => Status == DecodeStatus.Ok;

    public override string ToString() => IsOk ? "ok" : $"{Status} at offset {Offset}";
}
