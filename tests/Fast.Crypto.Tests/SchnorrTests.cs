using Fast.Testing;
using Xunit;

namespace Fast.Crypto.Tests;

public class SchnorrTests
{
    internal sealed record Bip340Case(int Index, byte[]? SecretKey, byte[] PublicKey, byte[]? AuxRand, byte[] Message, byte[] Signature, bool Valid, string Comment);

    internal static List<Bip340Case> Bip340Cases()
    {
        List<Bip340Case> cases = [];
        foreach (string line in File.ReadLines(Vectors.File("bip340", "test-vectors.csv")).Skip(1))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            string[] f = line.Split(',');
            cases.Add(new Bip340Case(
                int.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture),
                f[1].Length == 0 ? null : Convert.FromHexString(f[1]),
                Convert.FromHexString(f[2]),
                f[3].Length == 0 ? null : Convert.FromHexString(f[3]),
                Convert.FromHexString(f[4]),
                Convert.FromHexString(f[5]),
                f[6] == "TRUE",
                f.Length > 7 ? f[7] : ""));
        }
        return cases;
    }

    [VectorFact("bip340")]
    public void Every_BIP340_vector_verifies_to_its_expected_result()
    {
        List<Bip340Case> cases = Bip340Cases();
        Assert.Equal(19, cases.Count);
        foreach (Bip340Case c in cases)
        {
            Assert.True(c.Valid == Schnorr.Verify(c.PublicKey, c.Message, c.Signature), $"vector {c.Index}: {c.Comment}");
        }
    }

    [VectorFact("bip340")]
    public void Signing_vectors_derive_the_public_key_and_reproduce_the_signature_exactly()
    {
        int signed = 0;
        foreach (Bip340Case c in Bip340Cases())
        {
            if (c.SecretKey is null) continue;
            byte[] publicKey = new byte[32];
            Assert.True(Schnorr.TryGetPublicKey(c.SecretKey, publicKey));
            Assert.Equal(c.PublicKey, publicKey);

            byte[] signature = new byte[64];
            Assert.True(Schnorr.TrySign(c.SecretKey, c.Message, signature, c.AuxRand));
            Assert.Equal(c.Signature, signature);

            Assert.True(Keypair.TryFromSecretKey(c.SecretKey, out Keypair? keypair));
            byte[] again = new byte[64];
            keypair!.Sign(c.Message, again, c.AuxRand);
            Assert.Equal(c.Signature, again);
            signed++;
        }
        Assert.Equal(8, signed); // rows 0-3 and the variable-length rows 15-18
    }

    [Fact]
    public void A_signature_with_any_flipped_bit_fails_to_verify()
    {
        var keypair = Keypair.Generate();
        byte[] message = "transfer 5 lamports"u8.ToArray();
        byte[] signature = new byte[64];
        keypair.Sign(message, signature);
        Assert.True(Schnorr.Verify(keypair.PublicKey, message, signature));

        for (int bit = 0; bit < 64 * 8; bit += 7)
        {
            byte[] tampered = (byte[])signature.Clone();
            tampered[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(Schnorr.Verify(keypair.PublicKey, message, tampered));
        }
        byte[] otherMessage = (byte[])message.Clone();
        otherMessage[0] ^= 1;
        Assert.False(Schnorr.Verify(keypair.PublicKey, otherMessage, signature));
    }

    [Fact]
    public void Malformed_lengths_and_off_curve_keys_verify_false_without_throwing()
    {
        byte[] message = [1, 2, 3];
        Assert.False(Schnorr.Verify(new byte[31], message, new byte[64]));
        Assert.False(Schnorr.Verify(new byte[32], message, new byte[63]));
        Assert.False(Schnorr.Verify(new byte[33], message, new byte[64]));
        byte[] offCurve = Convert.FromHexString("EEFDEA4CDB677750A420FEE807EACF21EB9898AE79B9768766E4FAA04A2D4A34");
        Assert.False(Schnorr.IsValidPublicKey(offCurve));
        Assert.False(Schnorr.Verify(offCurve, message, new byte[64]));
    }

    [Fact]
    public void Invalid_secret_keys_are_refused()
    {
        Assert.False(Schnorr.IsValidSecretKey(new byte[32]));
        Assert.False(Keypair.TryFromSecretKey(new byte[32], out _));
        byte[] order = Convert.FromHexString("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141");
        Assert.False(Schnorr.IsValidSecretKey(order));
        Assert.False(Schnorr.TrySign(order, [1], new byte[64]));
        Assert.False(Keypair.TryFromSecretKey(new byte[31], out _));
    }

    [Fact]
    public void Fresh_randomness_gives_different_signatures_that_all_verify()
    {
        var keypair = Keypair.Generate();
        byte[] a = new byte[64];
        byte[] b = new byte[64];
        keypair.Sign([], a);
        keypair.Sign([], b);
        Assert.NotEqual(a, b);
        Assert.True(Schnorr.Verify(keypair.PublicKey, [], a));
        Assert.True(Schnorr.Verify(keypair.PublicKey, [], b));
    }
}
