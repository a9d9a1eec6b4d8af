using Fast.Core.Primitives;
using Xunit;

namespace Fast.Core.Tests.Primitives;

public class Bytes32Tests
{
    [Fact]
    public void Keys_that_differ_only_in_their_middle_bytes_do_not_collide()
    {
        // An attacker grinding keys that share their first and last 8 bytes must not get one hash bucket.
        HashSet<int> hashes = [];
        byte[] bytes = new byte[32];
        for (int i = 0; i < 10_000; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(12, 4), i);
            hashes.Add(new Pubkey(bytes).GetHashCode());
        }
        Assert.True(hashes.Count > 9_900, $"only {hashes.Count} distinct hash codes for 10,000 keys");
    }

    [Fact]
    public void Ordering_is_lexicographic_by_byte_and_equality_compares_every_byte()
    {
        byte[] a = new byte[32];
        byte[] b = new byte[32];
        b[31] = 1;
        Assert.True(new Hash(a) < new Hash(b));
        a[0] = 1;
        Assert.True(new Hash(a) > new Hash(b));
        byte[] c = (byte[])a.Clone();
        c[17] ^= 0x80;
        Assert.NotEqual(new Pubkey(a), new Pubkey(c));
        Assert.Equal(new Pubkey(a), new Pubkey((byte[])a.Clone()));
    }

    [Fact]
    public void Base58_text_round_trips()
    {
        var h = Hash.Compute("x"u8);
        Assert.True(Hash.TryParse(h.ToString(), out Hash back));
        Assert.Equal(h, back);
        Assert.False(Hash.TryParse("not base58 0OIl", out _));
    }
}
