using System.Collections.Concurrent;
using System.Diagnostics;
using Fast.Cluster.Tests.Infrastructure;
using Fast.Core.Primitives;
using Fast.Node.Client;
using Xunit;
using Xunit.Abstractions;

namespace Fast.Cluster.Tests;

/// <summary>Account reads over RPC while the node roots a slot every few milliseconds.</summary>
[Collection("cluster")]
public class RootingReadsTests(ITestOutputHelper output)
{
    /// <summary>
    /// 100 ms slots rooted 2 behind: readers hammer getBalance and getMultipleAccounts at finalized,
    /// confirmed and processed across hundreds of roots while transfers land. Not one read may fail.
    /// (On main, the old root bank was released before the finalized pointer moved: a read in between
    /// answered -32603 InvalidOperationException.)
    /// </summary>
    [Fact]
    public async Task Reads_at_every_commitment_never_fail_while_the_node_roots_hundreds_of_slots()
    {
        using SingleValidator node = new("rooting-reads", "--slot-ms", "100", "--root-distance", "2");
        await node.StartAsync();
        Load load = new(node, 4);
        await load.FundAsync(1_000_000);
        Pubkey faucet = new(node.Faucet.PublicKey);
        Pubkey[] keys = [faucet, .. load.Accounts.Select(a => new Pubkey(a.PublicKey))];

        ulong firstRoot = await node.Rpc.GetSlotAsync("finalized");
        const ulong Roots = 300;
        ConcurrentQueue<string> errors = new();
        long reads = 0;
        using CancellationTokenSource stop = new(TimeSpan.FromMinutes(3));
        string[] commitments = ["finalized", "confirmed", "processed"];
        Task[] readers = [.. Enumerable.Range(0, 6).Select(r => Task.Run(async () =>
        {
            using RpcClient rpc = new(node.Url, TimeSpan.FromSeconds(30));
            string commitment = commitments[r % commitments.Length];
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    if (r < 3)
                    {
                        await rpc.GetBalanceAsync(keys[r % keys.Length], commitment);
                    }
                    else
                    {
                        await rpc.CallAsync("getMultipleAccounts", w =>
                        {
                            w.WriteStartArray();
                            foreach (Pubkey key in keys) w.WriteStringValue(key.ToString());
                            w.WriteEndArray();
                            w.WriteStartObject();
                            w.WriteString("commitment", commitment);
                            w.WriteEndObject();
                        });
                    }
                    Interlocked.Increment(ref reads);
                }
                catch (RpcClientException e) when (!stop.IsCancellationRequested)
                {
                    errors.Enqueue($"{commitment}: {e.Message}");
                }
            }
        }))];

        // Transfers keep the overlays non-empty, so every root flushes accounts.
        (Hash blockhash, _) = await node.Rpc.GetLatestBlockhashAsync();
        Task sending = Load.SendAsync(node, load.Transfers(2_000, blockhash), 200, stop.Token);
        var clock = Stopwatch.StartNew();
        while (await node.Rpc.GetSlotAsync("finalized") < firstRoot + Roots)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2.5), $"the root did not advance {Roots} slots");
            await Task.Delay(200);
        }
        await stop.CancelAsync();
        await Task.WhenAll(readers);
        try
        {
            await sending;
        }
        catch (OperationCanceledException)
        {
        }

        output.WriteLine($"{reads} reads, {errors.Count} failed, across {await node.Rpc.GetSlotAsync("finalized") - firstRoot} roots");
        Assert.True(errors.IsEmpty, $"{errors.Count} of {reads + errors.Count} reads failed, e.g. {string.Join(" | ", errors.Take(5))}");
        Assert.True(reads > 1_000, $"only {reads} reads");
        Assert.Equal(0, node.Process.Stop(TimeSpan.FromSeconds(60)));
    }
}
