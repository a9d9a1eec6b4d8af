using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Node.Rpc;
using Fast.Node.Tests.Infrastructure;
using Xunit;

namespace Fast.Node.Tests.Rpc;

/// <summary>getLargestAccounts: the bounded ranking, the cache that keeps the scan off RPC threads, and Solana's shape and errors.</summary>
public class LargestAccountsTests
{
    private static Pubkey Key(int i) => new(Enumerable.Repeat((byte)i, 32).ToArray());

    [Fact]
    public void The_ranking_keeps_the_most_lamports_first_one_entry_per_address_and_never_more_than_its_capacity()
    {
        TopAccounts top = new(3);
        top.Offer(Key(1), 10);
        top.Offer(Key(2), 50);
        top.Offer(Key(3), 30);
        top.Offer(Key(4), 5);   // too small for a full ranking
        top.Offer(Key(1), 40);  // a newer read of an address replaces its balance
        top.Offer(Key(5), 45);
        Assert.Equal([new LargestAccount(Key(2), 50), new LargestAccount(Key(5), 45), new LargestAccount(Key(1), 40)], top.ToArray());
        Assert.False(top.CouldEnter(39));
        Assert.True(top.CouldEnter(40));

        top.Offer(Key(2), 0); // gone
        Assert.Equal([Key(5), Key(1)], top.ToArray().Select(a => a.Address));
    }

    [Fact]
    public void Ties_are_broken_by_address_so_the_order_does_not_depend_on_the_scan()
    {
        TopAccounts forward = new(2), backward = new(2);
        foreach (int i in new[] { 3, 1, 2 }) forward.Offer(Key(i), 7);
        foreach (int i in new[] { 2, 1, 3 }) backward.Offer(Key(i), 7);
        Assert.Equal([Key(1), Key(2)], forward.ToArray().Select(a => a.Address));
        Assert.Equal(forward.ToArray(), backward.ToArray());
    }

    [Fact]
    public void The_cache_scans_at_most_once_per_interval_and_answers_from_the_last_scan_meanwhile()
    {
        long now = 0;
        int scans = 0;
        using LargestAccountsCache cache = new((count, _) =>
        {
            int n = Interlocked.Increment(ref scans);
            return new LargestAccountsSnapshot((ulong)n, [new LargestAccount(Key(n), 100)], 1, 0);
        }, TimeSpan.FromSeconds(30), () => now);

        LargestAccountsSnapshot? first = cache.Get(TimeSpan.FromSeconds(10));
        Assert.Equal(1UL, first!.Slot);
        for (int i = 0; i < 50; i++) Assert.Same(first, cache.Get(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, scans);

        now += 30_000; // stale: the request gets the old answer at once and starts one refresh
        Assert.Same(first, cache.Get(TimeSpan.Zero));
        SpinWait.SpinUntil(() => cache.Scans == 2, TimeSpan.FromSeconds(10));
        Assert.Equal(2UL, cache.Get(TimeSpan.Zero)!.Slot);
        Assert.Equal(2, scans);
    }

    [Fact]
    public void A_slow_scan_never_holds_a_request_longer_than_its_wait_and_dispose_cancels_it()
    {
        using ManualResetEventSlim entered = new();
        bool cancelled = false;
        LargestAccountsCache cache = new((_, cancel) =>
        {
            entered.Set();
            cancel.WaitHandle.WaitOne(TimeSpan.FromSeconds(30));
            cancelled = cancel.IsCancellationRequested;
            cancel.ThrowIfCancellationRequested();
            return new LargestAccountsSnapshot(1, [], 0, 0);
        }, TimeSpan.FromSeconds(30));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Null(cache.Get(TimeSpan.FromMilliseconds(200)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
        Assert.True(entered.Wait(TimeSpan.FromSeconds(10)));
        Assert.True(cache.Scanning);
        Assert.Null(cache.Get(TimeSpan.Zero)); // a second request starts no second scan
        cache.Dispose();                      // joins the scan: it saw the cancellation
        Assert.True(cancelled);
        Assert.False(cache.Scanning);
        Assert.Equal(0, cache.Scans);
    }

    [Fact]
    public void A_failed_scan_is_counted_and_reported_and_the_method_says_to_retry()
    {
        FakeRpcBackend backend = new()
        {
            LargestAccounts = new LargestAccountsCache((_, _) => throw new IOException("device gone"), TimeSpan.FromSeconds(30)),
        };
        (int code, string message) = RpcCall.Error(backend, "getLargestAccounts");
        Assert.Equal(RpcMethods.LargestAccountsNotReady, code);
        Assert.Contains("device gone", message);
        Assert.Equal(1, backend.LargestAccounts.Failures);
        backend.LargestAccounts.Dispose();
    }

    [Fact]
    public void GetLargestAccounts_answers_in_Solanas_shape_with_the_scans_slot_and_an_empty_non_circulating_list()
    {
        using LargestAccountsCache cache = new((count, _) =>
        {
            Assert.Equal(20, count);
            return new LargestAccountsSnapshot(68, [new LargestAccount(Key(2), 500), new LargestAccount(Key(1), 300)], 10, 0.01);
        }, TimeSpan.FromSeconds(30));
        FakeRpcBackend backend = new() { LargestAccounts = cache };

        JsonElement result = RpcCall.Result(backend, "getLargestAccounts", """[{"commitment":"finalized"}]""");
        Assert.Equal(["context", "value"], RpcCall.Names(result));
        Assert.Equal(68UL, result.GetProperty("context").GetProperty("slot").GetUInt64());
        JsonElement value = result.GetProperty("value");
        Assert.Equal(2, value.GetArrayLength());
        Assert.Equal(["address", "lamports"], RpcCall.Names(value[0]));
        Assert.Equal(Key(2).ToString(), value[0].GetProperty("address").GetString());
        Assert.Equal(500UL, value[0].GetProperty("lamports").GetUInt64());

        Assert.Equal(2, RpcCall.Result(backend, "getLargestAccounts", """[{"filter":"circulating"}]""").GetProperty("value").GetArrayLength());
        Assert.Equal(0, RpcCall.Result(backend, "getLargestAccounts", """[{"filter":"nonCirculating"}]""").GetProperty("value").GetArrayLength());
    }

    [Theory]
    [InlineData("""[{"filter":"everything"}]""", "unknown variant `everything`, expected `circulating` or `nonCirculating`")]
    [InlineData("""[{"filter":7}]""", "unknown variant `7`")]
    [InlineData("""[{"commitment":"soon"}]""", "commitment must be processed, confirmed or finalized")]
    [InlineData("""[{}, {}]""", "at most 1 parameter")]
    public void Bad_params_are_invalid_params(string parameters, string expected)
    {
        using LargestAccountsCache cache = new((_, _) => new LargestAccountsSnapshot(1, [], 0, 0), TimeSpan.FromSeconds(30));
        FakeRpcBackend backend = new() { LargestAccounts = cache };
        (int code, string message) = RpcCall.Error(backend, "getLargestAccounts", parameters);
        Assert.Equal(RpcError.InvalidParams, code);
        Assert.Contains(expected, message);
    }

    [Fact]
    public void A_node_without_a_ranking_answers_method_not_found()
    {
        (int code, _) = RpcCall.Error(new FakeRpcBackend(), "getLargestAccounts");
        Assert.Equal(RpcError.MethodNotFound, code);
    }
}
