using Xunit;

namespace Fast.Crypto.Tests;

public sealed class KeypairDeterminismTests
{
    [Fact]
    public void A_deterministic_keypair_signs_a_message_the_same_way_every_time_and_a_normal_one_does_not()
    {
        var key = Keypair.Generate();
        Keypair fixedKey = key.AsDeterministic();
        byte[] message = [1, 2, 3];
        byte[] a = new byte[64], b = new byte[64], c = new byte[64], d = new byte[64];
        fixedKey.Sign(message, a);
        fixedKey.Sign(message, b);
        key.Sign(message, c);
        key.Sign(message, d);
        Assert.Equal(a, b);
        Assert.NotEqual(c, d);
        Assert.True(Schnorr.Verify(key.PublicKey, message, a));
        Assert.True(Schnorr.Verify(key.PublicKey, message, c));
        Assert.True(fixedKey.PublicKey.SequenceEqual(key.PublicKey));
    }
}
