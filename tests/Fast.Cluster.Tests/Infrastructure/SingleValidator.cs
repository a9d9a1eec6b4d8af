using System.Diagnostics;
using System.Globalization;
using System.Net;
using Fast.Crypto;
using Fast.Node.Client;
using Fast.Node.Ledger;
using Fast.Testing;

namespace Fast.Cluster.Tests.Infrastructure;

/// <summary>
/// A one-validator cluster in a temporary folder: a seeded genesis, the faucet keypair, and a
/// `fast validator` process on free loopback ports (RPC and PubSub on two adjacent ones; low-power PoH, 600 ms slots). Restartable on
/// the same ledger.
/// </summary>
public sealed class SingleValidator : IDisposable
{
    private readonly TempDir _dir = new("fast-cluster");
    private readonly string[] _extraArgs;
    private FastProcess? _process;

    public SingleValidator(string seed, params string[] extraArgs)
    {
        _extraArgs = extraArgs;
        Bundle = GenesisBuilder.Build(new GenesisOptions { Seed = seed, HashesPerTick = 2000 });
        GenesisBuilder.Write(Bundle, _dir.Path, overwrite: false);
        RpcPort = TestPorts.FreeRun(2); // RPC and PubSub
        TpuPort = TestPorts.Free();
        TpuTcpPort = TestPorts.Free();
        Rpc = new RpcClient(Url, TimeSpan.FromSeconds(10));
    }

    public GenesisBundle Bundle { get; }
    public Keypair Faucet => Bundle.Faucet;
    public string FaucetPath => _dir.File("faucet.json");
    /// <summary>The ledger folder: under the temporary folder unless a test puts it elsewhere (e.g. on a small filesystem).</summary>
    public string Ledger => LedgerPath ?? _dir.File("ledger");

    public string? LedgerPath { get; init; }
    public int RpcPort { get; }
    public int TpuPort { get; }
    public int TpuTcpPort { get; }
    public string Url => $"http://127.0.0.1:{RpcPort}";

    /// <summary>The node's WebSocket PubSub: the RPC port + 1 (the validator's default, where Solana clients look).</summary>
    public Uri PubSubUrl => new($"ws://127.0.0.1:{RpcPort + 1}");
    public IPEndPoint Tpu => new(IPAddress.Loopback, TpuPort);
    public RpcClient Rpc { get; }
    public FastProcess Process => _process ?? throw new InvalidOperationException("not started");
    public string Directory => _dir.Path;

    /// <summary>Starts the validator with the constructor's flags plus <paramref name="moreArgs"/> (for this run only).</summary>
    public async Task StartAsync(params string[] moreArgs)
    {
        _process = FastProcess.Start([
            "validator",
            "--identity", _dir.File("validator-0/identity.json"),
            "--genesis", _dir.File("genesis.bin"),
            "--ledger", Ledger,
            "--rpc-port", RpcPort.ToString(CultureInfo.InvariantCulture),
            "--tpu-port", TpuPort.ToString(CultureInfo.InvariantCulture),
            "--tpu-tcp-port", TpuTcpPort.ToString(CultureInfo.InvariantCulture),
            "--gossip-port", "0",
            "--low-power",
            .. _extraArgs,
            .. moreArgs,
        ]);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"the validator exited with {_process.ExitCode}:\n{_process.Output}");
            try
            {
                await Rpc.CallAsync("getHealth");
                return;
            }
            catch (RpcClientException) when (clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(200);
            }
        }
    }

    /// <summary>Waits until the node's <paramref name="commitment"/> slot reaches <paramref name="slot"/>.</summary>
    public async Task WaitForSlotAsync(ulong slot, string commitment = "confirmed", double timeoutSeconds = 60)
    {
        var clock = Stopwatch.StartNew();
        while (await Rpc.GetSlotAsync(commitment) < slot)
        {
            if (clock.Elapsed.TotalSeconds > timeoutSeconds) throw new TimeoutException($"{commitment} slot did not reach {slot}");
            await Task.Delay(100);
        }
    }

    public void Dispose()
    {
        _process?.Dispose();
        Rpc.Dispose();
        _dir.Dispose();
    }
}
