using Fast.Core.Primitives;
using Fast.CrashHost;
using Fast.Storage.Accounts;
using Fast.Testing;
using Xunit;

namespace Fast.Storage.Tests.Accounts;

/// <summary>Background checkpoints: what they hold (the owner index included), how they recover, and kill -9 while they are written.</summary>
public class AccountsDbCheckpointTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static AccountsDbOptions Options(string directory) => AccountsDbTests.SmallOptions(directory);

    [Fact]
    public void A_background_checkpoint_holds_the_root_written_before_it_and_nothing_written_after_even_once_that_reaches_the_disk()
    {
        using TempDir dir = new();
        using (var db = AccountsDb.Open(Options(dir.Path)))
        {
            WriteRoot(db, 1, accounts: 500);
            db.Checkpoint();
            WriteRoot(db, 2, accounts: 500);
            Assert.True(db.TryBeginCheckpoint());
            Assert.False(db.TryBeginCheckpoint() && db.CheckpointInProgress); // one at a time
            WriteRoot(db, 3, accounts: 500); // while the checkpoint of root 2 is being written
            db.WaitForCheckpoint();
            Assert.Equal(2UL, db.LastCheckpoint!.Value.Slot);
            for (ulong slot = 4; slot < 200; slot++) WriteRoot(db, slot, accounts: 500); // ~9 MB: past the 4 MiB in memory, so on disk
        }
        using (var db = AccountsDb.Open(Options(dir.Path)))
        {
            Assert.Equal(2UL, db.Recovered!.Slot);
            AssertRoot(db, 2, accounts: 500);
        }
    }

    [Fact]
    public void Log_only_checkpoints_after_an_index_checkpoint_recover_the_latest_root_with_its_deletions()
    {
        using TempDir dir = new();
        List<bool> withIndex = [];
        using (var db = AccountsDb.Open(Options(dir.Path)))
        {
            for (ulong slot = 1; slot <= 40; slot++)
            {
                WriteRoot(db, slot, accounts: 300);
                Assert.True(db.TryBeginCheckpoint());
                db.WaitForCheckpoint();
                withIndex.Add(db.LastCheckpoint!.Value.WithIndex);
            }
        }
        // The first checkpoint after open has the index; then only when the log grew by the index size (1 MiB here).
        Assert.True(withIndex[0]);
        Assert.False(withIndex[1]);
        Assert.InRange(withIndex.Count(w => w), 2, 20);
        output.WriteLine($"{withIndex.Count(w => w)} of {withIndex.Count} checkpoints had the index");
        using (var db = AccountsDb.Open(Options(dir.Path)))
        {
            Assert.Equal(40UL, db.Recovered!.Slot);
            AssertRoot(db, 40, accounts: 300);
            // And it goes on from there: more log-only checkpoints on top of the recovered store.
            WriteRoot(db, 41, accounts: 300);
            Assert.True(db.TryBeginCheckpoint());
            db.WaitForCheckpoint();
        }
        using (var db = AccountsDb.Open(Options(dir.Path)))
        {
            Assert.Equal(41UL, db.Recovered!.Slot);
            AssertRoot(db, 41, accounts: 300);
        }
    }

    [Fact]
    public void Kill_9_while_background_checkpoints_and_compactions_run_recovers_a_whole_root_at_or_after_the_last_durable_one()
    {
        using TempDir dir = new("fast-crash-checkpoints");
        ulong previousRoot = 0;
        int compactions = 0;
        for (int round = 0; round < 4; round++)
        {
            ulong durable = 0;
            int reports = 0;
            using (var host = CrashHostProcess.Start("accounts", dir.Path))
            {
                int wanted = 3 + Random.Shared.Next(8);
                while (reports < wanted)
                {
                    string line = host.ReadLine(TimeSpan.FromSeconds(60)) ?? throw new Xunit.Sdk.XunitException($"crash host stopped: {host.StandardError}");
                    if (Observe(line, ref durable, ref compactions)) reports++;
                }
                Thread.Sleep(Random.Shared.Next(0, 20));
                foreach (string line in host.KillAndDrain()) Observe(line, ref durable, ref compactions);
            }
            using var db = AccountsDb.Open(CheckpointScenario.Options(dir.Path));
            ulong root = db.Recovered!.Slot;
            output.WriteLine($"round {round}: last reported durable {durable}, recovered root {root}");
            Assert.True(root >= durable, $"recovered root {root} is older than the checkpoint of {durable} reported durable");
            Assert.True(root > previousRoot);
            byte[] state = new byte[CheckpointScenario.StateLength];
            CheckpointScenario.State(root, state);
            Assert.Equal(state, db.Recovered.State);
            for (int i = 0; i < CheckpointScenario.Accounts; i++)
            {
                Account account = db.Read(CheckpointScenario.Key(i));
                Assert.Equal(CheckpointScenario.Lamports(root, i), account.Lamports);
                if (account.Exists) Assert.Equal(CheckpointScenario.Data(root, i), account.Data.ToArray());
            }
            // The owner index recovered with the same checkpoint: exactly the program's live accounts of that root, in key order.
            List<Pubkey> owned = [];
            db.ReadOwnedKeys(CheckpointScenario.Program, owned);
            List<Pubkey> expected = [.. Enumerable.Range(0, CheckpointScenario.Accounts)
                .Where(i => CheckpointScenario.Owner(i) == CheckpointScenario.Program && CheckpointScenario.Lamports(root, i) != 0)
                .Select(CheckpointScenario.Key).Order()];
            Assert.Equal(expected, owned);
            previousRoot = root;
        }
        output.WriteLine($"{compactions} compaction slices ran between the kills");
        Assert.True(compactions > 0, "the crash host never compacted: the kills did not exercise compaction");
    }

    /// <summary>A crash host line: "checkpoint SLOT" (true, sets <paramref name="durable"/>) or "compacted SCANNED COPIED".</summary>
    private static bool Observe(string line, ref ulong durable, ref int compactions)
    {
        string[] parts = line.Split(' ');
        if (parts[0] == "compacted")
        {
            compactions++;
            return false;
        }
        durable = ulong.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        return true;
    }

    internal static ulong Lamports(ulong slot, int i) => (i + (int)slot) % 5 == 0 ? 0 : slot * 1000 + (ulong)i + 1;

    internal static void WriteRoot(AccountsDb db, ulong slot, int accounts)
    {
        for (int i = 0; i < accounts; i++) db.Write(AccountsDbTests.Key(i), Lamports(slot, i), Pubkey.Zero, false, new byte[(i + (int)slot) % 9]);
        db.WriteRoot(slot, [(byte)slot, (byte)(slot >> 8)]);
    }

    internal static void AssertRoot(AccountsDb db, ulong slot, int accounts)
    {
        Assert.Equal([(byte)slot, (byte)(slot >> 8)], db.Recovered!.State);
        for (int i = 0; i < accounts; i++)
        {
            Account account = db.Read(AccountsDbTests.Key(i));
            Assert.Equal(Lamports(slot, i), account.Lamports);
            if (account.Exists) Assert.Equal((i + (int)slot) % 9, account.DataLength);
        }
        Assert.Equal(Enumerable.Range(0, accounts).Count(i => Lamports(slot, i) != 0), db.ReadAll().Count);
    }
}
