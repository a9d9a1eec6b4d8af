using Fast.Cluster.Tests.Infrastructure;
using Fast.Core.Primitives;
using Xunit;

namespace Fast.Cluster.Tests;

[Collection("cluster")]
public class CrashRecoveryTests
{
    [Fact]
    public async Task Kill_9_under_load_then_restart_loses_no_confirmed_transaction_and_conserves_every_lamport()
    {
        // Checkpoint often and root close behind, so the crash lands between checkpoints with slots to replay.
        using SingleValidator node = new("crash-test", "--checkpoint-interval-slots", "4", "--root-distance", "8");
        await node.StartAsync();
        Load load = new(node, 64);
        await load.FundAsync(100_000_000);
        ulong firstSlot = await node.Rpc.GetSlotAsync("confirmed");

        (Hash blockhash, _) = await node.Rpc.GetLatestBlockhashAsync();
        List<(byte[] Bytes, Signature Signature)> transfers = load.Transfers(12_000, blockhash);
        using CancellationTokenSource stop = new();
        Task sending = Load.SendAsync(node, transfers, 1500, stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(5));

        // What the node says is confirmed right before it dies must survive it.
        List<Signature> confirmed = await load.ConfirmedAmongAsync([.. transfers.Select(t => t.Signature)]);
        node.Process.KillHard();
        stop.Cancel();
        await sending;
        Assert.True(confirmed.Count > 500, $"only {confirmed.Count} transfers confirmed before the crash");

        await node.StartAsync();
        Assert.Contains("replayed", node.Process.Output);
        HashSet<Signature> inBlocks = await load.SignaturesInBlocksAsync(firstSlot);
        List<Signature> lost = [.. confirmed.Where(s => !inBlocks.Contains(s))];
        Assert.True(lost.Count == 0, $"{lost.Count} of {confirmed.Count} confirmed transactions are missing after the restart");
        Assert.Equal(node.Bundle.Config.TotalLamports, await load.TotalLamportsAsync());
        Assert.Equal(node.Bundle.Config.TotalLamports, await load.TotalLamportsAsync("finalized"));

        // And the node keeps producing and confirming after recovery.
        ulong after = await node.Rpc.GetSlotAsync("confirmed");
        await node.WaitForSlotAsync(after + 3);
        Assert.Equal(0, node.Process.Stop(TimeSpan.FromSeconds(60)));
    }
}
