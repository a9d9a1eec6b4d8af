using System.CommandLine;
using Fast.Node.Bench;
using Fast.Node.Cli;

namespace Fast.Node.LoadGen;

/// <summary>`fast bench-tps`: load-test a running node with pre-signed transfers over UDP.</summary>
public static class BenchTpsCommand
{
    public const string DefaultFaucet = "fast-devnet/faucet.json";

    public static Command Build(CliIO io)
    {
        Option<string> url = new("--url", "-u") { Description = $"The node's JSON-RPC URL (default {ClientCommands.DefaultUrl})", DefaultValueFactory = _ => ClientCommands.DefaultUrl };
        Option<string> faucet = new("--faucet") { Description = $"The faucet keypair that funds the test accounts (default {DefaultFaucet}, what `fast devnet` writes)", DefaultValueFactory = _ => DefaultFaucet };
        Option<double> duration = CliOptions.Double("--duration", "Seconds of sending", 30, 1, 60);
        Option<long> accounts = CliOptions.Integer("--accounts", "Accounts that send to each other", 1024, 4, 100_000);
        Option<long> threads = CliOptions.Integer("--threads", "Sender threads", 1, 1, 64);
        Option<double> rate = CliOptions.Double("--rate", "Fixed send rate in transactions/s (0 = adapt to what the node processes)", 0, 0, 10_000_000);
        Option<bool> json = new("--json") { Description = "Print one JSON object (the benchmark convention in ARCHITECTURE.md)" };
        Command command = new("bench-tps", "Load-test a node: fund accounts from the faucet, send pre-signed transfers over UDP, report TPS and confirmation latency")
        {
            url, faucet, duration, accounts, threads, rate, json,
        };
        command.SetAction(parse => ClientCommands.Run(async () =>
        {
            BenchTpsOptions options = new(parse.GetValue(url)!, parse.GetValue(faucet)!, parse.GetValue(duration), (int)parse.GetValue(accounts),
                (int)parse.GetValue(threads), parse.GetValue(rate), parse.GetValue(json));
            BenchReport report = await new BenchTps(options, io.Err).RunAsync(CancellationToken.None).ConfigureAwait(false);
            report.Write(io.Out, options.Json);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
