using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Fast.Core.Primitives;

namespace Fast.Core.Codec;

/// <summary>
/// Reads the wire formats from a span: little-endian fixed-width integers, compact-u16 lengths,
/// fixed byte strings. Every read is bounds-checked and returns false on failure; the first
/// failure is remembered with its offset (<see cref="Result"/>) and later reads keep failing, so a
/// decoder can read a run of fields and check once. Never throws, never allocates, and never sizes
/// anything from a length it has not checked against a caller-given maximum.
/// </summary>
public ref struct SpanReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;
    private DecodeStatus _status;
    private int _failedAt;

    public SpanReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
        _status = DecodeStatus.Ok;
        _failedAt = 0;
    }

    /// <summary>Offset of the next byte to read.</summary>
    public readonly int Position => _position;

    public readonly int Remaining => _buffer.Length - _position;

    public readonly bool IsOk => _status == DecodeStatus.Ok;

    /// <summary>Ok, or the first failure and its offset.</summary>
    public readonly DecodeResult Result => new(_status, _status == DecodeStatus.Ok ? _position : _failedAt);

    /// <summary>Records a failure at <paramref name="offset"/> (the first one wins) and returns false.</summary>
    public bool Fail(DecodeStatus status, int offset)
    {
        if (_status == DecodeStatus.Ok)
        {
            _status = status;
            _failedAt = offset;
        }
        return false;
    }

    /// <summary>Records a failure at the current position.</summary>
    public bool Fail(DecodeStatus status) => Fail(status, _position);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Has(int count) => _status == DecodeStatus.Ok && (uint)count <= (uint)(_buffer.Length - _position);

    public bool TryReadU8(out byte value)
    {
        if (!Has(1))
        {
            value = 0;
            return Fail(DecodeStatus.Truncated);
        }
        value = _buffer[_position++];
        return true;
    }

    public bool TryReadU16(out ushort value)
    {
        if (!Has(2))
        {
            value = 0;
            return Fail(DecodeStatus.Truncated);
        }
        value = BinaryPrimitives.ReadUInt16LittleEndian(_buffer.Slice(_position, 2));
        _position += 2;
        return true;
    }

    public bool TryReadU32(out uint value)
    {
        if (!Has(4))
        {
            value = 0;
            return Fail(DecodeStatus.Truncated);
        }
        value = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.Slice(_position, 4));
        _position += 4;
        return true;
    }

    public bool TryReadU64(out ulong value)
    {
        if (!Has(8))
        {
            value = 0;
            return Fail(DecodeStatus.Truncated);
        }
        value = BinaryPrimitives.ReadUInt64LittleEndian(_buffer.Slice(_position, 8));
        _position += 8;
        return true;
    }

    public bool TryReadI64(out long value)
    {
        bool ok = TryReadU64(out ulong raw);
        value = (long)raw;
        return ok;
    }

    /// <summary>
    /// Reads a compact-u16 length and checks it against <paramref name="max"/> (LengthTooLarge
    /// beyond it, reported at the length's own offset).
    /// </summary>
    public bool TryReadShortVec(out int length, int max)
    {
        length = 0;
        if (_status != DecodeStatus.Ok) return false;
        int start = _position;
        DecodeStatus status = ShortVec.TryRead(_buffer[_position..], out int value, out int consumed);
        if (status != DecodeStatus.Ok) return Fail(status, start + consumed);
        if (value > max) return Fail(DecodeStatus.LengthTooLarge, start);
        _position += consumed;
        length = value;
        return true;
    }

    /// <summary>Reads <paramref name="count"/> bytes as a view into the buffer (no copy).</summary>
    public bool TryReadBytes(int count, out ReadOnlySpan<byte> bytes)
    {
        if (count < 0 || !Has(count))
        {
            bytes = default;
            return Fail(DecodeStatus.Truncated);
        }
        bytes = _buffer.Slice(_position, count);
        _position += count;
        return true;
    }

    public bool TryReadHash(out Hash value)
    {
        if (!TryReadBytes(Hash.Size, out ReadOnlySpan<byte> bytes))
        {
            value = default;
            return false;
        }
        value = new Hash(bytes);
        return true;
    }

    public bool TryReadPubkey(out Pubkey value)
    {
        if (!TryReadBytes(Pubkey.Size, out ReadOnlySpan<byte> bytes))
        {
            value = default;
            return false;
        }
        value = new Pubkey(bytes);
        return true;
    }

    public bool TryReadSignature(out Signature value)
    {
        if (!TryReadBytes(Signature.Size, out ReadOnlySpan<byte> bytes))
        {
            value = default;
            return false;
        }
        value = new Signature(bytes);
        return true;
    }

    /// <summary>Skips <paramref name="count"/> bytes.</summary>
    public bool TrySkip(int count) => TryReadBytes(count, out _);

    /// <summary>Succeeds only at the very end of the input: every format is exact-length.</summary>
    public bool ExpectEnd()
    {
        if (_status != DecodeStatus.Ok) return false;
        return _position == _buffer.Length || Fail(DecodeStatus.TrailingBytes);
    }
}
