using Fast.Testing;
using Xunit;

namespace Fast.Crypto.Tests;

public sealed class VariableTimeBatchSignerTests
{
    [VectorFact("bip340")]
    public void The_batch_signer_reproduces_every_BIP340_signing_vector_in_one_batch()
    {
        List<SchnorrTests.Bip340Case> cases = [.. SchnorrTests.Bip340Cases().Where(c => c.SecretKey is not null)];
        Assert.True(cases.Count >= 4);
        Keypair[] signers = [.. cases.Select(c => Keypair.TryFromSecretKey(c.SecretKey, out Keypair? k) ? k : throw new InvalidOperationException())];
        byte[] buffer = new byte[cases.Sum(c => 64 + c.Message.Length)];
        int[] messageOffsets = new int[cases.Count], messageLengths = new int[cases.Count], signatureOffsets = new int[cases.Count];
        byte[] aux = new byte[32 * cases.Count];
        int p = 0;
        for (int i = 0; i < cases.Count; i++)
        {
            signatureOffsets[i] = p;
            p += 64;
            messageOffsets[i] = p;
            messageLengths[i] = cases[i].Message.Length;
            cases[i].Message.CopyTo(buffer, p);
            p += cases[i].Message.Length;
            cases[i].AuxRand!.CopyTo(aux, 32 * i);
        }

        VariableTimeBatchSigner.Sign(signers, buffer, messageOffsets, messageLengths, signatureOffsets, aux);

        for (int i = 0; i < cases.Count; i++)
        {
            Assert.Equal(cases[i].Signature, buffer.AsSpan(signatureOffsets[i], 64).ToArray());
        }
    }

    [Fact]
    public void Batch_signatures_equal_libsecp256k1s_for_the_same_keys_messages_and_randomness_at_every_batch_size()
    {
        var random = new Random(7);
        Keypair[] keys = [.. Enumerable.Range(0, 16).Select(_ => Keypair.Generate())];
        foreach (int n in new[] { 1, 2, 3, 17, 63, 64 })
        {
            Keypair[] signers = [.. Enumerable.Range(0, n).Select(i => keys[random.Next(keys.Length)])];
            // Messages of every length from 0 up, each signature in the 64 bytes just before its message (a transaction's layout).
            int[] messageLengths = [.. Enumerable.Range(0, n).Select(i => (i * 37) % 300)];
            int[] signatureOffsets = new int[n], messageOffsets = new int[n];
            int p = 0;
            for (int i = 0; i < n; i++)
            {
                signatureOffsets[i] = p;
                messageOffsets[i] = p + 64;
                p += 64 + messageLengths[i];
            }
            byte[] buffer = new byte[p];
            random.NextBytes(buffer);
            byte[] aux = new byte[32 * n];
            random.NextBytes(aux);
            byte[][] expected = new byte[n][];
            for (int i = 0; i < n; i++)
            {
                expected[i] = new byte[64];
                signers[i].Sign(buffer.AsSpan(messageOffsets[i], messageLengths[i]), expected[i], aux.AsSpan(32 * i, 32));
            }

            VariableTimeBatchSigner.Sign(signers, buffer, messageOffsets, messageLengths, signatureOffsets, aux);

            for (int i = 0; i < n; i++)
            {
                Assert.Equal(expected[i], buffer.AsSpan(signatureOffsets[i], 64).ToArray());
                Assert.True(Schnorr.Verify(signers[i].PublicKey, buffer.AsSpan(messageOffsets[i], messageLengths[i]), buffer.AsSpan(signatureOffsets[i], 64)));
            }
        }
    }

    [Fact]
    public void Fresh_randomness_gives_valid_signatures_that_differ_each_time_and_deterministic_keys_sign_as_libsecp256k1_does_with_zero_randomness()
    {
        var key = Keypair.Generate();
        byte[] buffer = new byte[64 + 40];
        new Random(1).NextBytes(buffer);
        int[] messageOffsets = [64], messageLengths = [40], signatureOffsets = [0];

        VariableTimeBatchSigner.Sign([key], buffer, messageOffsets, messageLengths, signatureOffsets);
        byte[] first = buffer[..64];
        VariableTimeBatchSigner.Sign([key], buffer, messageOffsets, messageLengths, signatureOffsets);
        Assert.NotEqual(first, buffer[..64]);
        Assert.True(Schnorr.Verify(key.PublicKey, buffer.AsSpan(64), first));
        Assert.True(Schnorr.Verify(key.PublicKey, buffer.AsSpan(64), buffer.AsSpan(0, 64)));

        Keypair fixedKey = key.AsDeterministic();
        byte[] expected = new byte[64];
        fixedKey.Sign(buffer.AsSpan(64), expected);
        VariableTimeBatchSigner.Sign([fixedKey], buffer, messageOffsets, messageLengths, signatureOffsets);
        Assert.Equal(expected, buffer[..64]);
    }

    [Fact]
    public void Ranges_outside_the_buffer_and_oversized_batches_are_refused_before_anything_is_signed()
    {
        var key = Keypair.Generate();
        byte[] buffer = new byte[128];
        Assert.Throws<ArgumentOutOfRangeException>(() => VariableTimeBatchSigner.Sign([key], buffer, [100], [29], [0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => VariableTimeBatchSigner.Sign([key], buffer, [0], [10], [65]));
        Assert.Throws<ArgumentOutOfRangeException>(() => VariableTimeBatchSigner.Sign([key], buffer, [-1], [10], [0]));
        Assert.Throws<ArgumentException>(() => VariableTimeBatchSigner.Sign([key, key], buffer, [0], [10], [64]));
        Assert.Throws<ArgumentException>(() => VariableTimeBatchSigner.Sign([key], buffer, [64], [10], [0], new byte[31]));
        Keypair[] tooMany = [.. Enumerable.Repeat(key, VariableTimeBatchSigner.MaxBatch + 1)];
        int[] zeros = new int[tooMany.Length];
        Assert.Throws<ArgumentException>(() => VariableTimeBatchSigner.Sign(tooMany, new byte[64], zeros, zeros, zeros));
        Assert.All(buffer, b => Assert.Equal(0, b));
    }
}
