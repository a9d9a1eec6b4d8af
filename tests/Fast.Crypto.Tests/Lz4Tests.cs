using Fast.Testing;
using Xunit;

namespace Fast.Crypto.Tests;

public class Lz4Tests
{
    [VectorFact("lz4")]
    public void Frames_made_by_the_reference_lz4_tool_decompress_to_their_originals()
    {
        string folder = Vectors.Folder("lz4")!;
        int count = 0;
        foreach (string compressed in Directory.GetFiles(folder, "*.lz4"))
        {
            string original = compressed[..^4];
            if (!File.Exists(original)) continue;
            byte[] expected = File.ReadAllBytes(original);
            Assert.True(Lz4Frame.TryDecompress(File.ReadAllBytes(compressed), 1 << 24, out byte[] output), compressed);
            Assert.Equal(expected, output);
            count++;
        }
        Assert.True(count >= 3, $"only {count} frame/original pairs found");
    }

    [VectorFact("lz4")]
    public void A_truncated_or_corrupted_frame_is_rejected()
    {
        byte[] frame = File.ReadAllBytes(Vectors.File("lz4", "gettysburg.txt.lz4"));
        Assert.False(Lz4Frame.TryDecompress(frame.AsSpan(0, frame.Length - 3), 1 << 20, out _));
        byte[] corrupted = (byte[])frame.Clone();
        corrupted[corrupted.Length / 2] ^= 0xFF;
        Assert.False(Lz4Frame.TryDecompress(corrupted, 1 << 20, out _));
        Assert.False(Lz4Frame.TryDecompress(frame, 100, out _)); // larger than the cap
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1232)]
    [InlineData(100_000)]
    public void Block_round_trip_restores_the_input(int length)
    {
        byte[] input = new byte[length];
        Random random = new(length);
        for (int i = 0; i < length; i++) input[i] = (byte)(random.Next(4) == 0 ? random.Next(256) : i % 7);

        byte[] compressed = new byte[Lz4Block.MaxCompressedLength(length)];
        int written = Lz4Block.Compress(input, compressed);
        Assert.True(written > 0);
        byte[] output = new byte[length];
        Assert.True(Lz4Block.TryDecompress(compressed.AsSpan(0, written), output, out int restored));
        Assert.Equal(length, restored);
        Assert.Equal(input, output);
    }

    [Fact]
    public void Hostile_blocks_fail_without_overrunning_the_destination()
    {
        Random random = new(7);
        byte[] garbage = new byte[256];
        byte[] destination = new byte[64];
        int rejected = 0;
        for (int i = 0; i < 2000; i++)
        {
            random.NextBytes(garbage);
            if (!Lz4Block.TryDecompress(garbage, destination, out int written)) rejected++;
            else Assert.InRange(written, 0, destination.Length);
        }
        Assert.True(rejected > 1500);
        Assert.False(Lz4Block.TryDecompress([], destination, out _));
    }

    [Fact]
    public void Compress_into_a_too_small_buffer_returns_zero()
    {
        byte[] input = new byte[1000];
        new Random(1).NextBytes(input);
        Assert.Equal(0, Lz4Block.Compress(input, new byte[10]));
    }
}
