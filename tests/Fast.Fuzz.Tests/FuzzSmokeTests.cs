using Fast.Core.Codec;
using Fast.Testing;
using Xunit;

namespace Fast.Fuzz.Tests;

/// <summary>
/// CI's fuzz smoke: every target through the same engine as `./build.sh fuzz`, for a short budget
/// with a fixed seed, failing on any crash, hang or non-canonical acceptance. The long campaign
/// (≥ 10 M inputs) is run by hand; its counts are in README's benchmark table.
/// </summary>
public class FuzzSmokeTests
{
    private const double SecondsPerTarget = 2;

    public static TheoryData<string> Targets() => [.. FuzzCampaign.TargetNames];

    [Theory]
    [MemberData(nameof(Targets))]
    public void A_short_campaign_finds_no_crash_hang_or_non_canonical_acceptance(string target)
    {
        using TempDir crashes = new("fast-fuzz");
        string? hang = null;
        FuzzStats stats = FuzzCampaign.Run(target, new FuzzOptions
        {
            Seconds = SecondsPerTarget,
            Seed = 20240601,
            CrashDirectory = crashes.Path,
            HangTimeout = TimeSpan.FromSeconds(5),
            OnHang = message => hang = message,
        });

        Assert.Null(hang);
        Assert.True(stats.Failures == 0,
            $"{stats.Crashes} crashes, {stats.NonCanonical} non-canonical, {stats.Hangs} hangs; saved: {string.Join(", ", stats.Saved)}");
        // The campaign really exercised the decoder: many inputs, and both verdicts well represented.
        Assert.True(stats.Inputs > 50_000, $"only {stats.Inputs} inputs");
        Assert.True(stats.Accepted > stats.Inputs / 100, $"only {stats.Accepted} of {stats.Inputs} accepted: the mutator is too destructive");
        Assert.True(stats.ByStatus[(int)DecodeStatus.Truncated] > 0 && stats.Rejected > stats.Inputs / 10);
    }

    [Fact]
    public void The_fuzz_loop_allocates_nothing_per_input()
    {
        using TempDir crashes = new("fast-fuzz");
        long Allocated(long inputs)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            FuzzStats stats = FuzzCampaign.Run("transaction", new FuzzOptions { Seconds = 60, MaxInputs = inputs, Seed = 3, CrashDirectory = crashes.Path });
            Assert.Equal(inputs, stats.Inputs);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Allocated(1_000); // warm-up: seeds, JIT
        long small = Allocated(1_000);
        long large = Allocated(301_000);
        // Same fixed set-up cost (buffers, corpus pool, watchdog) whether 1 K or 301 K inputs run.
        Assert.True(large - small < 4_096, $"{large - small} more bytes for 300,000 more inputs");
    }

    [Fact]
    public void A_decoder_that_accepts_a_non_canonical_encoding_is_caught_and_its_input_saved()
    {
        using TempDir crashes = new("fast-fuzz");
        FuzzStats stats = FuzzEngine.Run(new LenientShortVecTarget(), new FuzzOptions { Seconds = 0.5, Seed = 1, CrashDirectory = crashes.Path });
        Assert.True(stats.NonCanonical > 0);
        Assert.Contains(stats.Saved, path => path.Contains("-noncanonical-", StringComparison.Ordinal) && File.Exists(path));
    }

    [Fact]
    public void A_decoder_that_throws_is_counted_as_a_crash_and_its_input_saved_with_the_exception()
    {
        using TempDir crashes = new("fast-fuzz");
        FuzzStats stats = FuzzEngine.Run(new ThrowingTarget(), new FuzzOptions { Seconds = 0.5, Seed = 1, CrashDirectory = crashes.Path });
        Assert.True(stats.Crashes > 0);
        string saved = stats.Saved.First(path => path.Contains("-crash-", StringComparison.Ordinal));
        Assert.Contains("IndexOutOfRangeException", File.ReadAllText(Path.ChangeExtension(saved, ".txt")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_decoder_that_hangs_is_reported_by_the_watchdog()
    {
        using TempDir crashes = new("fast-fuzz");
        using ManualResetEventSlim reported = new();
        string? hang = null;
        Thread worker = new(() => FuzzEngine.Run(new HangingTarget(), new FuzzOptions
        {
            Seconds = 30,
            MaxInputs = 200_000,
            Seed = 1,
            CrashDirectory = crashes.Path,
            HangTimeout = TimeSpan.FromMilliseconds(300),
            OnHang = message =>
            {
                hang = message;
                reported.Set();
            },
        })) { IsBackground = true };
        worker.Start();
        Assert.True(reported.Wait(TimeSpan.FromSeconds(10)), "the watchdog did not report the hang");
        Assert.Contains("hang", hang, StringComparison.Ordinal);
        HangingTarget.Release();
    }

    /// <summary>A one-field format (a compact-u16) whose decoder forgets to reject the overlong forms.</summary>
    private readonly struct LenientShortVecTarget : IFuzzTarget
    {
        public string Name => "lenient";
        public int MaxInputLength => 8;
        public IReadOnlyList<FuzzSeed> CreateSeeds() => [new FuzzSeed([0x05], [0]), new FuzzSeed([0x80, 0x01], [0])];

        public DecodeStatus Check(ReadOnlySpan<byte> input, Span<byte> scratch, out bool canonical)
        {
            canonical = false;
            int value = 0, i = 0;
            for (; i < input.Length && i < 3; i++)
            {
                value |= (input[i] & 0x7F) << (7 * i);
                if ((input[i] & 0x80) == 0) break;
            }
            if (i >= input.Length || i == 3 || i + 1 != input.Length || value > 0xFFFF) return DecodeStatus.Truncated;
            int written = ShortVec.Write(scratch, value);
            canonical = scratch[..written].SequenceEqual(input);
            return DecodeStatus.Ok;
        }
    }

    /// <summary>A decoder that indexes past its input when the first byte is large.</summary>
    private readonly struct ThrowingTarget : IFuzzTarget
    {
        public string Name => "throwing";
        public int MaxInputLength => 16;
        public IReadOnlyList<FuzzSeed> CreateSeeds() => [new FuzzSeed([1, 0], [0])];

        public DecodeStatus Check(ReadOnlySpan<byte> input, Span<byte> scratch, out bool canonical)
        {
            canonical = true;
            if (input.IsEmpty) return DecodeStatus.Truncated;
            return input[input[0]] == 0 ? DecodeStatus.Ok : DecodeStatus.InvalidValue;
        }
    }

    /// <summary>A decoder that never returns on inputs starting with 0xFF (until the test releases it).</summary>
    private readonly struct HangingTarget : IFuzzTarget
    {
        private static volatile bool _released;

        public static void Release() => _released = true;

        public string Name => "hanging";
        public int MaxInputLength => 16;
        public IReadOnlyList<FuzzSeed> CreateSeeds() => [new FuzzSeed([0], [0])];

        public DecodeStatus Check(ReadOnlySpan<byte> input, Span<byte> scratch, out bool canonical)
        {
            canonical = true;
            if (input.Length > 0 && input[0] == 0xFF)
            {
                while (!_released) Thread.SpinWait(100);
            }
            return DecodeStatus.Ok;
        }
    }
}
