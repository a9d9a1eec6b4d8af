using System.CommandLine;
using Fast.Exec.Validity;
using Fast.Node.Cli;
using Fast.Node.Pipeline;

namespace Fast.Node.Bench;

/// <summary>`fast bench ...`: the side-by-side micro benchmarks an operator runs on their own machine.</summary>
public static class BenchCommand
{
    public static Command Build(CliIO io)
    {
        Command bench = new("bench", "Measure this machine: each bench runs a reference baseline in the same process and prints the ratio");
        bench.Subcommands.Add(Sha256(io));
        bench.Subcommands.Add(Sigverify(io));
        bench.Subcommands.Add(Sign(io));
        bench.Subcommands.Add(Codec(io));
        bench.Subcommands.Add(Poh(io));
        bench.Subcommands.Add(Exec(io));
        bench.Subcommands.Add(Fec(io));
        bench.Subcommands.Add(ReplayVerify(io));
        return bench;
    }

    /// <summary>--seconds (how long to measure, &gt; 0) and --json, shared by every bench.</summary>
    public static (Option<double> Seconds, Option<bool> Json) CommonOptions(double defaultSeconds)
    {
        Option<double> seconds = CliOptions.Double("--seconds", "How long to measure, in seconds", defaultSeconds, 0, 3600, minExclusive: true);
        Option<bool> json = new("--json") { Description = "Print one JSON object (the benchmark convention in ARCHITECTURE.md)" };
        return (seconds, json);
    }

    private static Command Sigverify(CliIO io)
    {
        (Option<double> seconds, Option<bool> json) = CommonOptions(10);
        Option<long> threads = CliOptions.Integer("--threads", "Sigverify threads", Environment.ProcessorCount, 1, 256);
        Option<long> transactions = CliOptions.Integer("--transactions", "Distinct signed transactions per round", 16384, 256, 1 << 20);
        Option<long> batch = CliOptions.Integer("--sigverify-batch", "Signatures per BIP-340 batch in the stage (1: unbatched)", Pipeline.SigverifyStage.DefaultBatchSignatures, 1, Crypto.SchnorrBatchScratch.MaxCapacity);
        Command command = new("sigverify", "The sigverify stage's verifies/s (batched, unbatched, 1 % invalid) and the per-core batch curve vs the single-thread libsecp256k1 loop")
        {
            seconds, threads, transactions, batch, json,
        };
        command.SetAction(parse =>
        {
            SigverifyBench.Run(parse.GetValue(seconds), (int)parse.GetValue(threads), (int)parse.GetValue(transactions), (int)parse.GetValue(batch)).Write(io.Out, parse.GetValue(json));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Sign(CliIO io)
    {
        (Option<double> seconds, Option<bool> json) = CommonOptions(5);
        Command command = new("sign", "Transfers signed/s on one thread: the load generator's variable-time batch signer vs libsecp256k1's constant-time signer") { seconds, json };
        command.SetAction(parse =>
        {
            SignBench.Run(parse.GetValue(seconds)).Write(io.Out, parse.GetValue(json));
            return ExitCodes.Ok;
        });
        return command;
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

    private static Command Codec(CliIO io)
    {
        (Option<double> seconds, Option<bool> json) = CommonOptions(3);
        Command command = new("codec", "Transaction and shred decode/encode per second vs the libsecp256k1 verify rate of the same transaction") { seconds, json };
        command.SetAction(parse =>
        {
            CodecBench.Run(parse.GetValue(seconds)).Write(io.Out, parse.GetValue(json));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Poh(CliIO io)
    {
        (Option<double> seconds, Option<bool> json) = CommonOptions(5);
        Option<long> slotMs = CliOptions.Integer("--slot-ms", "Target slot time in milliseconds", PohConfig.DefaultSlotMs, 1, 3_600_000);
        Option<long> ticksPerSlot = CliOptions.Integer("--ticks-per-slot", "Ticks per slot", PohConfig.DefaultTicksPerSlot, 1, 100_000);
        Option<long> hashesPerTick = CliOptions.Integer("--hashes-per-tick", "Hashes per tick to check this machine against (genesis sets it)", (long)PohConfig.DefaultHashesPerTick, 2, long.MaxValue);
        Option<long> hashesPerBatch = CliOptions.Integer("--hashes-per-batch", "Generator hashes per native call", new PohConfig().HashesPerBatch, 1, 1 << 24);
        Option<long> core = CliOptions.Integer("--core", "Pin the measuring thread to this core, as the PoH thread would be (-1: do not pin)", -1, -1, 1023);
        Command command = new("poh", "PoH generator and verifier hashes/s vs the single-chain SHA-NI loop, and the largest hashes-per-tick this machine sustains")
        {
            seconds, json, slotMs, ticksPerSlot, hashesPerTick, hashesPerBatch, core,
        };
        command.SetAction(parse =>
        {
            PohConfig config = new()
            {
                SlotMs = (int)parse.GetValue(slotMs),
                TicksPerSlot = (int)parse.GetValue(ticksPerSlot),
                HashesPerTick = (ulong)parse.GetValue(hashesPerTick),
                HashesPerBatch = (int)parse.GetValue(hashesPerBatch),
                Core = parse.GetValue(core) >= 0 ? (int)parse.GetValue(core) : null,
            };
            if (config.Validate() is string error) throw new CliException(error, ExitCodes.BadInput);
            PohBench.Run(parse.GetValue(seconds), config).Write(io.Out, parse.GetValue(json));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Fec(CliIO io)
    {
        (Option<double> seconds, Option<bool> json) = CommonOptions(10);
        Command command = new("fec", "Reed-Solomon encode and recover GB/s on 32+32 shred FEC sets, each kernel, vs Intel ISA-L (loaded at run time) on the same buffers") { seconds, json };
        command.SetAction(parse =>
        {
            FecBench.Run(parse.GetValue(seconds)).Write(io.Out, parse.GetValue(json));
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
        Option<long> coldAccounts = CliOptions.Integer("--cold-accounts", "Accounts in the cold-state run (FASTER memory at most 1/8 of the state, uniform senders); 0 skips it", 10_000_000, 0, 100_000_000);
        Option<bool> coldFasterReads = new("--cold-faster-reads") { Description = "Read the cold store through FASTER's own file device (reads complete on the thread pool) instead of pread on the reading thread: the comparison run" };
        Option<string> workload = new Option<string>("--workload") { Description = "transfer: system transfers only; mixed: also blocks mixing token, multisig, stake and system transactions, reported as ratios to the transfers", DefaultValueFactory = _ => "transfer" }.AcceptOnlyFromAmong("transfer", "mixed");
        Command command = new("exec", "Transfers/s through the Sealevel scheduler into banks on FASTER: 1 vs N workers, conflict-free vs hot accounts (and mixed-program blocks with --workload mixed)")
        {
            threads, accounts, conflict, seconds, json, noPin, coldAccounts, coldFasterReads, workload,
        };
        command.SetAction(parse =>
        {
            ExecBench.Run((int)parse.GetValue(threads), (int)parse.GetValue(accounts), parse.GetValue(conflict), parse.GetValue(seconds), !parse.GetValue(noPin), (int)parse.GetValue(coldAccounts), parse.GetValue(workload) == "mixed", parse.GetValue(coldFasterReads))
                .Write(io.Out, parse.GetValue(json));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command ReplayVerify(CliIO io)
    {
        (Option<double> seconds, Option<bool> json) = CommonOptions(10);
        Option<long> threads = CliOptions.Integer("--threads", "Scheduler workers the batches are spread over (the checking thread counts as one)", Math.Max(2, Environment.ProcessorCount), 1, 256);
        Option<long> batch = CliOptions.Integer("--batch", "Signatures per BIP-340 batch", BlockSignatures.DefaultBatchSize, 1, Crypto.SchnorrBatchScratch.MaxCapacity);
        Command command = new("replay-verify", "A replayed block's signature check: BIP-340 batches over the workers vs every signature singly on one thread (the old replay path)")
        {
            seconds, threads, batch, json,
        };
        command.SetAction(parse =>
        {
            ReplayVerifyBench.Run(parse.GetValue(seconds), (int)parse.GetValue(threads), (int)parse.GetValue(batch)).Write(io.Out, parse.GetValue(json));
            return ExitCodes.Ok;
        });
        return command;
    }
}
