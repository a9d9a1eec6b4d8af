using Xunit;

namespace Fast.Crypto.Tests;

public class Base58Tests
{
    // Bitcoin Core's base58_encode_decode.json cases.
    [Theory]
    [InlineData("", "")]
    [InlineData("61", "2g")]
    [InlineData("626262", "a3gV")]
    [InlineData("636363", "aPEr")]
    [InlineData("73696d706c792061206c6f6e6720737472696e67", "2cFupjhnEsSn59qHXstmK2ffpLv2")]
    [InlineData("00eb15231dfceb60925886b67d065299925915aeb172c06647", "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L")]
    [InlineData("516b6fcd0f", "ABnLTmg")]
    [InlineData("bf4f89001e670274dd", "3SEo3LWLoPntC")]
    [InlineData("572e4794", "3EFU7m")]
    [InlineData("ecac89cad93923c02321", "EJDM8drfXA6uyA")]
    [InlineData("10c8511e", "Rt5zm")]
    [InlineData("00000000000000000000", "1111111111")]
    public void Known_vectors_encode_and_decode(string hex, string text)
    {
        byte[] bytes = Convert.FromHexString(hex);
        Assert.Equal(text, Base58.Encode(bytes));
        byte[] decoded = new byte[64];
        Assert.True(Base58.TryDecode(text, decoded, out int written));
        Assert.Equal(bytes, decoded[..written]);
    }

    [Fact]
    public void Random_keys_round_trip_exactly()
    {
        Random random = new(5);
        byte[] key = new byte[32];
        byte[] back = new byte[32];
        for (int i = 0; i < 500; i++)
        {
            random.NextBytes(key);
            if (i % 10 == 0) key[0] = 0;
            Assert.True(Base58.TryDecodeExact(Base58.Encode(key), back));
            Assert.Equal(key, back);
        }
    }

    [Theory]
    [InlineData("0OIl")]
    [InlineData("abc!")]
    [InlineData("é")]
    public void Characters_outside_the_alphabet_are_rejected(string text)
    {
        Assert.False(Base58.TryDecode(text, new byte[64], out _));
    }

    [Fact]
    public void Decoding_to_the_wrong_length_or_oversized_text_is_rejected()
    {
        string shortKey = Base58.Encode(new byte[] { 1, 2, 3 });
        Assert.False(Base58.TryDecodeExact(shortKey, new byte[32]));
        Assert.False(Base58.TryDecode(new string('z', 1000), new byte[64], out _)); // refused before decoding: cannot fit
        byte[] big = new byte[1232];
        new Random(2).NextBytes(big);
        byte[] back = new byte[1232];
        Assert.True(Base58.TryDecode(Base58.Encode(big), back, out int length)); // a whole transaction's worth
        Assert.Equal(big, back[..length]);
        Assert.False(Base58.TryDecode("zzzzzzzzzz", new byte[2], out _));
    }
}
