using System.Text.Json;
using Fast.Testing;
using Xunit;

namespace Fast.Crypto.Tests;

public class Ed25519Tests
{
    [VectorFact("ed25519")]
    public void RFC8032_section_7_1_vectors_sign_and_verify_exactly()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Vectors.File("ed25519", "rfc8032-7.1-ed25519.json")));
        int count = 0;
        foreach (JsonElement v in doc.RootElement.GetProperty("vectors").EnumerateArray())
        {
            byte[] seed = Convert.FromHexString(v.GetProperty("secret_key").GetString()!);
            byte[] publicKey = Convert.FromHexString(v.GetProperty("public_key").GetString()!);
            byte[] message = Convert.FromHexString(v.GetProperty("message").GetString()!);
            byte[] signature = Convert.FromHexString(v.GetProperty("signature").GetString()!);
            CheckCase(seed, publicKey, message, signature);
            count++;
        }
        Assert.Equal(5, count);
    }

    [VectorFact("ed25519")]
    public void The_first_hundred_SUPERCOP_sign_input_lines_sign_and_verify_exactly()
    {
        int count = 0;
        foreach (string line in File.ReadLines(Vectors.File("ed25519", "sign.input.lines-001-100.txt")))
        {
            string[] f = line.Split(':');
            byte[] secret = Convert.FromHexString(f[0]);
            byte[] publicKey = Convert.FromHexString(f[1]);
            byte[] message = Convert.FromHexString(f[2]);
            byte[] signature = Convert.FromHexString(f[3])[..64];
            CheckCase(secret[..32], publicKey, message, signature);
            count++;
        }
        Assert.Equal(100, count);
    }

    private static void CheckCase(byte[] seed, byte[] expectedPublicKey, byte[] message, byte[] expectedSignature)
    {
        byte[] publicKey = new byte[32];
        byte[] secretKey = new byte[64];
        Ed25519.KeypairFromSeed(seed, publicKey, secretKey);
        Assert.Equal(expectedPublicKey, publicKey);

        byte[] signature = new byte[64];
        Ed25519.Sign(secretKey, message, signature);
        Assert.Equal(expectedSignature, signature);
        Assert.True(Ed25519.Verify(publicKey, message, signature));

        signature[5] ^= 0x10;
        Assert.False(Ed25519.Verify(publicKey, message, signature));
    }

    [Fact]
    public void Malformed_lengths_verify_false()
    {
        Assert.False(Ed25519.Verify(new byte[31], [], new byte[64]));
        Assert.False(Ed25519.Verify(new byte[32], [], new byte[65]));
    }
}
