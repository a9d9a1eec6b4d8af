using System.CommandLine;
using Fast.Node.Bench;
using Fast.Node.Cli;

namespace Fast.Node.LoadGen;

/// <summary>`fast bench-tps`: load-test a running node with transfers over UDP, signed in rolling windows with a fresh blockhash.</summary>
public static class BenchTpsCommand
{
    public const string DefaultFaucet = "fast-devnet/faucet.json";

    public static Command Build(CliIO io)
    {
        Option<string> url = ClientOptions.Url(io);
        Option<string> faucet = new("--faucet") { Description = $"The faucet keypair that funds the test accounts (default {DefaultFaucet}, what `fast devnet` writes)", DefaultValueFactory = _ => DefaultFaucet };
        Option<double> duration = CliOptions.Double("--duration", "Seconds of sending (up to a day: soak tests)", 30, 1, BenchTpsOptions.MaxDurationSeconds);
        Option<long> accounts = CliOptions.Integer("--accounts", "Accounts that send to each other", 1024, 4, 100_000);
        Option<long> threads = CliOptions.Integer("--threads", "Sender threads", 1, 1, 64);
        Option<double> rate = CliOptions.Double("--rate", "Fixed send rate in transactions/s (0 = adapt to what the node processes)", 0, 0, 10_000_000);
        Option<string> sendTo = new Option<string>("--send-to") { Description = "leaders: each transfer to its slot's scheduled leader (and the next one at a turn's end); node: everything to the --url node's TPU, which forwards", DefaultValueFactory = _ => "leaders" }.AcceptOnlyFromAmong("leaders", "node");
        Option<bool> constantTime = new("--constant-time-signing") { Description = "Sign with libsecp256k1's constant-time signer (about a quarter of the default batch signer's rate, which is variable-time and fine only for these throwaway keys): shows what the client's own signing costs a node on the same machine" };
        Option<bool> noSegmentation = new("--no-segmentation") { Description = "Send by sendmmsg, one datagram per message, instead of one UDP segmentation offload send per 64 equal-length transfers (the node gets the same datagrams either way; offload costs the client a fraction of the CPU)" };
        Option<bool> json = new("--json") { Description = "Print one JSON object (the benchmark convention in ARCHITECTURE.md)" };
        Command command = new("bench-tps", "Load-test a node: fund accounts from the faucet, send transfers signed just ahead with a fresh blockhash over UDP, report TPS, confirmation latency, drops and the node's memory")
        {
            url, faucet, duration, accounts, threads, rate, sendTo, constantTime, noSegmentation, json,
        };
        command.SetAction(parse => ClientCommands.Run(async () =>
        {
            BenchTpsOptions options = new(parse.GetValue(url)!, parse.GetValue(faucet)!, parse.GetValue(duration), (int)parse.GetValue(accounts),
                (int)parse.GetValue(threads), parse.GetValue(rate), parse.GetValue(json), parse.GetValue(sendTo) == "leaders", parse.GetValue(constantTime), !parse.GetValue(noSegmentation));
            BenchReport report = await new BenchTps(options, io.Err).RunAsync(CancellationToken.None).ConfigureAwait(false);
            report.Write(io.Out, options.Json);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
