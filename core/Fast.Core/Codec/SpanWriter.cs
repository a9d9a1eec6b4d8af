using System.Buffers.Binary;
using Fast.Core.Primitives;

namespace Fast.Core.Codec;

/// <summary>
/// Writes the wire formats into a span: the mirror of <see cref="SpanReader"/>. A write that does
/// not fit sets <see cref="Overflowed"/> and writes nothing (this and every later write), so an
/// encoder writes its fields and checks once. Never allocates.
/// </summary>
public ref struct SpanWriter
{
    private readonly Span<byte> _buffer;
    private int _position;
    private bool _overflowed;

    public SpanWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
        _overflowed = false;
    }

    public readonly int Position => _position;

    /// <summary>True once any write did not fit.</summary>
    public readonly bool Overflowed => _overflowed;

    /// <summary>The bytes written so far.</summary>
    public readonly Span<byte> Written => _buffer[.._position];

    private bool Reserve(int count)
    {
        if (_overflowed || (uint)count > (uint)(_buffer.Length - _position))
        {
            _overflowed = true;
            return false;
        }
        return true;
    }

    public void WriteU8(byte value)
    {
        if (Reserve(1)) _buffer[_position++] = value;
    }

    public void WriteU16(ushort value)
    {
        if (!Reserve(2)) return;
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.Slice(_position, 2), value);
        _position += 2;
    }

    public void WriteU32(uint value)
    {
        if (!Reserve(4)) return;
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.Slice(_position, 4), value);
        _position += 4;
    }

    public void WriteU64(ulong value)
    {
        if (!Reserve(8)) return;
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.Slice(_position, 8), value);
        _position += 8;
    }

    public void WriteI64(long value) => WriteU64((ulong)value);

    /// <summary>Writes a compact-u16 (0..0xFFFF; a larger value is a bug and throws).</summary>
    public void WriteShortVec(int value)
    {
        if (!Reserve(ShortVec.EncodedLength(value))) return;
        _position += ShortVec.Write(_buffer[_position..], value);
    }

    public void WriteBytes(scoped ReadOnlySpan<byte> bytes)
    {
        if (!Reserve(bytes.Length)) return;
        bytes.CopyTo(_buffer[_position..]);
        _position += bytes.Length;
    }

    public void WriteHash(in Hash value) => WriteBytes(value.Span);

    public void WritePubkey(in Pubkey value) => WriteBytes(value.Span);

    public void WriteSignature(in Signature value) => WriteBytes(value.Span);

    /// <summary>Reserves <paramref name="count"/> bytes to fill in later (e.g. signatures); empty on overflow.</summary>
    public Span<byte> Advance(int count)
    {
        if (!Reserve(count)) return default;
        Span<byte> slot = _buffer.Slice(_position, count);
        _position += count;
        return slot;
    }
}
