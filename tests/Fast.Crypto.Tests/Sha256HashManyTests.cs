using System.Security.Cryptography;
using Xunit;

namespace Fast.Crypto.Tests;

/// <summary>Many messages of one length hashed at once (AVX-512 16 lanes, AVX2 8 lanes, the dispatcher) against .NET's SHA256, message by message.</summary>
public class Sha256HashManyTests
{
    public delegate void HashMany(ReadOnlySpan<byte> messages, int length, Span<byte> digests);

    public static TheoryData<string> Paths() => ["avx512x16", "avx2x8", "dispatch"];

    private static HashMany PathNamed(string name) => name switch
    {
        "avx512x16" => Sha256MultiLane.HashMany16,
        "avx2x8" => Sha256MultiLane.HashMany8,
        "dispatch" => Sha256MultiLane.HashMany,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static bool Runs(string name) => name switch
    {
        "avx512x16" => Sha256MultiLane.IsAvx512Supported,
        "avx2x8" => Sha256MultiLane.IsAvx2Supported,
        _ => true,
    };

    /// <summary>Lengths around every padding edge (55/56/64 bytes within a block), the Merkle node (65) and account leaves (82, 82 + data).</summary>
    public static TheoryData<string, int> PathsAndLengths()
    {
        TheoryData<string, int> data = [];
        foreach (string path in new[] { "avx512x16", "avx2x8", "dispatch" })
        {
            foreach (int length in new[] { 1, 31, 32, 55, 56, 57, 63, 64, 65, 82, 119, 120, 128, 129, 200, 1000 }) data.Add(path, length);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(PathsAndLengths))]
    public void Every_digest_equals_dotnet_sha256_of_its_message_for_every_count_up_to_40(string path, int length)
    {
        if (!Runs(path)) return;
        HashMany hashMany = PathNamed(path);
        Random random = new(length * 31 + path.Length);
        for (int n = 0; n <= 40; n++)
        {
            byte[] messages = new byte[n * length];
            random.NextBytes(messages);
            byte[] digests = new byte[n * 32 + 32];
            digests.AsSpan().Fill(0xEE);

            hashMany(messages, length, digests);

            for (int i = 0; i < n; i++)
            {
                byte[] expected = SHA256.HashData(messages.AsSpan(i * length, length));
                Assert.True(expected.AsSpan().SequenceEqual(digests.AsSpan(i * 32, 32)), $"{path}: message {i} of {n}, {length} bytes");
            }
            Assert.All(digests[(n * 32)..], b => Assert.Equal(0xEE, b)); // nothing written past the last digest
        }
    }

    [Fact]
    public void Messages_that_are_not_a_whole_number_of_the_length_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Sha256MultiLane.HashMany(new byte[100], 65, new byte[64]));
        Assert.Throws<ArgumentException>(() => Sha256MultiLane.HashMany(new byte[130], 65, new byte[32]));
    }
}
