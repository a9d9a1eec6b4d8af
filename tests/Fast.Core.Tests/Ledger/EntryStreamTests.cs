using Fast.Core.Codec;
using Fast.Core.Ledger;
using Fast.Core.Primitives;
using Xunit;

namespace Fast.Core.Tests.Ledger;

public class EntryStreamTests
{
    private static byte[] Ticks(int count)
    {
        byte[] bytes = new byte[count * 41];
        SpanWriter w = new(bytes);
        for (int i = 0; i < count; i++) EntryWriter.WriteTick(ref w, (ulong)i + 1, Hash.Compute(BitConverter.GetBytes(i)));
        return bytes;
    }

    [Fact]
    public void It_walks_every_entry_with_its_offset_and_ends_cleanly()
    {
        int count = 0;
        EntryStream stream = new(Ticks(5));
        foreach (EntryView entry in stream)
        {
            Assert.Equal((ulong)count + 1, entry.NumHashes);
            count++;
        }
        Assert.Equal(5, count);
        Assert.True(stream.Result.IsOk);
    }

    [Fact]
    public void It_stops_at_a_truncated_entry_and_reports_where()
    {
        byte[] bytes = Ticks(3)[..100];
        EntryStream stream = new(bytes);
        int count = 0;
        while (stream.MoveNext()) count++;
        Assert.Equal(2, count);
        Assert.Equal(DecodeStatus.Truncated, stream.Result.Status);
        Assert.InRange(stream.Result.Offset, 82, 100);
    }
}
