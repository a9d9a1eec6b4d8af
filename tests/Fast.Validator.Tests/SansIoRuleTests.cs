using System.Text.RegularExpressions;
using Xunit;
using Fast.Testing;

namespace Fast.Validator.Tests;

/// <summary>
/// ARCHITECTURE.md rule 1: the machines (native/Fast.Validator) and the pure core
/// (core/Fast.Core, minus its one platform folder) never touch threads, sockets, clocks or
/// unseeded randomness, so the simulator can run them deterministically. This scans their source.
/// </summary>
public sealed partial class SansIoRuleTests
{
    [GeneratedRegex(@"\bThread\b|\bTask\.Run\b|\bSocket\b|\bStopwatch\b|\bDateTime(Offset)?\.(Utc)?Now\b|\bEnvironment\.TickCount|\bnew Random\b|\bRandom\.Shared\b|\bRandomNumberGenerator\b|\bTimer\b|\bThreadPool\b|\bParallel\.")]
    private static partial Regex BannedApi();

    [Theory]
    [InlineData("native/Fast.Validator")]
    [InlineData("core/Fast.Core/Rng")]
    [InlineData("core/Fast.Core/Consensus")]
    [InlineData("core/Fast.Core/Shreds")]
    [InlineData("core/Fast.Core/Turbine")]
    public void The_machines_folders_use_no_thread_socket_clock_or_unseeded_randomness(string folder)
    {
        string root = Path.Combine(RepoPaths.RequireRoot(), folder);
        Assert.True(Directory.Exists(root), root + " is missing");
        List<string> offences = [];
        int files = 0;
        foreach (string file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains("/bin/", StringComparison.Ordinal) || file.Contains("/obj/", StringComparison.Ordinal)) continue;
            files++;
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                string code = StripComment(lines[i]);
                Match m = BannedApi().Match(code);
                if (m.Success) offences.Add($"{Path.GetRelativePath(root, file)}:{i + 1}: {m.Value}");
            }
        }
        Assert.True(files > 0, "no source files under " + folder);
        Assert.True(offences.Count == 0, "banned APIs (ARCHITECTURE.md rule 1):\n" + string.Join('\n', offences));
    }

    [Fact]
    public void The_scan_finds_a_banned_api_when_one_is_there()
    {
        Assert.Matches(BannedApi(), "var sw = Stopwatch.StartNew();");
        Assert.Matches(BannedApi(), "long t = DateTime.UtcNow.Ticks;");
        Assert.Matches(BannedApi(), "var r = new Random(1);");
        Assert.Matches(BannedApi(), "Task.Run(() => 1);");
        Assert.DoesNotMatch(BannedApi(), "NodeTime now, ref DeterministicRng rng");
    }

    private static string StripComment(string line)
    {
        int slash = line.IndexOf("//", StringComparison.Ordinal);
        return slash < 0 ? line : line[..slash];
    }
}
