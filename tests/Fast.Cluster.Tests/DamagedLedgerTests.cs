using System.Security.Cryptography;
using Fast.Cluster.Tests.Infrastructure;
using Fast.Testing;
using Xunit;

namespace Fast.Cluster.Tests;

/// <summary>
/// A damaged ledger is refused, never silently reset: each kind of file is corrupted, truncated or
/// removed in a copy of a healthy ledger, and `fast validator` must exit 3 with one line on stderr
/// naming the file, leaving every file byte for byte as it was.
/// </summary>
[Collection("cluster")]
public class DamagedLedgerTests(DamagedLedgerTests.HealthyLedger healthy) : IClassFixture<DamagedLedgerTests.HealthyLedger>
{
    /// <summary>One validator run on a ledger folder that existed empty beforehand (a fresh ledger, not damage), stopped cleanly.</summary>
    public sealed class HealthyLedger : IAsyncLifetime
    {
        public SingleValidator Node { get; } = new("damaged-ledger", "--slot-ms", "200", "--root-distance", "4", "--checkpoint-interval-slots", "2");

        public string StartOutput { get; private set; } = "";

        public async Task InitializeAsync()
        {
            Directory.CreateDirectory(Node.Ledger); // an empty ledger folder is a new ledger
            await Node.StartAsync();
            await Node.WaitForSlotAsync(16, "finalized", 120);
            StartOutput = Node.Process.Output;
            Assert.Equal(0, Node.Process.Stop(TimeSpan.FromSeconds(60)));
        }

        public Task DisposeAsync()
        {
            Node.Dispose();
            return Task.CompletedTask;
        }
    }

    [Fact]
    public void An_empty_ledger_folder_starts_from_genesis_and_a_healthy_copy_resumes_at_its_root()
    {
        Assert.Contains("new ledger from genesis", healthy.StartOutput);
        using TempDir copy = new("fast-ledger-copy");
        string ledger = CopyLedger(copy);
        using FastProcess node = StartValidator(ledger);
        string output = WaitForLine(node, "recovery:");
        Assert.Contains("recovery: accounts at root", output);
        Assert.Equal(0, node.Stop(TimeSpan.FromSeconds(60)));
    }

    [Theory]
    [InlineData("checkpoint-metadata")]
    [InlineData("index-checkpoint")]
    [InlineData("hybrid-log")]
    [InlineData("root-record")]
    [InlineData("commit-file")]
    [InlineData("data-record")]
    [InlineData("missing-commit-file")]
    [InlineData("missing-log-checkpoint")]
    [InlineData("missing-index-checkpoint")]
    [InlineData("missing-accounts")]
    [InlineData("missing-genesis-marker")]
    public void A_damaged_ledger_file_stops_the_validator_with_exit_3_and_one_line_naming_it_and_changes_nothing(string damage)
    {
        using TempDir copy = new("fast-ledger-damaged");
        string ledger = CopyLedger(copy);
        string named = Damage(ledger, damage);
        Dictionary<string, string> before = HashFiles(copy.Path);

        (int exitCode, string output, string error) = FastProcess.RunCapturing(TimeSpan.FromSeconds(45), ValidatorArgs(ledger));

        string[] lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(exitCode == 3, $"exit {exitCode}, expected 3:\n{output}");
        Assert.True(lines.Length == 1, $"expected one line on stderr:\n{error}");
        Assert.StartsWith("error: damaged ledger: ", lines[0]);
        Assert.Contains(named, lines[0]);
        Dictionary<string, string> after = HashFiles(copy.Path);
        string[] changed = [.. before.Keys.Union(after.Keys).Where(f => before.GetValueOrDefault(f) != after.GetValueOrDefault(f)).Order()];
        Assert.True(changed.Length == 0, $"changed on disk: {string.Join(", ", changed)}");
    }

    /// <summary>Damages <paramref name="ledger"/>; returns the path the error must name.</summary>
    private static string Damage(string ledger, string damage)
    {
        string accounts = Path.Combine(ledger, "accounts");
        string blocks = Path.Combine(ledger, "blocks");
        string checkpoints = Path.Combine(accounts, "checkpoints");
        switch (damage)
        {
            case "checkpoint-metadata":
            {
                string file = Path.Combine(Single(Path.Combine(checkpoints, "cpr-checkpoints")), "info.dat.0");
                Overwrite(file, 40, "x"u8); // inside the checkpoint's token line
                return file;
            }
            case "index-checkpoint":
            {
                string newest = Directory.GetDirectories(Path.Combine(checkpoints, "index-checkpoints")).OrderByDescending(Directory.GetLastWriteTimeUtc).First();
                string file = Path.Combine(newest, "ht.dat.0");
                using (FileStream stream = new(file, FileMode.Open)) stream.SetLength(stream.Length / 2);
                return file;
            }
            case "hybrid-log":
            {
                string file = Path.Combine(accounts, "hlog.log.0");
                using (FileStream stream = new(file, FileMode.Open)) stream.SetLength(stream.Length / 2 & ~511L);
                return file;
            }
            case "root-record":
            {
                string file = Path.Combine(accounts, "hlog.log.0");
                byte[] log = File.ReadAllBytes(file);
                byte[] rootKey = [.. Enumerable.Repeat((byte)0xFF, 32), 0x01];
                int at = log.AsSpan().LastIndexOf(rootKey);
                Assert.True(at > 0, "no root record in the accounts log");
                int inState = at + rootKey.Length + 4 + 8 + 8 + 40; // past the value's length and slot: inside the blockhash queue
                Overwrite(file, inState, [(byte)(log[inState] ^ 0x5A)]);
                return file;
            }
            case "commit-file":
            {
                string file = Single(Path.Combine(blocks, "log-commits"), files: true);
                byte[] bytes = File.ReadAllBytes(file);
                Overwrite(file, 4 + 4 + 8 + 8 + 2, [(byte)(bytes[26] ^ 0x10)]); // the committed until-address
                return file;
            }
            case "data-record":
            {
                string file = Path.Combine(blocks, "fasterlog.log.0");
                byte[] bytes = File.ReadAllBytes(file);
                int inRecord = 64 + 12 + 30; // the first record's header is at 64; this is inside its entries
                Overwrite(file, inRecord, [(byte)(bytes[inRecord] ^ 0x01)]);
                return file;
            }
            case "missing-commit-file":
                Directory.Delete(Path.Combine(blocks, "log-commits"), recursive: true);
                return Path.Combine(blocks, "log-commits");
            case "missing-log-checkpoint":
                Directory.Delete(Path.Combine(checkpoints, "cpr-checkpoints"), recursive: true);
                return checkpoints;
            case "missing-index-checkpoint":
                Directory.Delete(Path.Combine(checkpoints, "index-checkpoints"), recursive: true);
                return Path.Combine(checkpoints, "index-checkpoints");
            case "missing-accounts":
                Directory.Delete(accounts, recursive: true);
                return accounts;
            case "missing-genesis-marker":
                File.Delete(Path.Combine(ledger, "genesis.hash"));
                return Path.Combine(ledger, "genesis.hash");
            default:
                throw new ArgumentOutOfRangeException(nameof(damage), damage, null);
        }
    }

    private static string Single(string folder, bool files = false)
    {
        string[] found = files ? Directory.GetFiles(folder) : Directory.GetDirectories(folder);
        Assert.True(found.Length == 1, $"{folder} holds {found.Length} entries, expected 1");
        return found[0];
    }

    private static void Overwrite(string file, long offset, ReadOnlySpan<byte> bytes)
    {
        using FileStream stream = new(file, FileMode.Open, FileAccess.Write);
        stream.Position = offset;
        stream.Write(bytes);
    }

    private static Dictionary<string, string> HashFiles(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    private string CopyLedger(TempDir copy)
    {
        string source = healthy.Node.Ledger;
        string target = copy.File("ledger");
        foreach (string directory in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(target, Path.GetRelativePath(source, directory)));
        }
        Directory.CreateDirectory(target);
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string to = Path.Combine(target, Path.GetRelativePath(source, file));
            File.Copy(file, to);
            File.SetLastWriteTimeUtc(to, File.GetLastWriteTimeUtc(file));
        }
        return target;
    }

    private string[] ValidatorArgs(string ledger) =>
    [
        "validator",
        "--identity", Path.Combine(healthy.Node.Directory, "validator-0", "identity.json"),
        "--genesis", Path.Combine(healthy.Node.Directory, "genesis.bin"),
        "--ledger", ledger,
        "--rpc-port", "0", "--tpu-port", "0", "--tpu-tcp-port", "0", "--gossip-port", "0",
        "--low-power", "--slot-ms", "200",
    ];

    private FastProcess StartValidator(string ledger) => FastProcess.Start(ValidatorArgs(ledger));

    private static string WaitForLine(FastProcess process, string text)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(60);
        while (!process.Output.Contains(text))
        {
            if (process.HasExited) throw new Xunit.Sdk.XunitException($"the validator exited with {process.ExitCode}:\n{process.Output}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no '{text}' in 60 s:\n{process.Output}");
            Thread.Sleep(100);
        }
        return process.Output;
    }
}
