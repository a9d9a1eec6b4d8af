using Fast.Testing;
using Xunit;

namespace Fast.Crypto.Tests;

/// <summary>
/// The per-thread cache of parsed BIP-340 keys (XOnlyKeyCache) and a batch that uses it: a hit
/// gives exactly what a fresh parse gives, two ways per set keep two alternating keys, invalid keys are never cached, colliding keys in a tiny
/// cache each get their own parse, and lookups and cached batches allocate nothing.
/// </summary>
public unsafe class XOnlyKeyCacheTests
{
    private static byte[] Key(int seed)
    {
        var random = new Random(seed);
        byte[] secret = new byte[32];
        Keypair? keypair;
        do random.NextBytes(secret); while (!Keypair.TryFromSecretKey(secret, out keypair));
        return keypair!.PublicKey.ToArray();
    }

    private static byte[] Parse(XOnlyKeyCache cache, byte[] key, out bool ok)
    {
        byte[] parsed = new byte[64];
        fixed (byte* k = key, p = parsed) ok = cache.TryParse(k, p);
        return parsed;
    }

    [Fact]
    public void A_repeated_key_is_answered_from_the_cache_with_the_bytes_a_fresh_parse_gives()
    {
        using XOnlyKeyCache cache = new(64);
        byte[] key = Key(1);
        byte[] first = Parse(cache, key, out bool ok1);
        byte[] second = Parse(cache, key, out bool ok2);
        using XOnlyKeyCache fresh = new(64);
        byte[] reference = Parse(fresh, key, out bool ok3);
        Assert.True(ok1 && ok2 && ok3);
        Assert.Equal(reference, first);
        Assert.Equal(reference, second);
        Assert.Equal(1, cache.Hits);
        Assert.Equal(1, cache.Misses);
    }

    [Fact]
    public void Two_keys_that_alternate_both_stay_cached_whichever_sets_they_fall_in()
    {
        using XOnlyKeyCache cache = new(16); // 8 sets of 2 ways: the two keys may share a set
        byte[] a = Key(11), b = Key(12);
        for (int i = 0; i < 50; i++)
        {
            Parse(cache, a, out bool okA);
            Parse(cache, b, out bool okB);
            Assert.True(okA && okB);
        }
        Assert.Equal(2, cache.Misses);
        Assert.Equal(98, cache.Hits);
    }

    [Fact]
    public void A_key_that_is_not_on_the_curve_is_refused_every_time_and_never_cached()
    {
        byte[] notOnCurve = new byte[32];
        notOnCurve[31] = 5; // x = 5: x^3 + 7 = 132 is not a square mod p
        Assert.False(Schnorr.IsValidPublicKey(notOnCurve));
        using XOnlyKeyCache cache = new(16);
        for (int i = 0; i < 3; i++)
        {
            Parse(cache, notOnCurve, out bool ok);
            Assert.False(ok);
        }
        Assert.Equal(0, cache.Hits);
        Assert.Equal(3, cache.Misses);
    }

    [Fact]
    public void Keys_that_collide_in_a_tiny_cache_each_get_their_own_parse()
    {
        using XOnlyKeyCache tiny = new(16);
        byte[][] keys = [.. Enumerable.Range(0, 200).Select(Key)];
        byte[][] references = new byte[keys.Length][];
        using (XOnlyKeyCache big = new(1024))
        {
            for (int i = 0; i < keys.Length; i++) references[i] = Parse(big, keys[i], out _);
        }
        var random = new Random(9);
        for (int round = 0; round < 2_000; round++)
        {
            int i = random.Next(keys.Length);
            Assert.Equal(references[i], Parse(tiny, keys[i], out bool ok));
            Assert.True(ok);
        }
        Assert.True(tiny.Hits > 0 && tiny.Misses > 16, $"hits {tiny.Hits}, misses {tiny.Misses}");
    }

    [Fact]
    public void Lookups_and_adding_to_and_verifying_a_cached_batch_allocate_nothing()
    {
        byte[][] keys = [.. Enumerable.Range(0, 8).Select(Key)];
        using XOnlyKeyCache cache = new(16);
        byte[] parsed = new byte[64];
        Assert.Equal(0, Allocations.Measure(1_000, () =>
        {
            fixed (byte* k = keys[3], p = parsed) cache.TryParse(k, p);
        }));

        var signers = new Keypair[8];
        var random = new Random(5);
        for (int i = 0; i < signers.Length; i++)
        {
            byte[] secret = new byte[32];
            do random.NextBytes(secret); while (!Keypair.TryFromSecretKey(secret, out signers[i]!));
        }
        byte[][] messages = [.. Enumerable.Range(0, 64).Select(i => new byte[i + 1])];
        byte[][] signatures = new byte[64][];
        for (int i = 0; i < 64; i++)
        {
            signatures[i] = new byte[64];
            signers[i % 8].Sign(messages[i], signatures[i]);
        }
        // The default size: 8 keys in a 16-entry cache can put 3 in one 2-way set (the index is seeded at random), and
        // then the cyclic order evicts them every time (it failed that way once).
        using SchnorrBatch batch = new(capacity: 64, keyCacheEntries: XOnlyKeyCache.DefaultEntries);
        bool[] valid = new bool[64];
        bool allValid = false;
        Assert.Equal(0, Allocations.Measure(3, () =>
        {
            batch.Clear();
            for (int i = 0; i < 64; i++) batch.TryAdd(signers[i % 8].PublicKey, messages[i], signatures[i]);
            allValid = batch.VerifyAll() && batch.VerifyEachSingly(valid) == 0;
        }));
        Assert.True(allValid);
        Assert.True(batch.KeyCache!.Hits > batch.KeyCache.Misses);
    }
}
