using System.Globalization;
using System.Security.Cryptography;
using Fast.Testing;
using Xunit;

namespace Fast.Crypto.Tests;

public class Sha256KernelTests
{
    public static IEnumerable<(byte[] Message, byte[] Digest)> NistCases(string file)
    {
        int bits = -1;
        byte[]? message = null;
        foreach (string raw in File.ReadLines(Vectors.File("sha256", file)))
        {
            string line = raw.Trim();
            if (line.StartsWith("Len = ", StringComparison.Ordinal))
            {
                bits = int.Parse(line[6..], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("Msg = ", StringComparison.Ordinal))
            {
                message = bits == 0 ? [] : Convert.FromHexString(line[6..]);
            }
            else if (line.StartsWith("MD = ", StringComparison.Ordinal))
            {
                Assert.NotNull(message);
                Assert.Equal(bits / 8, message!.Length);
                yield return (message, Convert.FromHexString(line[5..]));
                message = null;
            }
        }
    }

    [VectorFact("sha256")]
    public void Kernel_hash_matches_every_NIST_short_and_long_message_vector()
    {
        int count = 0;
        byte[] digest = new byte[32];
        foreach (string file in new[] { "SHA256ShortMsg.rsp", "SHA256LongMsg.rsp" })
        {
            foreach ((byte[] message, byte[] expected) in NistCases(file))
            {
                Sha256Kernel.Hash(message, digest);
                Assert.Equal(expected, digest);
                Sha256Kernel.HashPortable(message, digest);
                Assert.Equal(expected, digest);
                count++;
            }
        }
        Assert.Equal(129, count);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(7UL)]
    [InlineData(1000UL)]
    [InlineData(12345UL)]
    public void Chain_equals_repeated_managed_sha256(ulong count)
    {
        byte[] start = RandomBytes(32, seed: (int)count);
        byte[] expected = (byte[])start.Clone();
        for (ulong i = 0; i < count; i++) expected = SHA256.HashData(expected);

        byte[] viaKernel = (byte[])start.Clone();
        Sha256Kernel.Chain(viaKernel, count);
        byte[] viaPortable = (byte[])start.Clone();
        Sha256Kernel.ChainPortable(viaPortable, count);

        Assert.Equal(expected, viaKernel);
        Assert.Equal(expected, viaPortable);
    }

    [Fact]
    public void Chain_from_the_zero_hash_matches_a_known_answer()
    {
        // sha256 applied 1000 times to 32 zero bytes (computed independently with Python's hashlib).
        byte[] hash = new byte[32];
        Sha256Kernel.Chain(hash, 1000);
        Assert.Equal("36c1cb4f826ae42ceba848227e0c5f786178ca9dceca6772e5d728d09c30a2f6", Convert.ToHexStringLower(hash));
    }

    [Fact]
    public void Chain_split_into_batches_equals_one_long_chain()
    {
        byte[] whole = RandomBytes(32, seed: 3);
        byte[] pieces = (byte[])whole.Clone();
        Sha256Kernel.Chain(whole, 10_000);
        for (int i = 0; i < 10; i++) Sha256Kernel.Chain(pieces, 1_000);
        Assert.Equal(whole, pieces);
    }

    [Fact]
    public void Mixin_equals_managed_sha256_of_the_concatenation_on_both_paths()
    {
        for (int seed = 0; seed < 50; seed++)
        {
            byte[] previous = RandomBytes(32, seed);
            byte[] mixin = RandomBytes(32, seed + 1000);
            byte[] expected = SHA256.HashData([.. previous, .. mixin]);

            byte[] output = new byte[32];
            Sha256Kernel.Mixin(previous, mixin, output);
            Assert.Equal(expected, output);
            Sha256Kernel.MixinPortable(previous, mixin, output);
            Assert.Equal(expected, output);
        }
    }

    [Fact]
    public void Mixin_may_write_over_its_previous_hash()
    {
        byte[] hash = RandomBytes(32, 9);
        byte[] mixin = RandomBytes(32, 10);
        byte[] expected = SHA256.HashData([.. hash, .. mixin]);
        Sha256Kernel.Mixin(hash, mixin, hash);
        Assert.Equal(expected, hash);
    }

    [Fact]
    public void Hash_of_every_length_up_to_300_bytes_equals_managed_sha256()
    {
        byte[] data = RandomBytes(300, 42);
        byte[] output = new byte[32];
        for (int length = 0; length <= data.Length; length++)
        {
            byte[] expected = SHA256.HashData(data.AsSpan(0, length));
            Sha256Kernel.Hash(data.AsSpan(0, length), output);
            Assert.Equal(expected, output);
            Sha256Kernel.HashPortable(data.AsSpan(0, length), output);
            Assert.Equal(expected, output);
        }
    }

    [Fact]
    public void Wrong_buffer_sizes_are_rejected_with_an_argument_error()
    {
        Assert.Throws<ArgumentException>(() => Sha256Kernel.Chain(new byte[31], 1));
        Assert.Throws<ArgumentException>(() => Sha256Kernel.Mixin(new byte[32], new byte[33], new byte[32]));
        Assert.Throws<ArgumentException>(() => Sha256Kernel.Hash([1, 2, 3], new byte[16]));
    }

    [Fact]
    public void Chain_and_mixin_allocate_nothing()
    {
        byte[] hash = new byte[32];
        byte[] mixin = new byte[32];
        long allocated = Allocations.Measure(1000, () =>
        {
            Sha256Kernel.Chain(hash, 10);
            Sha256Kernel.Mixin(hash, mixin, hash);
        });
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void This_machine_reports_sha_ni_consistently_with_the_kernel()
    {
        Assert.Equal(CpuFeatures.ShaNi, Sha256Kernel.UsesShaNi);
    }

    internal static byte[] RandomBytes(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
