using System.Diagnostics;
using Fast.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Fast.Crypto.Tests;

/// <summary>
/// BIP-340 batch verification (Schnorr.VerifyBatch, SchnorrBatch): the official vectors inside
/// random batches, batches with 0, 1 and k invalid signatures found exactly by bisection, and a
/// property test against single verification.
/// </summary>
public class SchnorrBatchTests(ITestOutputHelper output)
{
    /// <summary>A pool of valid signatures over random messages (0..299 bytes) by a few keys, made once.</summary>
    private static readonly SignedPool Pool = new(count: 2048, keys: 64, seed: 340);

    [VectorFact("bip340")]
    public void Every_BIP340_vector_inside_a_random_batch_gives_its_expected_result_and_bisection_names_only_it()
    {
        List<SchnorrTests.Bip340Case> cases = SchnorrTests.Bip340Cases();
        Assert.Equal(19, cases.Count);
        var random = new Random(19);
        using SchnorrBatch uncached = new(capacity: 128);
        using SchnorrBatch cached = new(capacity: 128, keyCacheEntries: 64); // the same verdicts through a cache of parsed keys
        bool[] valid = new bool[128];
        foreach (SchnorrTests.Bip340Case c in cases)
        {
            foreach (SchnorrBatch batch in (SchnorrBatch[])[uncached, cached])
            {
                for (int round = 0; round < 4; round++)
                {
                    int size = random.Next(1, 100);
                    int at = random.Next(size);
                    batch.Clear();
                    for (int i = 0; i < size; i++)
                    {
                        if (i == at) Assert.True(batch.TryAdd(c.PublicKey, c.Message, c.Signature));
                        else Pool.AddTo(batch, random.Next(Pool.Count));
                    }
                    Assert.True(c.Valid == batch.VerifyAll(), $"vector {c.Index} at {at} of {size}: {c.Comment}");
                    int invalid = batch.VerifyEach(valid);
                    Assert.Equal(c.Valid ? 0 : 1, invalid);
                    for (int i = 0; i < size; i++) Assert.True(valid[i] == (i != at || c.Valid), $"vector {c.Index}: entry {i} of {size}");
                }
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(40)]
    public void A_random_batch_with_k_invalid_signatures_reports_exactly_those_k(int bad)
    {
        foreach (int cacheEntries in (int[])[0, 16])
        {
            KInvalid(bad, cacheEntries);
        }
    }

    private static void KInvalid(int bad, int cacheEntries)
    {
        var random = new Random(1000 + bad);
        using SchnorrBatch batch = new(capacity: 512, keyCacheEntries: cacheEntries);
        bool[] valid = new bool[512];
        foreach (int size in (int[])[bad == 0 ? 1 : bad, 64, 200, 512])
        {
            if (size < bad) continue;
            batch.Clear();
            HashSet<int> badAt = [];
            while (badAt.Count < bad) badAt.Add(random.Next(size));
            for (int i = 0; i < size; i++)
            {
                int index = random.Next(Pool.Count);
                if (badAt.Contains(i)) Pool.AddCorrupted(batch, index, random);
                else Pool.AddTo(batch, index);
            }
            Assert.Equal(bad == 0, batch.VerifyAll());
            Assert.Equal(bad, batch.VerifyEach(valid));
            for (int i = 0; i < size; i++) Assert.True(valid[i] == !badAt.Contains(i), $"entry {i} of {size} ({bad} bad)");
        }
    }

    [Fact]
    public void VerifyBatch_over_contiguous_spans_agrees_with_single_verification_and_checks_span_lengths()
    {
        using SchnorrBatchScratch scratch = new(64);
        var random = new Random(7);
        byte[] keys = new byte[64 * 32], sigs = new byte[64 * 64];
        int[] lengths = new int[64];
        using MemoryStream messages = new();
        for (int i = 0; i < 64; i++)
        {
            int index = random.Next(Pool.Count);
            Pool.Key(index).CopyTo(keys, i * 32);
            Pool.Signature(index).CopyTo(sigs, i * 64);
            lengths[i] = Pool.Message(index).Length;
            messages.Write(Pool.Message(index));
        }
        byte[] all = messages.ToArray();
        Assert.True(Schnorr.VerifyBatch(scratch, keys, all, lengths, sigs));
        Assert.True(Schnorr.VerifyBatch(scratch, keys.AsSpan(0, 32), all.AsSpan(0, lengths[0]), lengths.AsSpan(0, 1), sigs.AsSpan(0, 64)));
        Assert.True(Schnorr.VerifyBatch(scratch, [], [], [], []));

        sigs[10 * 64 + 40] ^= 0x10; // s of the 11th signature
        Assert.False(Schnorr.VerifyBatch(scratch, keys, all, lengths, sigs));
        Assert.False(Schnorr.Verify(keys.AsSpan(320, 32), all.AsSpan(lengths[..10].Sum(), lengths[10]), sigs.AsSpan(640, 64)));

        Assert.ThrowsAny<ArgumentException>(() => Schnorr.VerifyBatch(scratch, keys.AsSpan(0, 31 * 64), all, lengths, sigs));
        Assert.ThrowsAny<ArgumentException>(() => Schnorr.VerifyBatch(scratch, keys, all.AsSpan(1), lengths, sigs));
        using SchnorrBatchScratch small = new(8);
        Assert.Throws<ArgumentOutOfRangeException>(() => Schnorr.VerifyBatch(small, keys, all, lengths, sigs));
    }

    [Fact]
    public void Verifying_and_bisecting_a_batch_allocates_nothing()
    {
        using SchnorrBatch batch = new(capacity: 128);
        bool[] valid = new bool[128];
        var random = new Random(3);
        for (int i = 0; i < 128; i++)
        {
            if (i == 17 || i == 90) Pool.AddCorrupted(batch, i, random);
            else Pool.AddTo(batch, i);
        }
        long allocated = Allocations.Measure(3, () =>
        {
            batch.VerifyAll();
            batch.VerifyEach(valid);
        });
        Assert.Equal(0, allocated);
        Assert.Equal(2, batch.VerifyEach(valid));
    }

    [Fact]
    public void A_batch_refuses_entries_past_its_capacity_or_its_message_room()
    {
        using SchnorrBatch batch = new(capacity: 4, messageBytes: 10);
        Assert.True(batch.TryAdd(Pool.Key(0), new byte[6], Pool.Signature(0)));
        Assert.False(batch.TryAdd(Pool.Key(0), new byte[5], Pool.Signature(0)));
        Assert.True(batch.TryAdd(Pool.Key(0), new byte[4], Pool.Signature(0)));
        Assert.True(batch.TryAdd(Pool.Key(0), [], Pool.Signature(0)));
        Assert.True(batch.TryAdd(Pool.Key(0), [], Pool.Signature(0)));
        Assert.True(batch.IsFull);
        Assert.False(batch.TryAdd(Pool.Key(0), [], Pool.Signature(0)));
        Assert.Throws<ArgumentException>(() => batch.TryAdd(new byte[31], [], Pool.Signature(0)));
    }

    /// <summary>
    /// The default run: 20,000 random cases (about 0.5 % invalid, of many kinds) in random batches of
    /// 1..512 — 8.5 s here under load (100,000 took 28 s, too long for every test run).
    /// </summary>
    [Fact]
    public void Batch_results_equal_single_verification_on_20000_random_cases() => PropertyAgainstSingle(20_000, seed: 2026);

    /// <summary>
    /// The same property through a 16-entry cache of parsed keys (64 signers and corrupted keys, so
    /// entries are evicted and refilled all the time): caching changes no verdict.
    /// </summary>
    [Fact]
    public void Batch_results_through_a_small_key_cache_equal_single_verification_on_10000_random_cases() =>
        PropertyAgainstSingle(10_000, seed: 77, keyCacheEntries: 16);

    /// <summary>The full property run (FAST_SOAK=1): 250,000 random cases.</summary>
    [SoakFact]
    public void Batch_results_equal_single_verification_on_250000_random_cases() => PropertyAgainstSingle(250_000, seed: 4242);

    private void PropertyAgainstSingle(int cases, int seed, int keyCacheEntries = 0)
    {
        var random = new Random(seed);
        using SchnorrBatch batch = new(capacity: 512, keyCacheEntries: keyCacheEntries);
        bool[] valid = new bool[512];
        bool[] expected = new bool[512];
        int done = 0, invalidSeen = 0, failedBatches = 0, batches = 0;
        var clock = Stopwatch.StartNew();
        while (done < cases)
        {
            int size = Math.Min(cases - done, random.Next(1, 513));
            batch.Clear();
            bool allValid = true;
            for (int i = 0; i < size; i++)
            {
                int index = random.Next(Pool.Count);
                expected[i] = random.Next(200) != 0 ? Pool.AddTo(batch, index) : Pool.AddCorrupted(batch, index, random);
                allValid &= expected[i];
            }
            int expectedInvalid = 0;
            for (int i = 0; i < size; i++) if (!expected[i]) expectedInvalid++;

            Assert.Equal(allValid, batch.VerifyAll());
            Assert.Equal(expectedInvalid, batch.VerifyEach(valid));
            for (int i = 0; i < size; i++) Assert.True(expected[i] == valid[i], $"case {done + i}");
            done += size;
            invalidSeen += expectedInvalid;
            batches++;
            if (!allValid) failedBatches++;
        }
        output.WriteLine($"{cases} cases in {batches} batches ({failedBatches} failing, {invalidSeen} invalid signatures) in {clock.Elapsed.TotalSeconds:F1} s");
        if (batch.KeyCache is { } cache)
        {
            output.WriteLine($"key cache: {cache.Hits} hits, {cache.Misses} misses");
            Assert.True(cache.Hits > 0 && cache.Misses > 0, "the cached run must both hit and evict");
        }
        Assert.True(invalidSeen > cases / 500, "the property run must include invalid signatures");
    }

    /// <summary>
    /// Signatures made once for all tests. <see cref="AddTo"/> adds a valid one; <see cref="AddCorrupted"/>
    /// adds a tampered copy and returns what single verification says of it (a bit flip can, in
    /// principle, leave a valid signature: the expectation always comes from <see cref="Schnorr.Verify(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>).
    /// </summary>
    private sealed class SignedPool
    {
        private readonly byte[][] _keys, _messages, _signatures;

        public SignedPool(int count, int keys, int seed)
        {
            var random = new Random(seed);
            var signers = new Keypair[keys];
            for (int i = 0; i < keys; i++)
            {
                byte[] secret = new byte[32];
                do random.NextBytes(secret); while (!Keypair.TryFromSecretKey(secret, out signers[i]!));
            }
            _keys = new byte[count][];
            _messages = new byte[count][];
            _signatures = new byte[count][];
            for (int i = 0; i < count; i++)
            {
                Keypair signer = signers[random.Next(keys)];
                _keys[i] = signer.PublicKey.ToArray();
                _messages[i] = new byte[random.Next(300)];
                random.NextBytes(_messages[i]);
                _signatures[i] = new byte[64];
                signer.Sign(_messages[i], _signatures[i]);
                Assert.True(Schnorr.Verify(_keys[i], _messages[i], _signatures[i])); // valid by single verification
            }
        }

        public int Count => _keys.Length;

        public byte[] Key(int i) => _keys[i];

        public byte[] Message(int i) => _messages[i];

        public byte[] Signature(int i) => _signatures[i];

        public bool AddTo(SchnorrBatch batch, int i)
        {
            Assert.True(batch.TryAdd(_keys[i], _messages[i], _signatures[i]));
            return true;
        }

        public bool AddCorrupted(SchnorrBatch batch, int i, Random random)
        {
            Span<byte> key = stackalloc byte[32];
            Span<byte> signature = stackalloc byte[64];
            _keys[i].CopyTo(key);
            _signatures[i].CopyTo(signature);
            byte[] message = _messages[i];
            switch (random.Next(6))
            {
                case 0: signature[random.Next(32)] ^= (byte)(1 << random.Next(8)); break;      // r
                case 1: signature[32 + random.Next(32)] ^= (byte)(1 << random.Next(8)); break; // s
                case 2: signature[32..].Fill(0xFF); break;                                      // s >= n
                case 3: _keys[(i + 1) % _keys.Length].CopyTo(key); break;                       // another signer's key
                case 4: key[random.Next(32)] ^= (byte)(1 << random.Next(8)); break;              // maybe not on the curve
                default:
                    message = (byte[])message.Clone();
                    if (message.Length == 0) message = [1];
                    else message[random.Next(message.Length)] ^= (byte)(1 << random.Next(8));
                    break;
            }
            Assert.True(batch.TryAdd(key, message, signature));
            return Schnorr.Verify(key, message, signature);
        }
    }
}
