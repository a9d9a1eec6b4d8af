using Fast.Core.Codec;
using Xunit;

namespace Fast.Core.Tests.Codec;

public class ShortVecTests
{
    [Fact]
    public void Every_value_from_0_to_65535_round_trips_in_the_fewest_bytes()
    {
        Span<byte> buffer = stackalloc byte[ShortVec.MaxBytes];
        for (int value = 0; value <= ShortVec.MaxValue; value++)
        {
            int written = ShortVec.Write(buffer, value);
            Assert.Equal(value < 0x80 ? 1 : value < 0x4000 ? 2 : 3, written);
            Assert.Equal(DecodeStatus.Ok, ShortVec.TryRead(buffer[..written], out int read, out int consumed));
            Assert.Equal(value, read);
            Assert.Equal(written, consumed);
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0x00 }, 1)]        // 0 in two bytes
    [InlineData(new byte[] { 0xFF, 0x80, 0x00 }, 2)]  // 127 + a zero group in three bytes
    [InlineData(new byte[] { 0x80, 0x80, 0x00 }, 2)]  // 0 in three bytes
    [InlineData(new byte[] { 0xFF, 0xFF, 0x04 }, 2)]  // 0x1FFFF: past u16
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x01 }, 2)] // a fourth byte
    public void An_overlong_or_oversized_shortvec_reports_NonCanonicalLength_at_the_offending_byte(byte[] bytes, int offset)
    {
        SpanReader reader = new(bytes);
        Assert.False(reader.TryReadShortVec(out _, ShortVec.MaxValue));
        Assert.Equal(new DecodeResult(DecodeStatus.NonCanonicalLength, offset), reader.Result);
    }

    [Fact]
    public void A_shortvec_cut_after_a_continuation_byte_reports_Truncated_at_offset_1()
    {
        SpanReader reader = new([0x81]);
        Assert.False(reader.TryReadShortVec(out _, ShortVec.MaxValue));
        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, 1), reader.Result);
    }

    [Fact]
    public void A_shortvec_above_its_caller_cap_reports_LengthTooLarge_at_its_own_offset()
    {
        SpanReader reader = new([0x00, 0x11]);
        Assert.True(reader.TryReadU8(out _));
        Assert.False(reader.TryReadShortVec(out _, 16));
        Assert.Equal(new DecodeResult(DecodeStatus.LengthTooLarge, 1), reader.Result);
    }

    [Fact]
    public void A_reader_keeps_its_first_failure_and_reads_nothing_after_it()
    {
        SpanReader reader = new([1, 2, 3]);
        Assert.False(reader.TryReadU32(out _));
        Assert.False(reader.TryReadU8(out _));
        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, 0), reader.Result);
    }

    [Fact]
    public void A_writer_that_runs_out_of_room_writes_nothing_more_and_says_so()
    {
        byte[] buffer = new byte[5];
        SpanWriter writer = new(buffer);
        writer.WriteU32(7);
        writer.WriteU16(1);
        writer.WriteU8(9);
        Assert.True(writer.Overflowed);
        Assert.Equal(4, writer.Position);
        Assert.Equal(0, buffer[4]);
    }
}
