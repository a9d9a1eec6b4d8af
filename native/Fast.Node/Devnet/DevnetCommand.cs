using System.CommandLine;
using System.Runtime.InteropServices;
using Fast.Node.Cli;

namespace Fast.Node.Devnet;

/// <summary>`fast devnet`: run a local cluster (what `./build.sh run` starts).</summary>
public static class DevnetCommand
{
    public const string DefaultLedger = "fast-devnet";

    public static Command Build(CliIO io)
    {
        Option<long> validators = CliOptions.Integer("--validators", "Validators to run (each its own process, ports and ledger; 2 or more make a cluster that gossips, rotates leaders and replays)", 1, 1, 64);
        Option<string> ledger = new("--ledger") { Description = $"Directory for genesis, keypairs (faucet.json) and ledgers (default ./{DefaultLedger})", DefaultValueFactory = _ => DefaultLedger };
        Option<long> slotMs = CliOptions.Integer("--slot-ms", "Target slot time in milliseconds (for a new cluster)", 600, 50, 60_000);
        Option<long> hashesPerTick = CliOptions.Integer("--hashes-per-tick", "PoH hashes per tick for a new cluster (low: devnet validators share cores)", 2_000, 1, 100_000_000);
        Option<long> rpcPort = CliOptions.Integer("--rpc-port", "RPC port of validator 0 (validator i uses rpc-port + 2i, and rpc-port + 2i + 1 for WebSocket PubSub)", 8899, 1, 65_000);
        Option<long> basePort = CliOptions.Integer("--base-port", "First of each validator's block of 10 ports (gossip, TPU, ...)", 8000, 1, 65_000);
        Option<bool> reset = new("--reset") { Description = "Delete --ledger and start a new cluster" };
        Option<bool> quiet = new("--no-status") { Description = "Do not print a status line per slot" };
        Option<long> limitLedger = CliOptions.Integer("--limit-ledger-slots", "Rooted slots of ledger each validator keeps (0: all)", (long)DevnetOptions.DefaultLimitLedgerSlots, 0, 1_000_000_000);
        Option<string[]> extra = new("--validator-arg") { Description = "An extra argument for every `fast validator` (repeatable)", AllowMultipleArgumentsPerToken = false };
        Command command = new("devnet", "Run a local cluster on loopback: genesis, keypairs (faucet.json), N validator processes, a status line per slot")
        {
            validators, ledger, slotMs, hashesPerTick, rpcPort, basePort, reset, quiet, limitLedger, extra,
        };
        command.SetAction(parse =>
        {
            DevnetOptions options = new((int)parse.GetValue(validators), parse.GetValue(ledger)!, (uint)parse.GetValue(slotMs), (ulong)parse.GetValue(hashesPerTick),
                (int)parse.GetValue(rpcPort), (int)parse.GetValue(basePort), parse.GetValue(reset), !parse.GetValue(quiet), parse.GetValue(extra) ?? [],
                (ulong)parse.GetValue(limitLedger));
            using CancellationTokenSource stop = new();
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            return new DevnetLauncher(options, io.Out, io.Err).RunAsync(stop.Token).GetAwaiter().GetResult();
        });
        return command;
    }
}
