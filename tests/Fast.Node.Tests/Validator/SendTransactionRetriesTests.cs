using Fast.Core.Primitives;
using Fast.Node.Validator;
using Xunit;

namespace Fast.Node.Tests.Validator;

/// <summary>The node's re-send of sendTransaction transactions: every 2 s until landed, expired or out of retries, bounded.</summary>
public class SendTransactionRetriesTests
{
    private sealed class World
    {
        public long Now = 1_000;
        public readonly HashSet<Signature> Landed = [];
        public readonly HashSet<Hash> Expired = [];
        public readonly List<byte[]> Resent = [];
        public bool QueueFull;

        public SendTransactionRetries Create(int? defaultMaxRetries = null, int capacity = 10_000) =>
            new(s => Landed.Contains(s), h => !Expired.Contains(h), b =>
            {
                if (QueueFull) return false;
                Resent.Add(b);
                return true;
            }, () => Now) { DefaultMaxRetries = defaultMaxRetries, Capacity = capacity };
    }

    private static Signature Sig(byte b) => new([.. Enumerable.Repeat(b, 64)]);

    private static Hash Blockhash(byte b) => Hash.Compute([b]);

    [Fact]
    public void A_transaction_is_resent_every_two_seconds_until_it_lands()
    {
        World world = new();
        using SendTransactionRetries retries = world.Create();
        retries.Track(Sig(1), [1, 2, 3], Blockhash(1), null);

        world.Now += 1_999;
        retries.Tick();
        Assert.Empty(world.Resent); // not due yet
        world.Now += 1;
        retries.Tick();
        Assert.Single(world.Resent);
        Assert.Equal(new byte[] { 1, 2, 3 }, world.Resent[0]);
        world.Now += 2_000;
        retries.Tick();
        Assert.Equal(2, world.Resent.Count);

        world.Landed.Add(Sig(1));
        world.Now += 2_000;
        retries.Tick();
        Assert.Equal(2, world.Resent.Count);
        Assert.Equal(0, retries.Count);
        Assert.Equal((1L, 2L, 1L), (retries.Counters.Tracked, retries.Counters.Resent, retries.Counters.Landed));
    }

    [Fact]
    public void Tracking_ends_when_the_blockhash_expires_or_the_retries_run_out()
    {
        World world = new();
        using SendTransactionRetries retries = world.Create(defaultMaxRetries: 3);
        retries.Track(Sig(1), [1], Blockhash(1), null);       // the node's default: 3
        retries.Track(Sig(2), [2], Blockhash(2), 1);          // the request's maxRetries
        retries.Track(Sig(3), [3], Blockhash(3), 0);          // maxRetries 0: sent once, never again
        Assert.Equal(2, retries.Count);

        for (int round = 0; round < 6; round++)
        {
            world.Now += 2_000;
            if (round == 4) world.Expired.Add(Blockhash(1));
            retries.Tick();
        }
        Assert.Equal(3, world.Resent.Count(b => b[0] == 1));
        Assert.Equal(1, world.Resent.Count(b => b[0] == 2));
        Assert.DoesNotContain(world.Resent, b => b[0] == 3);
        Assert.Equal(0, retries.Count);
        Assert.Equal(2, retries.Counters.Exhausted);

        retries.Track(Sig(4), [4], Blockhash(4), null);
        world.Expired.Add(Blockhash(4));
        world.Now += 2_000;
        retries.Tick();
        Assert.Equal(1, retries.Counters.Expired);
        Assert.DoesNotContain(world.Resent, b => b[0] == 4);
    }

    [Fact]
    public void A_full_queue_is_not_a_retry_and_past_capacity_transactions_are_counted_not_tracked()
    {
        World world = new() { QueueFull = true };
        using SendTransactionRetries retries = world.Create(defaultMaxRetries: 1, capacity: 2);
        retries.Track(Sig(1), [1], Blockhash(1), null);
        retries.Track(Sig(1), [1], Blockhash(1), null); // the same signature again: one entry
        retries.Track(Sig(2), [2], Blockhash(1), null);
        retries.Track(Sig(3), [3], Blockhash(1), null);
        Assert.Equal(2, retries.Count);
        Assert.Equal(1, retries.Counters.Untracked);

        world.Now += 2_000;
        retries.Tick();
        Assert.Empty(world.Resent);
        world.QueueFull = false;
        world.Now += 2_000;
        retries.Tick(); // the full queue did not use up the one retry
        Assert.Equal(2, world.Resent.Count);
    }
}
