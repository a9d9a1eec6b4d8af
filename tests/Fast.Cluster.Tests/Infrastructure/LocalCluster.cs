using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Fast.Node.Client;
using Fast.Node.Ledger;
using Fast.Testing;

namespace Fast.Cluster.Tests.Infrastructure;

/// <summary>
/// An N-validator cluster on loopback in a temporary folder: a seeded N-validator genesis (low-power
/// PoH, short slots) and one real `fast validator` process per validator with its own ledger and free
/// ports, each joining through validator 0's gossip port. A node can be killed with -9 and started
/// again on its ledger. Given a <see cref="NamespaceNetwork"/>, node i runs in host i's network
/// namespace at its address instead, on the default ports.
/// </summary>
public sealed class LocalCluster : IDisposable
{
    private readonly TempDir _dir = new("fast-cluster-n");
    private readonly Node[] _nodes;
    private readonly NamespaceNetwork? _network;

    public sealed class Node(int index, string host, int rpc, int tpu, int tpuTcp, int gossip, int tvu, int repair)
    {
        public string Host { get; } = host;
        public int Index { get; } = index;
        public int RpcPort { get; } = rpc;
        public int TpuPort { get; } = tpu;
        public int TpuTcpPort { get; } = tpuTcp;
        public int GossipPort { get; } = gossip;
        public int TvuPort { get; } = tvu;
        public int RepairPort { get; } = repair;
        public string Url => $"http://{Host}:{RpcPort}";
        public RpcClient Rpc { get; } = new($"http://{host}:{rpc}", TimeSpan.FromSeconds(5));
        public FastProcess? Process { get; set; }
    }

    /// <summary>The ports every node uses inside its own namespace.</summary>
    public const int NamespaceRpcPort = 8899, NamespaceTpuPort = 8003, NamespaceTpuTcpPort = 8004, NamespaceGossipPort = 8001, NamespaceTvuPort = 8002, NamespaceRepairPort = 8005;

    public LocalCluster(string seed, int validators, uint slotMs = 400, NamespaceNetwork? network = null, ulong slotsPerEpoch = 8192)
    {
        _network = network;
        // The cluster's slots are counted from the genesis creation time: now, not the seeded default.
        Bundle = GenesisBuilder.Build(new GenesisOptions
        {
            Seed = seed,
            Validators = validators,
            HashesPerTick = 2000,
            SlotMs = slotMs,
            TicksPerSlot = 16,
            SlotsPerEpoch = slotsPerEpoch,
            CreationTimeUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        });
        GenesisBuilder.Write(Bundle, _dir.Path, overwrite: false);
        _nodes = network is null
            ? [.. Enumerable.Range(0, validators).Select(i => new Node(i, "127.0.0.1", TestPorts.Free(), TestPorts.Free(), TestPorts.Free(),
                TestPorts.Free(), TestPorts.Free(), TestPorts.Free()))]
            : [.. Enumerable.Range(0, validators).Select(i => new Node(i, NamespaceNetwork.AddressOf(i), NamespaceRpcPort, NamespaceTpuPort, NamespaceTpuTcpPort,
                NamespaceGossipPort, NamespaceTvuPort, NamespaceRepairPort))];
    }

    public GenesisBundle Bundle { get; }
    public string FaucetPath => _dir.File("faucet.json");
    public IReadOnlyList<Node> Nodes => _nodes;

    /// <summary>Starts every validator, then waits until each answers getHealth.</summary>
    public async Task StartAllAsync()
    {
        foreach (Node node in _nodes) Launch(node);
        foreach (Node node in _nodes) await WaitHealthyAsync(node);
    }

    public async Task StartAsync(int index)
    {
        Launch(_nodes[index]);
        await WaitHealthyAsync(_nodes[index]);
    }

    private void Launch(Node node)
    {
        List<string> args =
        [
            "validator",
            "--identity", _dir.File($"validator-{node.Index}/identity.json"),
            "--genesis", _dir.File("genesis.bin"),
            "--ledger", _dir.File($"validator-{node.Index}/ledger"),
            "--rpc-port", Text(node.RpcPort),
            "--tpu-port", Text(node.TpuPort),
            "--tpu-tcp-port", Text(node.TpuTcpPort),
            "--gossip-port", Text(node.GossipPort),
            "--tvu-port", Text(node.TvuPort),
            "--repair-port", Text(node.RepairPort),
            "--low-power",
            "--sigverify-threads", "1",
            "--rpc-pubsub-port", "0", // not used here; its default (RPC + 1) is not known to be free
        ];
        if (node.Index > 0) args.AddRange(["--entrypoint", $"{_nodes[0].Host}:{_nodes[0].GossipPort}"]);
        if (_network is not null) args.AddRange(["--rpc-bind-address", node.Host, "--bind-address", node.Host, "--advertise-address", node.Host]);
        node.Process?.Dispose();
        node.Process = FastProcess.Start(null, _network is null ? null : NamespaceNetwork.NamespaceOf(node.Index), [.. args]);
    }

    private static async Task WaitHealthyAsync(Node node)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (node.Process!.HasExited) throw new InvalidOperationException($"validator {node.Index} exited with {node.Process.ExitCode}:\n{node.Process.Output}");
            try
            {
                await node.Rpc.CallAsync("getHealth");
                return;
            }
            catch (RpcClientException) when (clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(200);
            }
        }
    }

    /// <summary>Each node's slot at <paramref name="commitment"/> (null for a node that does not answer).</summary>
    public async Task<ulong?[]> SlotsAsync(string commitment = "processed")
    {
        ulong?[] slots = new ulong?[_nodes.Length];
        for (int i = 0; i < _nodes.Length; i++)
        {
            try
            {
                slots[i] = await _nodes[i].Rpc.GetSlotAsync(commitment);
            }
            catch (RpcClientException)
            {
                slots[i] = null;
            }
        }
        return slots;
    }

    /// <summary>Waits until every node's processed slot reaches <paramref name="slot"/>.</summary>
    public async Task WaitForSlotAsync(ulong slot, double timeoutSeconds = 90)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            ulong?[] slots = await SlotsAsync();
            if (slots.All(s => s >= slot)) return;
            foreach (Node node in _nodes)
            {
                if (node.Process is { HasExited: true }) throw new InvalidOperationException($"validator {node.Index} exited with {node.Process.ExitCode}:\n{node.Process.Output}");
            }
            if (clock.Elapsed.TotalSeconds > timeoutSeconds) throw new TimeoutException($"not every node reached slot {slot}: {string.Join(", ", slots)}\n{Logs()}");
            await Task.Delay(200);
        }
    }

    /// <summary>Waits until every node's gossip knows every other node (`fast_cluster_peers`), so every leader's Turbine tree holds everyone.</summary>
    public async Task WaitForFullGossipAsync(double timeoutSeconds = 90)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            double[] peers = [.. await Task.WhenAll(_nodes.Select(async n => (await MetricsScrape.ReadAsync(n.Url)).GetValueOrDefault("fast_cluster_peers")))];
            if (peers.All(p => p >= _nodes.Length - 1)) return;
            if (clock.Elapsed.TotalSeconds > timeoutSeconds) throw new TimeoutException($"gossip did not converge: peers known {string.Join(", ", peers)}\n{Logs()}");
            await Task.Delay(200);
        }
    }

    /// <summary>getBankHash of <paramref name="slot"/> on node <paramref name="index"/>: (bank hash, parent slot), or null when it holds no frozen bank there.</summary>
    public async Task<(string BankHash, ulong Parent)?> BankHashAsync(int index, ulong slot)
    {
        JsonElement result = await _nodes[index].Rpc.CallAsync("getBankHash", w => w.WriteNumberValue(slot));
        if (result.ValueKind == JsonValueKind.Null) return null;
        return (result.GetProperty("bankHash").GetString()!, result.GetProperty("parentSlot").GetUInt64());
    }

    /// <summary>The tail of every node's output (for failure messages).</summary>
    public string Logs() => string.Join("\n", _nodes.Select(n => $"--- validator {n.Index}:\n{string.Join('\n', (n.Process?.Output ?? "").Split('\n').TakeLast(15))}"));

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);


    public void Dispose()
    {
        foreach (Node node in _nodes)
        {
            try
            {
                if (node.Process is { HasExited: false } p) p.Stop(TimeSpan.FromSeconds(20));
            }
            catch (TimeoutException)
            {
                node.Process!.KillHard();
            }
            node.Process?.Dispose();
            node.Rpc.Dispose();
        }
        _dir.Dispose();
    }
}
