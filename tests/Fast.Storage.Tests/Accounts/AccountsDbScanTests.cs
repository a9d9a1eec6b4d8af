using Fast.Core.Primitives;
using Fast.Storage.Accounts;
using Fast.Testing;
using Xunit;

namespace Fast.Storage.Tests.Accounts;

/// <summary>AccountsDb.ScanLamports: the streaming walk behind getLargestAccounts, alone and beside the owner's writes and compaction.</summary>
public class AccountsDbScanTests
{
    private static AccountsDbOptions Options(string directory) => AccountsDbTests.SmallOptions(directory) with
    {
        SegmentBytes = 1L << 20,
        CompactAboveBytes = 2L << 20,
        CompactionSliceBytes = 1L << 20,
    };

    [Fact]
    public void The_last_version_a_scan_sees_of_a_live_account_is_its_current_balance_and_tombstones_are_skipped()
    {
        using TempDir dir = new();
        using var db = AccountsDb.Open(Options(dir.Path));
        // ~6 MiB of records in a 4 MiB memory: the oldest pages are on disk, so the scan reads both.
        for (int i = 0; i < 3000; i++) db.Write(AccountsDbTests.Key(i), 1_000 + (ulong)i, Pubkey.Zero, false, new byte[2000]);
        for (int i = 0; i < 3000; i += 3) db.Write(AccountsDbTests.Key(i), 5 + (ulong)i, Pubkey.Zero, false, new byte[2000]); // rewritten
        for (int i = 1; i < 3000; i += 10) db.Write(AccountsDbTests.Key(i), 0, Pubkey.Zero, false, []);                    // deleted
        db.WriteRoot(1, []);

        Dictionary<Pubkey, ulong> last = [];
        long visited = db.ScanLamports((key, lamports) =>
        {
            last[key] = lamports;
            return true;
        });
        Assert.InRange(visited, last.Count, 3000 + 1000 + 300);
        for (int i = 0; i < 3000; i++)
        {
            Account current = db.Read(AccountsDbTests.Key(i));
            if (!current.Exists) continue; // a deleted account's older versions may still be seen: the caller re-reads
            Assert.Equal(current.Lamports, last[AccountsDbTests.Key(i)]);
        }
        Assert.DoesNotContain(0UL, last.Values); // the root record and the tombstones are never handed out
    }

    [Fact]
    public void A_scan_overtaken_by_compaction_resumes_from_the_new_begin_and_still_sees_every_account()
    {
        using TempDir dir = new();
        using var db = AccountsDb.Open(Options(dir.Path));
        const int Accounts = 3000;
        for (int i = 0; i < Accounts; i++) db.Write(AccountsDbTests.Key(i), 1_000_000 + (ulong)i, Pubkey.Zero, false, new byte[1000]); // ~3 MiB: several pages
        db.WriteRoot(1, []);
        db.Checkpoint(); // fold-over: the whole log is read-only, so compactable
        long beginBefore = db.LogBeginAddress;

        HashSet<Pubkey> seen = [];
        bool compacted = false;
        db.ScanLamports((key, lamports) =>
        {
            seen.Add(key);
            if (!compacted)
            {
                // The owner compacts two slices from the begin while the scan stands on the first record:
                // the log's begin moves past the scan, and the slices' accounts move to the tail.
                compacted = db.TryCompact(2L << 20, out CompactionReport report) && report.CopiedBytes > 0;
            }
            return true;
        });
        Assert.True(compacted, "the test did not compact under the scan");
        Assert.True(db.LogBeginAddress > beginBefore);
        Assert.Equal(Accounts, seen.Count);
    }

    [Fact]
    public void A_visitor_that_returns_false_stops_the_scan()
    {
        using TempDir dir = new();
        using var db = AccountsDb.Open(Options(dir.Path));
        for (int i = 0; i < 100; i++) db.Write(AccountsDbTests.Key(i), 1 + (ulong)i, Pubkey.Zero, false, []);
        int seen = 0;
        Assert.Equal(10, db.ScanLamports((_, _) => ++seen < 10));
        Assert.Equal(10, seen);
    }

    [Fact]
    public void A_scan_beside_the_owners_writes_and_compaction_sees_every_account_the_owner_left_alone()
    {
        using TempDir dir = new();
        using var db = AccountsDb.Open(Options(dir.Path));
        const int Stable = 2000;
        for (int i = 0; i < Stable; i++) db.Write(AccountsDbTests.Key(i), 1_000_000 + (ulong)i, Pubkey.Zero, false, new byte[500]);
        db.WriteRoot(1, []);
        db.Checkpoint();

        using CancellationTokenSource stop = new();
        int compactions = 0;
        Thread owner = new(() =>
        {
            // Churn other accounts, root, checkpoint and compact until the scans are done.
            for (ulong slot = 2; !stop.IsCancellationRequested; slot++)
            {
                for (int i = 0; i < 200; i++) db.Write(AccountsDbTests.Key(100_000 + i), slot, Pubkey.Zero, false, new byte[1000]);
                db.WriteRoot(slot, []);
                if (slot % 8 == 0) db.Checkpoint();
                if (db.MaybeCompact(out _)) compactions++;
            }
        });
        owner.Start();
        try
        {
            for (int pass = 0; pass < 5; pass++)
            {
                HashSet<Pubkey> seen = [];
                db.ScanLamports((key, lamports) =>
                {
                    if (lamports >= 1_000_000) seen.Add(key);
                    return true;
                });
                Assert.Equal(Stable, seen.Count);
            }
        }
        finally
        {
            stop.Cancel();
            owner.Join();
        }
        for (int i = 0; i < Stable; i++) Assert.Equal(1_000_000 + (ulong)i, db.Read(AccountsDbTests.Key(i)).Lamports);
    }
}
