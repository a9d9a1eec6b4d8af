using System.Globalization;
using Fast.Fuzz;

// `./build.sh fuzz [--seconds N] [--target NAME]... [--seed S] [--max-inputs N] [--crashes DIR]`
// runs every decoder's mutational campaign (N seconds per target) and prints what each saw;
// `--replay FILE --target NAME` re-runs one saved input. Exit 0: no failures; 1: a crash, a
// non-canonical acceptance or a hang; 2: bad arguments.
double seconds = 10;
ulong seed = (ulong)Environment.TickCount64;
long maxInputs = 0;
string? crashes = null;
string? replay = null;
List<string> targets = [];
try
{
    for (int i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
        switch (args[i])
        {
            case "--seconds":
                seconds = double.Parse(Value(), CultureInfo.InvariantCulture);
                if (!(seconds > 0)) throw new ArgumentException("--seconds must be > 0");
                break;
            case "--seed":
                seed = ulong.Parse(Value(), CultureInfo.InvariantCulture);
                break;
            case "--max-inputs":
                maxInputs = long.Parse(Value(), CultureInfo.InvariantCulture);
                break;
            case "--crashes":
                crashes = Value();
                break;
            case "--target":
                string name = Value();
                if (!FuzzCampaign.TargetNames.Contains(name)) throw new ArgumentException($"unknown target '{name}' (known: {string.Join(", ", FuzzCampaign.TargetNames)})");
                targets.Add(name);
                break;
            case "--replay":
                replay = Value();
                break;
            case "-h":
            case "--help":
                Console.WriteLine("usage: Fast.Fuzz [--seconds N (per target, default 10)] [--target NAME]... [--seed S] [--max-inputs N] [--crashes DIR]");
                Console.WriteLine("       Fast.Fuzz --replay FILE --target NAME");
                Console.WriteLine("targets: " + string.Join(", ", FuzzCampaign.TargetNames));
                return 0;
            default:
                throw new ArgumentException($"unknown argument '{args[i]}' (try --help)");
        }
    }
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine("error: " + e.Message);
    return 2;
}

if (replay is not null)
{
    if (targets.Count != 1)
    {
        Console.Error.WriteLine("error: --replay needs exactly one --target");
        return 2;
    }
    byte[] input = File.ReadAllBytes(replay);
    (Fast.Core.Codec.DecodeStatus status, bool canonical) = FuzzCampaign.Replay(targets[0], input);
    Console.WriteLine($"{targets[0]}: {input.Length} bytes -> {status}{(status == Fast.Core.Codec.DecodeStatus.Ok ? canonical ? ", re-encodes to the same bytes" : ", NON-CANONICAL: re-encodes differently" : "")}");
    return status == Fast.Core.Codec.DecodeStatus.Ok && !canonical ? 1 : 0;
}

if (targets.Count == 0) targets.AddRange(FuzzCampaign.TargetNames);
string crashDirectory = crashes ?? Path.Combine(FindRepoRoot() ?? Directory.GetCurrentDirectory(), "fuzz", "crashes");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fuzz: {targets.Count} targets, {seconds:0.##} s each, seed {seed}, failures saved to {crashDirectory}"));
List<FuzzStats> all = [];
foreach (string target in targets)
{
    FuzzStats stats = FuzzCampaign.Run(target, new FuzzOptions { Seconds = seconds, Seed = seed, MaxInputs = maxInputs, CrashDirectory = crashDirectory });
    FuzzCampaign.Print(Console.Out, stats);
    all.Add(stats);
}
FuzzCampaign.PrintTotal(Console.Out, all);
return all.Any(s => s.Failures > 0) ? 1 : 0;

static string? FindRepoRoot()
{
    foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
    {
        for (DirectoryInfo? dir = new(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Fast.sln"))) return dir.FullName;
        }
    }
    return null;
}
