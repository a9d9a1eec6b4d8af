using Fast.Core.Primitives;
using Fast.Storage.Accounts;
using Fast.Testing;
using Xunit;

namespace Fast.Storage.Tests.Accounts;

/// <summary>
/// An accounts checkpoint that meets a full disk: it fails loudly, the checkpoint before it stays on disk,
/// and the store reopens at that one with its accounts (FASTER alone reports such a checkpoint done, and
/// the store then deleted its only usable checkpoint).
/// </summary>
public class AccountsDbFullDiskTests
{
    private const int Accounts = 300;

    [TmpfsFact]
    public void A_checkpoint_whose_metadata_meets_a_full_disk_fails_and_the_store_reopens_at_the_previous_checkpoint_with_its_accounts()
    {
        using TempDir dir = new("fast-accounts-full");
        using Tmpfs.Mount tmpfs = MountSmallDisk(dir, out AccountsDbOptions options);
        string logCheckpoints = Path.Combine(options.Directory, "checkpoints", "cpr-checkpoints");
        ulong durable;
        using (var db = AccountsDb.Open(options))
        {
            durable = CheckpointUntilTheLogEndsInsideAPage(db, options);
            string previous = Assert.Single(Directory.GetDirectories(logCheckpoints));

            string filler = Path.Combine(tmpfs.Path, "filler");
            Assert.True(Tmpfs.FillUntilFull(filler) > 0);
            WriteSmallRoot(db, durable + 1);
            Assert.True(db.TryBeginCheckpoint());
            StorageException failure = Assert.Throws<StorageException>(db.WaitForCheckpoint);
            Assert.Contains("info.dat.0", failure.Message);
            Assert.Contains("No space left on device", failure.Message);
            Assert.Contains(previous, Directory.GetDirectories(logCheckpoints)); // kept: the failed one is not durable
            File.Delete(filler);
        }

        using (var db = AccountsDb.Open(options))
        {
            AssertRecoveredAt(db, durable);
            // And it goes on: the next checkpoint is durable and replaces both folders left behind.
            WriteSmallRoot(db, durable + 1);
            Assert.True(db.TryBeginCheckpoint());
            db.WaitForCheckpoint();
            Assert.Single(Directory.GetDirectories(logCheckpoints));
        }
        using (var db = AccountsDb.Open(options))
        {
            Assert.Equal(durable + 1, db.Recovered!.Slot);
        }
    }

    [TmpfsFact]
    public void A_checkpoint_whose_hash_table_meets_a_full_disk_fails_and_the_store_reopens_at_the_previous_checkpoint()
    {
        using TempDir dir = new("fast-accounts-full-index");
        using Tmpfs.Mount tmpfs = MountSmallDisk(dir, out AccountsDbOptions options);
        ulong durable;
        using (var db = AccountsDb.Open(options))
        {
            durable = CheckpointUntilTheLogEndsInsideAPage(db, options);
            string filler = Path.Combine(tmpfs.Path, "filler");
            Assert.True(Tmpfs.FillUntilFull(filler) > 0);
            WriteSmallRoot(db, durable + 1);
            // A full checkpoint writes the hash index (1 MiB here) first: FASTER only logs that write's error.
            StorageException failure = Assert.Throws<StorageException>(() => db.Checkpoint());
            Assert.Contains("ht.dat", failure.Message);
            File.Delete(filler);
        }
        using (var db = AccountsDb.Open(options))
        {
            AssertRecoveredAt(db, durable);
        }
    }

    private static Tmpfs.Mount MountSmallDisk(TempDir dir, out AccountsDbOptions options)
    {
        string mount = dir.File("mnt");
        Directory.CreateDirectory(mount);
        options = AccountsDbTests.SmallOptions(Path.Combine(mount, "accounts")) with { CheckpointTimeout = TimeSpan.FromSeconds(30) };
        return Tmpfs.MountAt(mount, "32m");
    }

    /// <summary>
    /// Root 1 with <see cref="Accounts"/> accounts and a full checkpoint, then small roots with log-only
    /// checkpoints until the log file ends inside a 4 KiB tmpfs page: the next checkpoint's flush then
    /// rewrites pages the file already has, and only its new files need space. Returns the last durable root.
    /// </summary>
    private static ulong CheckpointUntilTheLogEndsInsideAPage(AccountsDb db, AccountsDbOptions options)
    {
        string hlog = Path.Combine(options.Directory, "hlog.log.0");
        ulong durable = 1;
        AccountsDbCheckpointTests.WriteRoot(db, durable, Accounts);
        db.Checkpoint();
        while (new FileInfo(hlog).Length % 4096 == 0 || durable < 3)
        {
            WriteSmallRoot(db, ++durable);
            Assert.True(db.TryBeginCheckpoint());
            db.WaitForCheckpoint();
            Assert.False(db.LastCheckpoint!.Value.WithIndex);
        }
        return durable;
    }

    private static void AssertRecoveredAt(AccountsDb db, ulong durable)
    {
        Assert.Equal(durable, db.Recovered!.Slot);
        Assert.Equal([(byte)durable], db.Recovered!.State);
        Assert.Equal(durable * 10, db.Read(AccountsDbTests.Key(0)).Lamports);
        for (int i = 1; i < Accounts; i++) Assert.Equal(AccountsDbCheckpointTests.Lamports(1, i), db.Read(AccountsDbTests.Key(i)).Lamports);
    }

    /// <summary>One account and the root record: a few hundred bytes of log.</summary>
    private static void WriteSmallRoot(AccountsDb db, ulong slot)
    {
        db.Write(AccountsDbTests.Key(0), slot * 10, Pubkey.Zero, false, []);
        db.WriteRoot(slot, [(byte)slot]);
    }
}
