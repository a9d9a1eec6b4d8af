using System.CommandLine;
using Fast.Node.Cli;

namespace Fast.Node.Bench;

/// <summary>`fast bench ...`: the side-by-side micro benchmarks an operator runs on their own machine.</summary>
public static class BenchCommand
{
    public static Command Build(CliIO io)
    {
        Command bench = new("bench", "Measure this machine: each bench runs a reference baseline in the same process and prints the ratio");
        bench.Subcommands.Add(Sha256(io));
        bench.Subcommands.Add(Exec(io));
        return bench;
    }

    /// <summary>--seconds (how long to measure, &gt; 0) and --json, shared by every bench.</summary>
    public static (Option<double> Seconds, Option<bool> Json) CommonOptions(double defaultSeconds)
    {
        Option<double> seconds = CliOptions.Double("--seconds", "How long to measure, in seconds", defaultSeconds, 0, 3600, minExclusive: true);
        Option<bool> json = new("--json") { Description = "Print one JSON object (the benchmark convention in ARCHITECTURE.md)" };
        return (seconds, json);
    }

    private static Command Sha256(CliIO io)
    {
        (Option<double> seconds, Option<bool> json) = CommonOptions(3);
        Command command = new("sha256", "Chained SHA-256 hashes/s: the SHA-NI kernel vs a SHA256.HashData loop") { seconds, json };
        command.SetAction(parse =>
        {
            Sha256Bench.Run(parse.GetValue(seconds)).Write(io.Out, parse.GetValue(json));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Exec(CliIO io)
    {
        (Option<double> seconds, Option<bool> json) = CommonOptions(5);
        Option<long> threads = CliOptions.Integer("--threads", "Workers for the parallel runs (the scheduling thread counts as one)", Math.Max(2, Environment.ProcessorCount), 2, 256);
        Option<long> accounts = CliOptions.Integer("--accounts", "Funded accounts; a slot's block is accounts/2 transfers", 100_000, 1000, 10_000_000);
        Option<double> conflict = CliOptions.Double("--conflict", "Percent of transfers in the hot run that pay one of 4 hot accounts", 10, 0, 100);
        Option<bool> noPin = new("--no-pin") { Description = "Do not pin the scheduling thread and the helpers to cores" };
        Command command = new("exec", "Transfers/s through the Sealevel scheduler into banks on FASTER: 1 vs N workers, conflict-free vs hot accounts")
        {
            threads, accounts, conflict, seconds, json, noPin,
        };
        command.SetAction(parse =>
        {
            ExecBench.Run((int)parse.GetValue(threads), (int)parse.GetValue(accounts), parse.GetValue(conflict), parse.GetValue(seconds), !parse.GetValue(noPin))
                .Write(io.Out, parse.GetValue(json));
            return ExitCodes.Ok;
        });
        return command;
    }
}
