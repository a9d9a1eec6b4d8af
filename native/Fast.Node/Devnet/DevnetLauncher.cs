using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Fast.Node.Client;
using Fast.Node.Ledger;

namespace Fast.Node.Devnet;

/// <summary>What `fast devnet` was asked to run.</summary>
public sealed record DevnetOptions(int Validators, string Ledger, uint SlotMs, ulong HashesPerTick, int RpcPort, int BasePort, bool Reset, bool Status, string[] ExtraValidatorArgs, ulong LimitLedgerSlots = DevnetOptions.DefaultLimitLedgerSlots)
{
    /// <summary>A devnet keeps ~20 minutes of 600 ms slots of ledger by default (bench-tps fills ~3 MB a slot).</summary>
    public const ulong DefaultLimitLedgerSlots = 2000;
}

/// <summary>
/// `fast devnet`: a local cluster on loopback. Makes (or reuses) a genesis under --ledger with
/// the faucet's keypair as faucet.json, starts one `fast validator` process per validator with its
/// own ledger, ports and log, waits until they answer, then prints a status line per slot. Ctrl-C
/// (or SIGTERM) stops every validator cleanly (SIGTERM, then SIGKILL after a grace period); a
/// validator that dies on its own stops the devnet with the tail of its log.
/// </summary>
public sealed partial class DevnetLauncher(DevnetOptions options, TextWriter output, TextWriter errors)
{
    private const int SigTerm = 15;
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(30);

    private readonly List<(Process Process, string Log, int Index)> _children = [];

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public async Task<int> RunAsync(CancellationToken cancel)
    {
        CheckPortsFree();
        GenesisFile genesis = PrepareGenesis();
        output.WriteLine($"devnet: {options.Validators} validator(s), genesis {genesis.Hash}, shred version {genesis.ShredVersion}, {genesis.Config.TargetSlotMs} ms slots");
        try
        {
            for (int i = 0; i < options.Validators; i++) StartValidator(i, genesis);
            string url = $"http://127.0.0.1:{options.RpcPort}";
            if (!await WaitForNodesAsync(cancel).ConfigureAwait(false)) return StopAll(1);
            string faucet = Path.GetFullPath(Path.Combine(options.Ledger, "faucet.json"));
            output.WriteLine($"devnet: RPC {url}   PubSub ws://127.0.0.1:{options.RpcPort + 1}   faucet {faucet}");
            output.WriteLine($"devnet: dashboard {url}/   (open it in a browser: slots, TPS, latency, leaders, blocks, drops, nodes)");
            output.WriteLine($"devnet: try   fast transfer --from {faucet} --to <PUBKEY> --amount 1000000 --url {url} --wait confirmed");
            output.WriteLine($"devnet: logs  {Path.GetFullPath(options.Ledger)}/validator-*/validator.log   (Ctrl-C stops the devnet)");
            int code = await MonitorAsync(url, cancel).ConfigureAwait(false);
            return StopAll(code);
        }
        catch (OperationCanceledException)
        {
            return StopAll(0);
        }
    }

    /// <summary>Refuses to start when a port of ours is taken (another devnet?), instead of talking to someone else's node.</summary>
    private void CheckPortsFree()
    {
        for (int i = 0; i < options.Validators; i++)
        {
            var ports = DevnetPorts.For(i, options.RpcPort, options.BasePort);
            foreach ((int port, System.Net.Sockets.ProtocolType protocol, string what) in new[]
            {
                (ports.Rpc, System.Net.Sockets.ProtocolType.Tcp, "RPC"),
                (ports.PubSub, System.Net.Sockets.ProtocolType.Tcp, "PubSub"),
                (ports.Tpu, System.Net.Sockets.ProtocolType.Udp, "TPU"),
                (ports.TpuTcp, System.Net.Sockets.ProtocolType.Tcp, "TPU TCP"),
                (ports.Gossip, System.Net.Sockets.ProtocolType.Udp, "gossip"),
                (ports.Turbine, System.Net.Sockets.ProtocolType.Udp, "TVU"),
                (ports.Repair, System.Net.Sockets.ProtocolType.Udp, "repair"),
            })
            {
                using System.Net.Sockets.Socket probe = new(System.Net.Sockets.AddressFamily.InterNetwork,
                    protocol == System.Net.Sockets.ProtocolType.Tcp ? System.Net.Sockets.SocketType.Stream : System.Net.Sockets.SocketType.Dgram, protocol);
                try
                {
                    probe.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port));
                    // .NET sets SO_REUSEADDR on Linux, so Bind alone succeeds next to a listener; Listen does not.
                    if (protocol == System.Net.Sockets.ProtocolType.Tcp) probe.Listen(1);
                }
                catch (System.Net.Sockets.SocketException)
                {
                    throw new Cli.CliException($"port {port} ({what} of validator {i}) is in use — another devnet? Stop it, or pick --rpc-port/--base-port", Cli.ExitCodes.Failure);
                }
            }
        }
    }

    private GenesisFile PrepareGenesis()
    {
        string path = Path.Combine(options.Ledger, "genesis.bin");
        if (options.Reset && Directory.Exists(options.Ledger))
        {
            output.WriteLine($"devnet: --reset: removing {options.Ledger}");
            Directory.Delete(options.Ledger, recursive: true);
        }
        if (!File.Exists(path))
        {
            GenesisBundle bundle = GenesisBuilder.Build(new GenesisOptions
            {
                Validators = options.Validators,
                SlotMs = options.SlotMs,
                HashesPerTick = options.HashesPerTick,
            });
            GenesisBuilder.Write(bundle, options.Ledger, overwrite: false);
            output.WriteLine($"devnet: created a new cluster in {options.Ledger}");
        }
        else
        {
            output.WriteLine($"devnet: resuming the cluster in {options.Ledger} (--reset starts over)");
        }
        if (!GenesisFile.TryLoad(path, out GenesisFile? genesis, out string error)) throw new Cli.CliException(error);
        if (genesis!.Config.Validators.Count != options.Validators)
        {
            throw new Cli.CliException($"{options.Ledger} holds a {genesis.Config.Validators.Count}-validator cluster; use --validators {genesis.Config.Validators.Count}, or --reset to make a new one");
        }
        return genesis;
    }

    private void StartValidator(int index, GenesisFile genesis)
    {
        string home = Path.Combine(options.Ledger, $"validator-{index}");
        var ports = DevnetPorts.For(index, options.RpcPort, options.BasePort);
        List<string> args =
        [
            "validator",
            "--identity", Path.Combine(home, "identity.json"),
            "--vote-account", Path.Combine(home, "vote.json"),
            "--genesis", Path.Combine(options.Ledger, "genesis.bin"),
            "--ledger", Path.Combine(home, "ledger"),
            "--rpc-port", ports.Rpc.ToString(CultureInfo.InvariantCulture),
            "--gossip-port", ports.Gossip.ToString(CultureInfo.InvariantCulture),
            "--tpu-port", ports.Tpu.ToString(CultureInfo.InvariantCulture),
            "--tpu-tcp-port", ports.TpuTcp.ToString(CultureInfo.InvariantCulture),
            "--tvu-port", ports.Turbine.ToString(CultureInfo.InvariantCulture),
            "--repair-port", ports.Repair.ToString(CultureInfo.InvariantCulture),
            "--low-power",
            "--limit-ledger-slots", options.LimitLedgerSlots.ToString(CultureInfo.InvariantCulture),
            "--rpc-faucet-keypair", Path.Combine(options.Ledger, "faucet.json"),
        ];
        // Every node joins the cluster through validator 0's gossip port.
        if (index > 0) args.AddRange(["--entrypoint", $"127.0.0.1:{DevnetPorts.For(0, options.RpcPort, options.BasePort).Gossip}"]);
        args.AddRange(options.ExtraValidatorArgs);
        ProcessStartInfo start = SelfInvocation(args);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        // The validator dies with us, even on kill -9 (PR_SET_PDEATHSIG; see Validator/ParentDeath.cs).
        // Started from the main thread (RunAsync before its first await): the kernel signals when the forking thread exits.
        start.Environment[Validator.ParentDeath.EnvironmentVariable] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        string log = Path.Combine(home, "validator.log");
        Process process = Process.Start(start) ?? throw new Cli.CliException("could not start a validator process", Cli.ExitCodes.Failure);
        StreamWriter writer = new(new FileStream(log, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (writer) writer.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (writer) writer.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _children.Add((process, log, index));
        output.WriteLine($"devnet: validator {index} (pid {process.Id}) rpc 127.0.0.1:{ports.Rpc} pubsub ws://127.0.0.1:{ports.PubSub} tpu 127.0.0.1:{ports.Tpu}");
    }

    /// <summary>How to run this same `fast` again: the AOT binary itself, or `dotnet fast.dll` under JIT.</summary>
    internal static ProcessStartInfo SelfInvocation(IEnumerable<string> args)
    {
        string self = Environment.ProcessPath ?? "fast";
        ProcessStartInfo start = new(self);
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "fast.dll"));
        foreach (string a in args) start.ArgumentList.Add(a);
        return start;
    }

    private async Task<bool> WaitForNodesAsync(CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < options.Validators; i++)
        {
            using RpcClient rpc = new($"http://127.0.0.1:{DevnetPorts.For(i, options.RpcPort, options.BasePort).Rpc}", TimeSpan.FromSeconds(2));
            while (true)
            {
                cancel.ThrowIfCancellationRequested();
                if (DeadChild() is { } dead) return ReportDeath(dead);
                try
                {
                    await rpc.CallAsync("getHealth", null, cancel).ConfigureAwait(false);
                    break;
                }
                catch (RpcClientException) when (clock.Elapsed.TotalSeconds < 60)
                {
                    await Task.Delay(200, cancel).ConfigureAwait(false);
                }
                catch (RpcClientException e)
                {
                    errors.WriteLine($"devnet: validator {i} did not become healthy within 60 s: {e.Message}");
                    return false;
                }
            }
        }
        return true;
    }

    /// <summary>Prints one line per slot: slot, leader, transactions, TPS, confirmed and rooted slots, and with several validators each node's replayed slot.</summary>
    private async Task<int> MonitorAsync(string url, CancellationToken cancel)
    {
        using RpcClient rpc = new(url, TimeSpan.FromSeconds(5));
        RpcClient[] nodes = [.. Enumerable.Range(0, options.Validators).Select(i => new RpcClient($"http://127.0.0.1:{DevnetPorts.For(i, options.RpcPort, options.BasePort).Rpc}", TimeSpan.FromSeconds(2)))];
        try
        {
            return await MonitorAsync(rpc, nodes, cancel).ConfigureAwait(false);
        }
        finally
        {
            foreach (RpcClient node in nodes) node.Dispose();
        }
    }

    /// <summary>Each node's processed (replayed) slot, "-" for one that does not answer.</summary>
    private static async Task<string> NodeSlotsAsync(RpcClient[] nodes, CancellationToken cancel)
    {
        string[] slots = new string[nodes.Length];
        for (int i = 0; i < nodes.Length; i++)
        {
            try
            {
                slots[i] = (await nodes[i].GetSlotAsync("processed", cancel).ConfigureAwait(false)).ToString(CultureInfo.InvariantCulture);
            }
            catch (RpcClientException)
            {
                slots[i] = "-";
            }
        }
        return string.Join(' ', slots);
    }

    private async Task<int> MonitorAsync(RpcClient rpc, RpcClient[] nodes, CancellationToken cancel)
    {
        ulong lastSlot = 0, lastCount = 0;
        var sinceSlot = Stopwatch.StartNew();
        while (true)
        {
            await Task.Delay(50, cancel).ConfigureAwait(false);
            if (DeadChild() is { } dead)
            {
                ReportDeath(dead);
                return 1;
            }
            if (!options.Status) continue;
            try
            {
                ulong slot = await rpc.GetSlotAsync("processed", cancel).ConfigureAwait(false);
                if (slot == lastSlot) continue;
                ulong count = await rpc.GetTransactionCountAsync("processed", cancel).ConfigureAwait(false);
                ulong confirmed = await rpc.GetSlotAsync("confirmed", cancel).ConfigureAwait(false);
                ulong rooted = await rpc.GetSlotAsync("finalized", cancel).ConfigureAwait(false);
                JsonElement leader = await rpc.CallAsync("getSlotLeader", w => { w.WriteStartObject(); w.WriteString("commitment", "processed"); w.WriteEndObject(); }, cancel).ConfigureAwait(false);
                double seconds = Math.Max(sinceSlot.Elapsed.TotalSeconds, 1e-3);
                ulong txs = lastSlot == 0 ? 0 : count - lastCount;
                if (lastSlot != 0)
                {
                    string name = leader.GetString() ?? "?";
                    string replayed = nodes.Length > 1 ? $"  nodes {await NodeSlotsAsync(nodes, cancel).ConfigureAwait(false)}" : "";
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"slot {slot,8}  leader {name[..Math.Min(8, name.Length)]}..  txs {txs,8:N0}  tps {txs / seconds,9:N0}  confirmed {confirmed,8}  rooted {rooted,8}{replayed}"));
                }
                lastSlot = slot;
                lastCount = count;
                sinceSlot.Restart();
            }
            catch (RpcClientException)
            {
                // A slow answer under load is not fatal; the next poll tries again.
            }
        }
    }

    private (Process Process, string Log, int Index)? DeadChild()
    {
        foreach ((Process process, string log, int index) child in _children)
        {
            if (child.process.HasExited) return child;
        }
        return null;
    }

    private bool ReportDeath((Process Process, string Log, int Index) dead)
    {
        errors.WriteLine($"devnet: validator {dead.Index} exited with code {dead.Process.ExitCode}; last lines of {dead.Log}:");
        try
        {
            foreach (string line in File.ReadLines(dead.Log).TakeLast(15)) errors.WriteLine("  " + line);
        }
        catch (IOException)
        {
        }
        return false;
    }

    /// <summary>SIGTERM to every validator, wait for clean exits, SIGKILL what remains after the grace period.</summary>
    private int StopAll(int code)
    {
        if (_children.Count == 0) return code;
        output.WriteLine();
        output.WriteLine("devnet: stopping validators...");
        foreach ((Process process, _, _) in _children)
        {
            if (!process.HasExited) Kill(process.Id, SigTerm);
        }
        var clock = Stopwatch.StartNew();
        foreach ((Process process, _, int index) in _children)
        {
            TimeSpan left = StopGrace - clock.Elapsed;
            if (!process.WaitForExit(left > TimeSpan.Zero ? left : TimeSpan.Zero))
            {
                errors.WriteLine($"devnet: validator {index} did not stop within {StopGrace.TotalSeconds:0} s; killing it");
                process.Kill();
                process.WaitForExit();
                code = code == 0 ? 1 : code;
            }
            else if (process.ExitCode != 0 && code == 0 && clock.Elapsed < StopGrace)
            {
                errors.WriteLine($"devnet: validator {index} exited with code {process.ExitCode}");
                code = 1;
            }
        }
        output.WriteLine("devnet: stopped");
        _children.Clear();
        return code;
    }
}
