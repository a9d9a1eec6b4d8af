using System.Diagnostics;
using Fast.Cluster.Tests.Infrastructure;
using Fast.Core.Primitives;
using Fast.Node.Client;
using Fast.Testing;
using Xunit;

namespace Fast.Cluster.Tests;

/// <summary>A full disk stops the node loudly and loses nothing it reported confirmed.</summary>
[Collection("cluster")]
public class FullDiskTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [TmpfsFact]
    public Task A_full_disk_stops_the_validator_with_one_line_naming_the_ledger_and_loses_nothing_confirmed() => FillTheDiskUnderLoad(reserveMb: null);

    /// <summary>
    /// With the free-space guard off, the node runs into the full disk itself: a Blockstore commit or an
    /// accounts checkpoint fails with ENOSPC. That failure must stop it loudly, and the last durable commit
    /// and checkpoint must still be on disk (a failed write never deletes the previous commit record or checkpoint).
    /// </summary>
    [TmpfsFact]
    public Task A_write_that_meets_a_full_disk_stops_the_validator_and_the_restart_loses_nothing_confirmed() => FillTheDiskUnderLoad(reserveMb: 0);

    private async Task FillTheDiskUnderLoad(int? reserveMb)
    {
        using TempDir dir = new("fast-full-disk");
        string mount = dir.File("mnt");
        Directory.CreateDirectory(mount);
        Assert.Equal(0, Tmpfs.Run("mount", "-t", "tmpfs", "-o", "size=192m", "tmpfs", mount));
        try
        {
            string[] flags = reserveMb is int mb
                ? ["--checkpoint-interval-slots", "4", "--root-distance", "8", "--min-free-disk-mb", mb.ToString(System.Globalization.CultureInfo.InvariantCulture)]
                : ["--checkpoint-interval-slots", "4", "--root-distance", "8"];
            using SingleValidator node = new("full-disk", flags) { LedgerPath = Path.Combine(mount, "ledger") };
            await node.StartAsync();
            Load load = new(node, 16);
            await load.FundAsync(100_000_000);
            ulong firstSlot = await node.Rpc.GetSlotAsync("confirmed");
            (Hash blockhash, _) = await node.Rpc.GetLatestBlockhashAsync();
            List<(byte[] Bytes, Signature Signature)> transfers = load.Transfers(6_000, blockhash);
            Signature[] signatures = [.. transfers.Select(t => t.Signature)];
            using CancellationTokenSource stop = new();
            Task sending = Load.SendAsync(node, transfers, 400, stop.Token);
            await Task.Delay(TimeSpan.FromSeconds(4));

            List<Signature> confirmed = await load.ConfirmedAmongAsync(signatures);
            string filler = Path.Combine(mount, "filler");
            Assert.False(node.Process.HasExited, $"the validator stopped before the disk filled:\n{node.Process.Output}");
            long filled = Tmpfs.FillUntilFull(filler);
            var clock = Stopwatch.StartNew();
            while (!node.Process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(150))
            {
                try
                {
                    List<Signature> now = await load.ConfirmedAmongAsync(signatures);
                    if (!node.Process.HasExited) confirmed = now;
                }
                catch (Exception e) when (e is RpcClientException or HttpRequestException or TaskCanceledException)
                {
                    // the node is stopping
                }
                await Task.Delay(300);
            }
            stop.Cancel();
            await sending;
            Assert.True(node.Process.HasExited, $"the validator still runs {clock.Elapsed.TotalSeconds:0} s after its disk filled ({filled} bytes of filler)");
            Assert.NotEqual(0, node.Process.ExitCode);
            string[] errors = [.. node.Process.StandardError.Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal))];
            Assert.True(errors.Length == 1, $"expected one error line:\n{node.Process.Output}");
            Assert.Contains(mount, errors[0]);
            output.WriteLine($"{confirmed.Count} transfers confirmed before the node stopped with: {errors[0]}");
            Assert.True(confirmed.Count > 100, $"only {confirmed.Count} transfers were confirmed before the disk filled");

            File.Delete(filler);
            await node.StartAsync();
            HashSet<Signature> inBlocks;
            try
            {
                inBlocks = await load.SignaturesInBlocksAsync(firstSlot);
            }
            catch (RpcClientException e)
            {
                throw new Xunit.Sdk.XunitException($"the restarted validator stopped answering ({e.Message}):\n{node.Process.Output}");
            }
            List<Signature> lost = [.. confirmed.Where(s => !inBlocks.Contains(s))];
            Assert.True(lost.Count == 0, $"{lost.Count} of {confirmed.Count} confirmed transfers are missing after the restart");
            Assert.Equal(node.Bundle.Config.TotalLamports, await load.TotalLamportsAsync());
            int exit = node.Process.Stop(TimeSpan.FromSeconds(60));
            Assert.True(exit == 0, $"the restarted validator exited with {exit}:\n{node.Process.Output}");
        }
        finally
        {
            if (Tmpfs.Run("umount", mount) != 0) Tmpfs.Run("umount", "-l", mount);
        }
    }
}
