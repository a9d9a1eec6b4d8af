using Fast.Core.Primitives;
using Fast.Storage.Accounts;
using Fast.Testing;
using Xunit;

namespace Fast.Storage.Tests.Accounts;

/// <summary>Compaction of the accounts log: what survives it, what it gives back, and its policy.</summary>
public class AccountsDbCompactionTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static AccountsDbOptions Options(string directory) => AccountsDbTests.SmallOptions(directory) with
    {
        SegmentBytes = 1L << 20,
        CompactAboveBytes = 4L << 20,
        CompactionSliceBytes = 1L << 20,
    };

    [Fact]
    public void Compaction_keeps_every_current_account_drops_the_old_versions_and_gives_the_files_back_after_a_checkpoint()
    {
        using TempDir dir = new();
        long logBefore, filesBefore;
        int slices = 0;
        using (var db = AccountsDb.Open(Options(dir.Path)))
        {
            for (int i = 0; i < ColdAccounts; i++) db.Write(ColdKey(i), 77 + (ulong)i, Pubkey.Zero, false, new byte[i % 30]); // written once: compaction must carry them
            for (ulong slot = 1; slot <= 120; slot++) WriteRoot(db, slot); // 400 accounts rewritten 120 times: mostly old versions
            db.Checkpoint(); // fold-over: the whole log is read-only now, so compactable
            logBefore = db.LogBytes;
            filesBefore = LogFiles(dir.Path);
            while (db.MaybeCompact(out CompactionReport report))
            {
                slices++;
                Assert.InRange(report.CopiedBytes, 0, report.ScannedBytes);
            }
            Assert.True(slices > 0, "the policy never compacted a log above its threshold");
            Assert.True(db.CompactionCopiedBytes > 0, "the accounts written once were not copied forward");
            db.Checkpoint(); // persists the new begin, then truncates the files below it (the device deletes them in the background)
            Wait.Until(() => LogFiles(dir.Path) < filesBefore);
            output.WriteLine($"{slices} slices; log {logBefore >> 10} KiB -> {db.LogBytes >> 10} KiB; files {filesBefore} -> {LogFiles(dir.Path)}; copied {db.CompactionCopiedBytes >> 10} of {db.CompactedBytes >> 10} KiB scanned");
            Assert.True(db.LogBytes < logBefore / 2, $"log {db.LogBytes} of {logBefore}");
            Assert.True(LogFiles(dir.Path) < filesBefore, "no log file was deleted");
            AssertRoot(db, 120);
        }
        using (var db = AccountsDb.Open(Options(dir.Path)))
        {
            Assert.Equal(120UL, db.Recovered!.Slot);
            AssertRoot(db, 120);
            Assert.False(db.MaybeCompact(out _)); // the log is within twice what the pass left
        }
    }

    [Fact]
    public void Nothing_compacts_below_the_threshold_or_while_a_checkpoint_is_written_or_when_disabled()
    {
        using TempDir dir = new();
        using (var db = AccountsDb.Open(Options(dir.Path)))
        {
            WriteRoot(db, 1);
            db.Checkpoint();
            Assert.False(db.MaybeCompact(out _)); // ~30 KB of log
            for (ulong slot = 2; slot <= 120; slot++) WriteRoot(db, slot);
            Assert.True(db.TryBeginCheckpoint());
            Assert.False(db.TryCompact(1L << 20, out _) && db.CheckpointInProgress);
            db.WaitForCheckpoint();
        }
        using (var db = AccountsDb.Open(Options(dir.Path) with { CompactAboveBytes = 0 }))
        {
            Assert.False(db.MaybeCompact(out _));
        }
    }

    private const int ColdAccounts = 50;

    private static Pubkey ColdKey(int i) => AccountsDbTests.Key(100_000 + i);

    private static ulong Lamports(ulong slot, int i) => (i + (int)slot) % 7 == 0 ? 0 : slot * 1000 + (ulong)i + 1;

    private static void WriteRoot(AccountsDb db, ulong slot)
    {
        for (int i = 0; i < 400; i++) db.Write(AccountsDbTests.Key(i), Lamports(slot, i), Pubkey.Zero, false, new byte[(i + (int)slot) % 50]);
        db.WriteRoot(slot, [(byte)slot]);
    }

    private static void AssertRoot(AccountsDb db, ulong slot)
    {
        for (int i = 0; i < 400; i++)
        {
            Account account = db.Read(AccountsDbTests.Key(i));
            Assert.Equal(Lamports(slot, i), account.Lamports);
            if (account.Exists) Assert.Equal((i + (int)slot) % 50, account.DataLength);
        }
        for (int i = 0; i < ColdAccounts; i++)
        {
            Account cold = db.Read(ColdKey(i));
            Assert.Equal(77 + (ulong)i, cold.Lamports);
            Assert.Equal(i % 30, cold.DataLength);
        }
        Assert.Equal(Enumerable.Range(0, 400).Count(i => Lamports(slot, i) != 0) + ColdAccounts, db.ReadAll().Count);
    }

    private static long LogFiles(string directory) => System.IO.Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Count(f => Path.GetFileName(f).Contains("log", StringComparison.OrdinalIgnoreCase) && !f.Contains("checkpoint", StringComparison.OrdinalIgnoreCase));
}
