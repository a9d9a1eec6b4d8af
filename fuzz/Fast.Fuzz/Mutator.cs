using System.Buffers.Binary;

namespace Fast.Fuzz;

/// <summary>splitmix64: a fast, seedable generator, so a campaign replays exactly from its seed.</summary>
public struct FuzzRandom
{
    private ulong _state;

    public FuzzRandom(ulong seed) => _state = seed;

    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in 0..n−1 (n ≥ 1).</summary>
    public int Below(int n) => (int)(((Next() >> 32) * (ulong)(uint)n) >> 32);

    public bool OneIn(int n) => Below(n) == 0;
}

/// <summary>
/// Mutates one input in place in a fixed buffer (no allocation): bit flips, byte sets to random or
/// "interesting" values, inserts and deletes (of sizes that shift whole keys and signatures too),
/// truncation and extension, edits of length fields (arithmetic, boundary values, canonical and
/// overlong compact-u16s), splicing with another corpus input, and block copies. Several are
/// stacked per input.
/// </summary>
public sealed class Mutator
{
    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x02, 0x03, 0x04, 0x07, 0x08, 0x0F, 0x10, 0x1F, 0x20, 0x3F, 0x40, 0x41, 0x7F, 0x80, 0x81, 0xC0, 0xFE, 0xFF];
    private static readonly int[] ShiftSizes = [1, 1, 1, 2, 3, 4, 8, 9, 32, 64];
    private static readonly int[] InterestingValues = [0, 1, 2, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 255, 256, 1232, 1233, 4096, 4097, 0x3FFF, 0x4000, 0x7FFF, 0xFFFF];

    private readonly byte[] _buffer;

    public Mutator(int capacity) => _buffer = new byte[capacity];

    public int Length { get; private set; }

    public int Capacity => _buffer.Length;

    public Span<byte> Input => _buffer.AsSpan(0, Length);

    public void Load(ReadOnlySpan<byte> source)
    {
        int length = Math.Min(source.Length, _buffer.Length);
        source[..length].CopyTo(_buffer);
        Length = length;
    }

    /// <summary>Applies 1–8 stacked mutations. <paramref name="lengthFields"/> may be empty; <paramref name="splice"/> is another corpus input.</summary>
    public void Mutate(ref FuzzRandom random, ReadOnlySpan<int> lengthFields, ReadOnlySpan<byte> splice)
    {
        int count = 1 << random.Below(4);
        for (int i = 0; i < count; i++) MutateOnce(ref random, lengthFields, splice);
    }

    private void MutateOnce(ref FuzzRandom random, ReadOnlySpan<int> lengthFields, ReadOnlySpan<byte> splice)
    {
        switch (random.Below(12))
        {
            case 0:
            case 1:
                FlipBit(ref random);
                break;
            case 2:
                SetByte(ref random, (byte)random.Next());
                break;
            case 3:
                SetByte(ref random, InterestingBytes[random.Below(InterestingBytes.Length)]);
                break;
            case 4:
                Insert(ref random);
                break;
            case 5:
                Delete(ref random);
                break;
            case 6:
                if (Length > 0) Length = random.Below(Length);
                break;
            case 7:
                Extend(ref random);
                break;
            case 8:
            case 9:
                EditLengthField(ref random, lengthFields);
                break;
            case 10:
                Splice(ref random, splice);
                break;
            default:
                CopyBlock(ref random);
                break;
        }
    }

    private void FlipBit(ref FuzzRandom random)
    {
        if (Length == 0) return;
        _buffer[random.Below(Length)] ^= (byte)(1 << random.Below(8));
    }

    private void SetByte(ref FuzzRandom random, byte value)
    {
        if (Length == 0) return;
        _buffer[random.Below(Length)] = value;
    }

    private void Insert(ref FuzzRandom random)
    {
        int size = Math.Min(ShiftSizes[random.Below(ShiftSizes.Length)], _buffer.Length - Length);
        if (size <= 0) return;
        int at = random.Below(Length + 1);
        _buffer.AsSpan(at, Length - at).CopyTo(_buffer.AsSpan(at + size));
        Span<byte> inserted = _buffer.AsSpan(at, size);
        if (random.OneIn(2)) inserted.Clear();
        else FillRandom(ref random, inserted);
        Length += size;
    }

    private void Delete(ref FuzzRandom random)
    {
        if (Length == 0) return;
        int size = Math.Min(ShiftSizes[random.Below(ShiftSizes.Length)], Length);
        int at = random.Below(Length - size + 1);
        _buffer.AsSpan(at + size, Length - at - size).CopyTo(_buffer.AsSpan(at));
        Length -= size;
    }

    private void Extend(ref FuzzRandom random)
    {
        int size = Math.Min(1 + random.Below(random.OneIn(4) ? 256 : 16), _buffer.Length - Length);
        if (size <= 0) return;
        Span<byte> tail = _buffer.AsSpan(Length, size);
        if (random.OneIn(2)) tail.Clear();
        else FillRandom(ref random, tail);
        Length += size;
    }

    /// <summary>Rewrites a length/count field (a known one when given, else anywhere) with a nearby, boundary or overlong value.</summary>
    private void EditLengthField(ref FuzzRandom random, ReadOnlySpan<int> lengthFields)
    {
        if (Length == 0) return;
        int at = !lengthFields.IsEmpty && !random.OneIn(4) ? lengthFields[random.Below(lengthFields.Length)] : random.Below(Length);
        if (at >= Length) return;
        switch (random.Below(5))
        {
            case 0: // small arithmetic on a byte
                _buffer[at] = (byte)(_buffer[at] + random.Below(9) - 4);
                break;
            case 1: // a boundary value as a little-endian u16 / u32
            {
                int value = InterestingValues[random.Below(InterestingValues.Length)];
                if (random.OneIn(2) && at + 4 <= Length) BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(at), (uint)value);
                else if (at + 2 <= Length) BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(at), (ushort)value);
                else _buffer[at] = (byte)value;
                break;
            }
            case 2: // a boundary value as a canonical compact-u16, replacing the byte there
                ReplaceWithShortVec(at, InterestingValues[random.Below(InterestingValues.Length)], overlong: false);
                break;
            case 3: // the same value as an overlong compact-u16 (a continuation byte and a zero group)
                ReplaceWithShortVec(at, _buffer[at] & 0x7F, overlong: true);
                break;
            default: // a continuation bit on a count, swallowing the next byte into it
                _buffer[at] |= 0x80;
                break;
        }
    }

    private void ReplaceWithShortVec(int at, int value, bool overlong)
    {
        Span<byte> encoded = stackalloc byte[4];
        int length = Fast.Core.Codec.ShortVec.Write(encoded, value);
        if (overlong)
        {
            encoded[length - 1] |= 0x80;
            encoded[length++] = 0x00;
        }
        // Replace one byte with `length` bytes: shift the rest right by length − 1 (as room allows).
        int grow = Math.Min(length - 1, _buffer.Length - Length);
        _buffer.AsSpan(at + 1, Length - at - 1).CopyTo(_buffer.AsSpan(at + 1 + grow));
        Length += grow;
        encoded[..Math.Min(length, Length - at)].CopyTo(_buffer.AsSpan(at));
    }

    /// <summary>This input's prefix, then another input's suffix from a random cut.</summary>
    private void Splice(ref FuzzRandom random, ReadOnlySpan<byte> other)
    {
        if (other.IsEmpty) return;
        int cut = random.Below(Length + 1);
        int from = random.Below(other.Length);
        int take = Math.Min(other.Length - from, _buffer.Length - cut);
        other.Slice(from, take).CopyTo(_buffer.AsSpan(cut));
        Length = cut + take;
    }

    private void CopyBlock(ref FuzzRandom random)
    {
        if (Length < 2) return;
        int size = 1 + random.Below(Math.Min(Length, 96));
        int from = random.Below(Length - size + 1);
        if (random.OneIn(2))
        {
            // Overwrite elsewhere.
            int to = random.Below(Length - size + 1);
            _buffer.AsSpan(from, size).CopyTo(_buffer.AsSpan(to));
        }
        else
        {
            // Duplicate in place (repeats a key, an instruction, a transaction).
            size = Math.Min(size, _buffer.Length - Length);
            if (size <= 0) return;
            _buffer.AsSpan(from, Length - from).CopyTo(_buffer.AsSpan(from + size));
            Length += size;
        }
    }

    private static void FillRandom(ref FuzzRandom random, Span<byte> span)
    {
        for (int i = 0; i < span.Length; i++) span[i] = (byte)random.Next();
    }
}
