using System.Diagnostics;
using Fast.Core.Codec;

namespace Fast.Fuzz;

/// <summary>How one target's campaign runs.</summary>
public sealed record FuzzOptions
{
    /// <summary>Wall-clock budget for this target.</summary>
    public double Seconds { get; init; } = 10;

    /// <summary>Stop after this many inputs even if time remains (0 = no cap).</summary>
    public long MaxInputs { get; init; }

    public ulong Seed { get; init; } = 1;

    /// <summary>Where crashing, non-canonical and hanging inputs are saved.</summary>
    public required string CrashDirectory { get; init; }

    /// <summary>An input still running after this long is a hang.</summary>
    public TimeSpan HangTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Called (from the watchdog thread) when an input hangs; the default exits the process, since the stuck thread cannot be stopped.</summary>
    public Action<string>? OnHang { get; init; }

    /// <summary>Saved inputs per target per kind of failure (every failure is still counted).</summary>
    public int MaxSavedPerKind { get; init; } = 20;
}

/// <summary>
/// Runs one target's mutational campaign on the calling thread: each input is a corpus entry (a
/// seed, or an earlier accepted mutant) copied into one fixed buffer and mutated there, then
/// decoded and, if accepted, re-encoded and compared. Per input it checks: no exception, no hang
/// (a watchdog thread watches a progress counter), and round-trip canonicality. Nothing is
/// allocated per input; failures are saved to the crash directory.
/// </summary>
public static class FuzzEngine
{
    /// <summary>Accepted mutants kept for further mutation (fixed slots, overwritten round-robin).</summary>
    private const int PoolSlots = 256;

    private const int TimeCheckInterval = 1024;

    public static FuzzStats Run<TTarget>(TTarget target, FuzzOptions options) where TTarget : struct, IFuzzTarget
    {
        IReadOnlyList<FuzzSeed> seeds = target.CreateSeeds();
        FuzzStats stats = new(target.Name);
        byte[] scratch = new byte[target.MaxInputLength * 2 + 4096];
        CheckSeeds(target, seeds, scratch);

        Mutator mutator = new(target.MaxInputLength);
        byte[][] pool = new byte[PoolSlots][];
        int[] poolLengths = new int[PoolSlots];
        for (int i = 0; i < PoolSlots; i++) pool[i] = new byte[target.MaxInputLength];
        int poolCount = 0;
        int poolNext = 0;

        FuzzRandom random = new(options.Seed ^ NameHash(target.Name));
        using Watchdog watchdog = new(options, stats, mutator);
        long budget = (long)(options.Seconds * Stopwatch.Frequency);
        long start = Stopwatch.GetTimestamp();
        long inputs = 0;
        while (true)
        {
            if ((inputs & (TimeCheckInterval - 1)) == 0)
            {
                if (Stopwatch.GetTimestamp() - start >= budget) break;
            }
            if (options.MaxInputs > 0 && inputs >= options.MaxInputs) break;

            // Pick a source: a seed (with its length-field map) or an accepted mutant.
            ReadOnlySpan<int> lengthFields = default;
            if (poolCount == 0 || random.OneIn(2))
            {
                FuzzSeed seed = seeds[random.Below(seeds.Count)];
                mutator.Load(seed.Bytes);
                lengthFields = seed.LengthFields;
            }
            else
            {
                int slot = random.Below(poolCount);
                mutator.Load(pool[slot].AsSpan(0, poolLengths[slot]));
            }
            ReadOnlySpan<byte> splice = seeds[random.Below(seeds.Count)].Bytes;
            mutator.Mutate(ref random, lengthFields, splice);

            watchdog.Begin(inputs);
            DecodeStatus status;
            bool canonical;
            try
            {
                status = target.Check(mutator.Input, scratch, out canonical);
            }
            catch (Exception e)
            {
                stats.Crashes++;
                Save(options, stats, "crash", mutator.Input, e.ToString());
                inputs++;
                continue;
            }
            inputs++;
            stats.ByStatus[(int)status]++;
            if (status == DecodeStatus.Ok)
            {
                if (!canonical)
                {
                    stats.NonCanonical++;
                    Save(options, stats, "noncanonical", mutator.Input, "accepted, but re-encoding gave different bytes");
                }
                else if (mutator.Length <= pool[0].Length)
                {
                    mutator.Input.CopyTo(pool[poolNext]);
                    poolLengths[poolNext] = mutator.Length;
                    poolNext = (poolNext + 1) % PoolSlots;
                    poolCount = Math.Min(poolCount + 1, PoolSlots);
                }
            }
        }
        watchdog.Begin(-1);
        stats.Inputs = inputs;
        stats.Elapsed = Stopwatch.GetElapsedTime(start);
        return stats;
    }

    /// <summary>FNV-1a of the target's name: each target gets its own stream from one seed, the same in every process.</summary>
    private static ulong NameHash(string name)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char c in name) hash = (hash ^ c) * 1099511628211UL;
        return hash;
    }

    /// <summary>Runs one saved input (a reproduction): the status, and whether it round-trips.</summary>
    public static (DecodeStatus Status, bool Canonical) Replay<TTarget>(TTarget target, ReadOnlySpan<byte> input) where TTarget : struct, IFuzzTarget
    {
        byte[] scratch = new byte[target.MaxInputLength * 2 + 4096];
        DecodeStatus status = target.Check(input, scratch, out bool canonical);
        return (status, canonical);
    }

    /// <summary>Every seed must be accepted and round-trip: otherwise the target or its seeds are wrong.</summary>
    private static void CheckSeeds<TTarget>(TTarget target, IReadOnlyList<FuzzSeed> seeds, byte[] scratch) where TTarget : struct, IFuzzTarget
    {
        if (seeds.Count == 0) throw new InvalidOperationException($"{target.Name}: no seeds");
        foreach (FuzzSeed seed in seeds)
        {
            if (seed.Bytes.Length > target.MaxInputLength) throw new InvalidOperationException($"{target.Name}: a seed exceeds MaxInputLength");
            DecodeStatus status = target.Check(seed.Bytes, scratch, out bool canonical);
            if (status != DecodeStatus.Ok || !canonical)
            {
                throw new InvalidOperationException($"{target.Name}: seed of {seed.Bytes.Length} bytes is not a valid canonical encoding ({status})");
            }
        }
    }

    internal static void Save(FuzzOptions options, FuzzStats stats, string kind, ReadOnlySpan<byte> input, string reason)
    {
        int saved = stats.CountSaved(kind);
        if (saved >= options.MaxSavedPerKind) return;
        Directory.CreateDirectory(options.CrashDirectory);
        string name = $"{stats.Target}-{kind}-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(input))[..16]}";
        string path = Path.Combine(options.CrashDirectory, name + ".bin");
        if (stats.Saved.Contains(path)) return;
        File.WriteAllBytes(path, input.ToArray());
        File.WriteAllText(Path.Combine(options.CrashDirectory, name + ".txt"), reason + Environment.NewLine);
        stats.Saved.Add(path);
    }

    /// <summary>
    /// Watches the fuzz loop from a background thread: if the same input is still running after the
    /// hang timeout, saves it and calls <see cref="FuzzOptions.OnHang"/> (a hung .NET thread cannot
    /// be aborted, so by default the process exits with status 3).
    /// </summary>
    private sealed class Watchdog : IDisposable
    {
        private readonly FuzzOptions _options;
        private readonly FuzzStats _stats;
        private readonly Mutator _mutator;
        private readonly Thread _thread;
        private readonly ManualResetEventSlim _stop = new();
        private long _current = -1;

        public Watchdog(FuzzOptions options, FuzzStats stats, Mutator mutator)
        {
            _options = options;
            _stats = stats;
            _mutator = mutator;
            _thread = new Thread(Watch) { IsBackground = true, Name = "fuzz-watchdog" };
            _thread.Start();
        }

        /// <summary>Marks input number <paramref name="input"/> as running (−1: idle).</summary>
        public void Begin(long input) => Volatile.Write(ref _current, input);

        private void Watch()
        {
            long seen = -1;
            long since = Stopwatch.GetTimestamp();
            var poll = TimeSpan.FromMilliseconds(Math.Clamp(_options.HangTimeout.TotalMilliseconds / 10, 10, 250));
            while (!_stop.Wait(poll))
            {
                long current = Volatile.Read(ref _current);
                if (current != seen || current < 0)
                {
                    seen = current;
                    since = Stopwatch.GetTimestamp();
                    continue;
                }
                if (Stopwatch.GetElapsedTime(since) < _options.HangTimeout) continue;
                _stats.Hangs++;
                string message = $"{_stats.Target}: input {current} ran longer than {_options.HangTimeout.TotalSeconds:0.#} s (hang)";
                Save(_options, _stats, "hang", _mutator.Input, message);
                if (_options.OnHang is { } onHang)
                {
                    onHang(message);
                    return;
                }
                Console.Error.WriteLine("fuzz: " + message + "; input saved to " + _options.CrashDirectory);
                Environment.Exit(3);
            }
        }

        public void Dispose()
        {
            _stop.Set();
            _thread.Join();
            _stop.Dispose();
        }
    }
}

/// <summary>What one target's campaign saw: inputs, accepted, rejected by status, and failures.</summary>
public sealed class FuzzStats(string target)
{
    public string Target { get; } = target;
    public long Inputs { get; set; }
    public long[] ByStatus { get; } = new long[Enum.GetValues<DecodeStatus>().Length];
    public long Crashes { get; set; }
    public long NonCanonical { get; set; }
    public long Hangs { get; set; }
    public TimeSpan Elapsed { get; set; }
    public List<string> Saved { get; } = [];

    public long Accepted => ByStatus[(int)DecodeStatus.Ok];
    public long Rejected => Inputs - Accepted - Crashes;
    public long Failures => Crashes + NonCanonical + Hangs;
    public double InputsPerSecond => Elapsed.TotalSeconds > 0 ? Inputs / Elapsed.TotalSeconds : 0;

    internal int CountSaved(string kind)
    {
        int n = 0;
        string marker = $"-{kind}-";
        foreach (string path in Saved)
        {
            if (path.Contains(marker, StringComparison.Ordinal)) n++;
        }
        return n;
    }
}
