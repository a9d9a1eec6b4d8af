using Fast.Storage.Blocks;
using Fast.Testing;
using Xunit;

namespace Fast.Storage.Tests.Blocks;

/// <summary>
/// The Blockstore's commit records under a full disk and a failing write: a commit that cannot write its
/// record fails loudly and leaves the previous record, so the store reopens at the last durable commit;
/// a record that is damaged (not merely never written) still stops the open.
/// </summary>
public class BlockstoreCommitRecordTests
{
    private const int SlotBytes = 3000;

    [TmpfsFact]
    public void A_commit_whose_record_meets_a_full_disk_fails_and_the_store_reopens_at_the_previous_commit_with_all_its_entries()
    {
        using TempDir dir = new("fast-blockstore-full");
        string mount = dir.File("mnt");
        Directory.CreateDirectory(mount);
        using Tmpfs.Mount tmpfs = Tmpfs.MountAt(mount, "16m");
        BlockstoreOptions options = BlockstoreTests.SmallOptions(Path.Combine(mount, "blocks"));
        string logFile = Path.Combine(options.Directory, "fasterlog.log.0");
        ulong durable = 0;
        using (var store = Blockstore.Open(options))
        {
            // Committed slots until the log file ends inside a 4 KiB tmpfs page: the next small flush then
            // rewrites pages the file already has, and only the new commit record needs space.
            do
            {
                durable++;
                Assert.Equal(AppendStatus.Ok, store.AppendEntries(durable, durable - 1, 2, BlockstoreTests.Bytes(durable, 0, SlotBytes), slotComplete: true));
            }
            while (new FileInfo(logFile).Length % 4096 == 0 || durable < 5);
            string previous = Assert.Single(CommitRecords(options));

            string filler = Path.Combine(mount, "filler");
            Assert.True(Tmpfs.FillUntilFull(filler) > 0);
            StorageException failure = Assert.Throws<StorageException>(() => store.AppendEntries(durable + 1, durable, 1, [1, 2, 3], slotComplete: true));
            Assert.Contains("commit record", failure.Message);
            Assert.Contains(options.Directory, failure.Message);
            Assert.Contains("No space left on device", failure.Message);
            Assert.Throws<StorageException>(store.Commit); // every later commit fails too: nothing more is written
            Assert.Equal([previous], CommitRecords(options)); // the previous record is still there, and no partial one
            File.Delete(filler);
        }

        using var reopened = Blockstore.Open(options);
        Assert.Equal(Enumerable.Range(1, (int)durable).Select(s => (ulong)s), reopened.Slots());
        for (ulong slot = 1; slot <= durable; slot++)
        {
            Assert.Equal(BlockstoreTests.Bytes(slot, 0, SlotBytes), reopened.ReadSlotEntries(slot));
        }
        Assert.False(reopened.TryGetSlotMeta(durable + 1, out _)); // never reported durable
        Assert.Equal(AppendStatus.Ok, reopened.AppendEntries(durable + 1, durable, 1, [4, 5, 6], slotComplete: true));
        Assert.Single(CommitRecords(options)); // a durable commit replaces the previous record
    }

    [Fact]
    public void A_commit_record_that_cannot_be_written_fails_this_and_every_later_commit_and_keeps_the_previous_record()
    {
        using TempDir dir = new("fast-blockstore-commit-fails");
        BlockstoreOptions options = BlockstoreTests.SmallOptions(dir.Path) with { CommitPolicy = BlockstoreCommitPolicy.Manual };
        using (var store = Blockstore.Open(options))
        {
            for (ulong slot = 1; slot <= 3; slot++) store.AppendEntries(slot, slot - 1, 1, BlockstoreTests.Bytes(slot, 0, SlotBytes), slotComplete: true);
            store.Commit();
            string previous = Assert.Single(CommitRecords(options));
            // The next record's temporary file cannot be created (a folder is in its way): a failing write, injected.
            long number = long.Parse(Path.GetFileName(previous).Split('.')[1], System.Globalization.CultureInfo.InvariantCulture);
            Directory.CreateDirectory(Path.Combine(options.Directory, "log-commits", $"commit.{number + 1}.0.tmp"));

            store.AppendEntries(4, 3, 1, BlockstoreTests.Bytes(4, 0, SlotBytes), slotComplete: true);
            StorageException failure = Assert.Throws<StorageException>(store.Commit);
            Assert.Contains($"commit.{number + 1}.0", failure.Message);
            Assert.Throws<StorageException>(store.Commit);
            Assert.Equal([previous], CommitRecords(options));
            Directory.Delete(Path.Combine(options.Directory, "log-commits", $"commit.{number + 1}.0.tmp"));
        }

        using var reopened = Blockstore.Open(options);
        Assert.Equal([1UL, 2, 3], reopened.Slots());
        Assert.Equal(BlockstoreTests.Bytes(3, 0, SlotBytes), reopened.ReadSlotEntries(3));
    }

    [Fact]
    public void An_empty_newest_commit_record_is_an_interrupted_commit_and_the_store_opens_at_the_one_before()
    {
        using TempDir dir = new("fast-blockstore-empty-commit");
        BlockstoreOptions options = BlockstoreTests.SmallOptions(dir.Path) with { CommitPolicy = BlockstoreCommitPolicy.Manual };
        string record = WriteSlotsAndCommit(options, 3);
        // What FASTER's own commit manager left behind when the disk filled: the next record created, empty.
        File.WriteAllBytes(NextRecord(record), []);

        using var reopened = Blockstore.Open(options);
        Assert.Equal([1UL, 2, 3], reopened.Slots());
        Assert.Equal(BlockstoreTests.Bytes(2, 0, SlotBytes), reopened.ReadSlotEntries(2));
    }

    [Fact]
    public void A_temporary_record_left_by_a_crash_is_ignored_on_open_and_removed_by_the_next_durable_commit()
    {
        using TempDir dir = new("fast-blockstore-temporary-commit");
        BlockstoreOptions options = BlockstoreTests.SmallOptions(dir.Path) with { CommitPolicy = BlockstoreCommitPolicy.Manual };
        string record = WriteSlotsAndCommit(options, 3);
        string temporary = NextRecord(record) + ".tmp";
        File.WriteAllBytes(temporary, File.ReadAllBytes(record)[..10]); // kill -9 in the middle of writing the next record

        using var reopened = Blockstore.Open(options);
        Assert.Equal([1UL, 2, 3], reopened.Slots());
        reopened.AppendEntries(4, 3, 1, BlockstoreTests.Bytes(4, 0, SlotBytes), slotComplete: true);
        reopened.Commit();
        Assert.Equal([NextRecord(record)], CommitRecords(options));
    }

    [Fact]
    public void A_truncated_newest_commit_record_is_damage_that_names_the_file_even_with_an_older_record_present()
    {
        using TempDir dir = new("fast-blockstore-torn-commit");
        BlockstoreOptions options = BlockstoreTests.SmallOptions(dir.Path) with { CommitPolicy = BlockstoreCommitPolicy.Manual };
        string record = WriteSlotsAndCommit(options, 3);
        string next = NextRecord(record);
        File.Copy(record, next);
        byte[] bytes = File.ReadAllBytes(next);
        File.WriteAllBytes(next, bytes[..(bytes.Length / 2)]); // a record cut short: never what our writes leave

        LedgerDamagedException damaged = Assert.Throws<LedgerDamagedException>(() => Blockstore.Open(options));
        Assert.Equal(next, damaged.Path);
        Assert.True(File.Exists(record), "the older record must not be deleted by a refused open");
        Assert.Equal(bytes.Length / 2, new FileInfo(next).Length);
    }

    [Fact]
    public void Log_data_with_only_an_empty_commit_record_is_damage_that_names_the_commit_folder()
    {
        using TempDir dir = new("fast-blockstore-no-commit");
        BlockstoreOptions options = BlockstoreTests.SmallOptions(dir.Path) with { CommitPolicy = BlockstoreCommitPolicy.Manual };
        string record = WriteSlotsAndCommit(options, 3);
        File.WriteAllBytes(record, []);

        LedgerDamagedException damaged = Assert.Throws<LedgerDamagedException>(() => Blockstore.Open(options));
        Assert.Equal(Path.Combine(options.Directory, "log-commits"), damaged.Path);
        Assert.Contains("no commit record", damaged.Reason);
    }

    private static string WriteSlotsAndCommit(BlockstoreOptions options, int slots)
    {
        using var store = Blockstore.Open(options);
        for (ulong slot = 1; slot <= (ulong)slots; slot++) store.AppendEntries(slot, slot - 1, 1, BlockstoreTests.Bytes(slot, 0, SlotBytes), slotComplete: true);
        store.Commit();
        return Assert.Single(CommitRecords(options));
    }

    private static string NextRecord(string record)
    {
        long number = long.Parse(Path.GetFileName(record).Split('.')[1], System.Globalization.CultureInfo.InvariantCulture);
        return Path.Combine(Path.GetDirectoryName(record)!, $"commit.{number + 1}.0");
    }

    private static string[] CommitRecords(BlockstoreOptions options)
    {
        string[] files = Directory.GetFiles(Path.Combine(options.Directory, "log-commits"));
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }
}
