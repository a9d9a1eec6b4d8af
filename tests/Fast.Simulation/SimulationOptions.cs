using System.Globalization;

namespace Fast.Simulation;

/// <summary>A window of slots [From, To) in which something is done to the cluster.</summary>
public readonly record struct SlotWindow(ulong From, ulong To)
{
    public bool Contains(ulong slot) => slot >= From && slot < To;
}

/// <summary>
/// What one simulation run does, from its command line. Fractions are parsed as decimals and kept as
/// parts per million, so no floating point reaches a decision and the same flags give the same run.
/// Bad flags give a one-line <see cref="SimulationOptionsException"/> (exit 2), never a stack trace.
/// </summary>
public sealed record SimulationOptions
{
    public int Validators { get; init; } = 10;
    public ulong Slots { get; init; } = 100;
    public ulong Seed { get; init; } = 1;
    public uint LossPpm { get; init; }
    public int LatencyMs { get; init; } = 40;
    public int JitterMs { get; init; } = 20;
    public int Tps { get; init; }
    public int SlotMs { get; init; } = 600;
    public int TurbineFanout { get; init; } = 200;

    /// <summary>The share of nodes (parts per million) cut off from the rest during <see cref="PartitionSlots"/>.</summary>
    public uint PartitionPpm { get; init; }
    public SlotWindow? PartitionSlots { get; init; }

    public int CrashNodes { get; init; }
    public SlotWindow? CrashSlots { get; init; }

    public int ByzantineLeaders { get; init; }

    /// <summary>Leaders that put a transfer from an unfunded payer into every block they make (a block every honest replayer must mark dead).</summary>
    public int InvalidBlockLeaders { get; init; }
    public bool Json { get; init; }

    /// <summary>Threads the nodes' replays run on (the report does not depend on it; default: the cores).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    public const string Usage =
        "usage: Fast.Simulation [--validators N] [--slots S] [--seed X] [--loss P] [--latency-ms L] [--jitter-ms J] [--tps T]\n" +
        "                       [--slot-ms M] [--turbine-fanout F] [--partition F@FROM-TO] [--crash K@FROM-TO] [--byzantine-leaders K]\n" +
        "                       [--invalid-block-leaders K] [--threads N] [--json]\n" +
        "  --loss 0.05 drops 5 % of packets; --partition 0.6@200-400 cuts the nodes 60/40 from slot 200 to 400;\n" +
        "  --crash 10@300-350 stops 10 nodes at slot 300 and restarts them at 350; --byzantine-leaders K makes K leaders\n" +
        "  send two versions of their slots to different halves; --invalid-block-leaders K makes the K most staked other leaders put a transfer\n" +
        "  from an unfunded payer in every block; --threads N replays the nodes' blocks on N threads (default: the cores).\n" +
        "  Same flags and seed: the same report, byte for byte, for any --threads.";

    public static SimulationOptions Parse(IReadOnlyList<string> args)
    {
        SimulationOptions o = new();
        for (int i = 0; i < args.Count; i++)
        {
            string flag = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new SimulationOptionsException($"{flag} needs a value");
            o = flag switch
            {
                "--validators" => o with { Validators = Int(flag, Value(), 1, 10_000) },
                "--slots" => o with { Slots = (ulong)Int(flag, Value(), 1, 10_000_000) },
                "--seed" => o with { Seed = ULong(flag, Value()) },
                "--loss" => o with { LossPpm = Fraction(flag, Value()) },
                "--latency-ms" => o with { LatencyMs = Int(flag, Value(), 0, 10_000) },
                "--jitter-ms" => o with { JitterMs = Int(flag, Value(), 0, 10_000) },
                "--tps" => o with { Tps = Int(flag, Value(), 0, 1_000_000) },
                "--slot-ms" => o with { SlotMs = Int(flag, Value(), 50, 60_000) },
                "--turbine-fanout" => o with { TurbineFanout = Int(flag, Value(), 1, 10_000) },
                "--partition" => ParsePartition(o, flag, Value()),
                "--crash" => ParseCrash(o, flag, Value()),
                "--byzantine-leaders" => o with { ByzantineLeaders = Int(flag, Value(), 0, 10_000) },
                "--invalid-block-leaders" => o with { InvalidBlockLeaders = Int(flag, Value(), 0, 10_000) },
                "--json" => o with { Json = true },
                "--threads" => o with { Threads = Int(flag, Value(), 1, 256) },
                _ => throw new SimulationOptionsException($"unknown flag '{flag}' (--help lists them)"),
            };
        }
        if (o.JitterMs > o.LatencyMs) throw new SimulationOptionsException($"--jitter-ms {o.JitterMs} exceeds --latency-ms {o.LatencyMs} (latency would go negative)");
        if (o.CrashNodes >= o.Validators && o.CrashNodes > 0) throw new SimulationOptionsException($"--crash {o.CrashNodes} would stop every one of the {o.Validators} validators");
        if (o.ByzantineLeaders > o.Validators) throw new SimulationOptionsException($"--byzantine-leaders {o.ByzantineLeaders} exceeds --validators {o.Validators}");
        if (o.ByzantineLeaders + o.InvalidBlockLeaders > o.Validators) throw new SimulationOptionsException($"--byzantine-leaders {o.ByzantineLeaders} and --invalid-block-leaders {o.InvalidBlockLeaders} exceed --validators {o.Validators}");
        return o;
    }

    private static SimulationOptions ParsePartition(SimulationOptions o, string flag, string value)
    {
        (string head, SlotWindow window) = SplitWindow(flag, value);
        uint ppm = Fraction(flag, head);
        if (ppm == 0 || ppm >= 1_000_000) throw new SimulationOptionsException($"{flag}: the cut share must be strictly between 0 and 1 (got '{head}')");
        return o with { PartitionPpm = ppm, PartitionSlots = window };
    }

    private static SimulationOptions ParseCrash(SimulationOptions o, string flag, string value)
    {
        (string head, SlotWindow window) = SplitWindow(flag, value);
        return o with { CrashNodes = Int(flag, head, 1, 10_000), CrashSlots = window };
    }

    private static (string Head, SlotWindow Window) SplitWindow(string flag, string value)
    {
        int at = value.IndexOf('@', StringComparison.Ordinal);
        int dash = value.IndexOf('-', at + 1);
        if (at <= 0 || dash < 0) throw new SimulationOptionsException($"{flag}: expected X@FROM-TO, got '{value}'");
        ulong from = ULong(flag, value[(at + 1)..dash]);
        ulong to = ULong(flag, value[(dash + 1)..]);
        if (to <= from) throw new SimulationOptionsException($"{flag}: the window {from}-{to} is empty");
        return (value[..at], new SlotWindow(from, to));
    }

    private static int Int(string flag, string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < min || n > max)
            throw new SimulationOptionsException($"{flag}: expected a whole number from {min} to {max}, got '{value}'");
        return n;
    }

    private static ulong ULong(string flag, string value)
    {
        if (!ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out ulong n))
            throw new SimulationOptionsException($"{flag}: expected a whole number, got '{value}'");
        return n;
    }

    /// <summary>A decimal fraction in [0, 1] as parts per million (0.05 → 50,000), rounded down.</summary>
    private static uint Fraction(string flag, string value)
    {
        if (!decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal d) || d < 0 || d > 1)
            throw new SimulationOptionsException($"{flag}: expected a fraction from 0 to 1 (0.05 = 5 %), got '{value}'");
        return (uint)decimal.Floor(d * 1_000_000);
    }
}

/// <summary>A bad simulation flag: the message is the one line the program prints.</summary>
public sealed class SimulationOptionsException(string message) : Exception(message);
