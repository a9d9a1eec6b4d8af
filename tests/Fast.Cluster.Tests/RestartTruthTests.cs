using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fast.Cluster.Tests.Infrastructure;
using Fast.Node.Client;
using Fast.Testing;
using Xunit;

namespace Fast.Cluster.Tests;

/// <summary>What a restart must not change: the block height counts blocks (not slots), and a dead launcher leaves no validator behind.</summary>
[Collection("cluster")]
public partial class RestartTruthTests
{
    [Fact]
    public async Task Block_height_counts_the_blocks_of_the_chain_across_restarts_not_the_root_slot()
    {
        // A clean stop leaves the slot PoH was in incomplete in the Blockstore: the next start skips it. So
        // after two restarts the chain has skipped slots, and the root slot is no longer the block height.
        using SingleValidator node = new("block-height", "--slot-ms", "200", "--root-distance", "4", "--checkpoint-interval-slots", "2");
        for (int run = 0; run < 3; run++)
        {
            await node.StartAsync();
            ulong confirmed = await node.Rpc.GetSlotAsync("confirmed");
            await node.WaitForSlotAsync(confirmed + 8, "finalized", 120);
            if (run < 2) Assert.Equal(0, node.Process.Stop(TimeSpan.FromSeconds(60)));
        }

        ulong tip = await node.Rpc.GetSlotAsync("finalized");
        ulong reported = (await Block(node.Rpc, tip)).GetProperty("blockHeight").GetUInt64();
        ulong blocks = 0;
        for (ulong slot = tip; slot != 0; blocks++)
        {
            slot = (await Block(node.Rpc, slot)).GetProperty("parentSlot").GetUInt64();
        }
        Assert.True(blocks < tip, $"no slot was skipped up to {tip}: the test cannot tell blocks from slots");
        Assert.Equal(blocks, reported);
        Assert.Equal(0, node.Process.Stop(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public void A_devnet_killed_with_9_takes_its_validator_with_it_and_frees_the_ports()
    {
        using TempDir dir = new("fast-devnet-orphan");
        int rpcPort = TestPorts.FreeRun(2); // RPC and PubSub
        int basePort = TestPorts.FreeRun(10);
        int validatorPid = 0;
        using var devnet = FastProcess.Start("devnet", "--ledger", dir.File("devnet"), "--rpc-port", rpcPort.ToString(CultureInfo.InvariantCulture),
            "--base-port", basePort.ToString(CultureInfo.InvariantCulture), "--no-status", "--slot-ms", "200");
        try
        {
            DateTime deadline = DateTime.UtcNow.AddSeconds(90);
            while (!devnet.Output.Contains("devnet: RPC"))
            {
                Assert.False(devnet.HasExited, $"devnet exited with {(devnet.HasExited ? devnet.ExitCode : 0)}:\n{devnet.Output}");
                Assert.True(DateTime.UtcNow < deadline, "devnet did not come up:\n" + devnet.Output);
                Thread.Sleep(100);
            }
            validatorPid = int.Parse(ValidatorPid().Match(devnet.Output).Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.True(IsAlive(validatorPid));

            devnet.KillHard();

            DateTime gone = DateTime.UtcNow.AddSeconds(30);
            while (IsAlive(validatorPid) && DateTime.UtcNow < gone) Thread.Sleep(100);
            Assert.False(IsAlive(validatorPid), $"validator pid {validatorPid} still runs 30 s after its launcher was killed");
            Assert.True(CanBind(rpcPort, SocketType.Stream, ProtocolType.Tcp), $"RPC port {rpcPort} is still taken");
            Assert.True(CanBind(basePort + 1, SocketType.Dgram, ProtocolType.Udp), $"TPU port {basePort + 1} is still taken");
            Assert.True(CanBind(basePort + 2, SocketType.Stream, ProtocolType.Tcp), $"TPU TCP port {basePort + 2} is still taken");
        }
        finally
        {
            if (validatorPid > 0 && IsAlive(validatorPid)) Kill(validatorPid, 9);
        }
    }

    private static async Task<JsonElement> Block(RpcClient rpc, ulong slot) =>
        await rpc.CallAsync("getBlock", w =>
        {
            w.WriteNumberValue(slot);
            w.WriteStartObject();
            w.WriteString("commitment", "finalized");
            w.WriteString("transactionDetails", "none");
            w.WriteEndObject();
        });

    /// <summary>Alive: /proc has it and it is not a zombie waiting for a reaper.</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static bool CanBind(int port, SocketType type, ProtocolType protocol)
    {
        try
        {
            using Socket socket = new(AddressFamily.InterNetwork, type, protocol);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            if (type == SocketType.Stream) socket.Listen(1);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);

    [GeneratedRegex(@"devnet: validator 0 \(pid (\d+)\)")]
    private static partial Regex ValidatorPid();
}
