using Fast.Core.Primitives;
using Fast.Storage.Accounts;
using Fast.Testing;
using Xunit;

namespace Fast.Storage.Tests.Accounts;

/// <summary>The owner index of the rooted store: sorted, exact across adds, deletions and chunk splits, and recovered with its checkpoint.</summary>
public class OwnerIndexTests
{
    private static readonly Pubkey ProgramA = AccountsDbTests.Key(1_000_001);
    private static readonly Pubkey ProgramB = AccountsDbTests.Key(1_000_002);

    private static List<Pubkey> Owned(AccountsDb db, Pubkey owner)
    {
        List<Pubkey> keys = [];
        db.ReadOwnedKeys(owner, keys);
        return keys;
    }

    [Fact]
    public void Accounts_owned_by_a_program_read_back_in_pubkey_order_across_many_chunks()
    {
        using TempDir dir = new();
        using var db = AccountsDb.Open(AccountsDbTests.SmallOptions(dir.Path));
        List<Pubkey> expected = [];
        for (int i = 0; i < 1000; i++)
        {
            Pubkey key = AccountsDbTests.Key(i);
            Pubkey owner = i % 3 == 0 ? ProgramB : i % 3 == 1 ? ProgramA : Pubkey.Zero;
            db.Write(key, 10, owner, false, [1, 2, 3]);
            if (owner == ProgramA) expected.Add(key);
            if (i % 100 == 99) db.FlushOwnerIndex(); // several batches: chunks split as they fill
        }
        db.FlushOwnerIndex();
        expected.Sort();
        Assert.Equal(expected, Owned(db, ProgramA));
        Assert.Equal(334, Owned(db, ProgramB).Count);
        Assert.True(expected.Count > 2 * AccountsDb.MaxChunkKeys);
    }

    [Fact]
    public void A_deleted_account_leaves_its_owners_index_and_a_recreated_one_returns()
    {
        using TempDir dir = new();
        using var db = AccountsDb.Open(AccountsDbTests.SmallOptions(dir.Path));
        for (int i = 0; i < 300; i++) db.Write(AccountsDbTests.Key(i), 5, ProgramA, false, []);
        db.FlushOwnerIndex();
        for (int i = 0; i < 300; i += 2) db.Write(AccountsDbTests.Key(i), 0, Pubkey.Zero, false, []); // deletion resets the owner: the index reads it from the record
        db.Write(AccountsDbTests.Key(1), 0, Pubkey.Zero, false, []);
        db.Write(AccountsDbTests.Key(1), 9, ProgramA, false, []); // deleted and recreated before the flush: the last change wins
        db.FlushOwnerIndex();
        List<Pubkey> expected = [];
        for (int i = 1; i < 300; i += 2) expected.Add(AccountsDbTests.Key(i));
        expected.Sort();
        Assert.Equal(expected, Owned(db, ProgramA));
        for (int i = 1; i < 300; i += 2) db.Write(AccountsDbTests.Key(i), 0, Pubkey.Zero, false, []);
        db.FlushOwnerIndex();
        Assert.Empty(Owned(db, ProgramA));
    }

    [Fact]
    public void The_index_recovers_with_its_checkpoint_and_later_unflushed_changes_are_not_in_it()
    {
        using TempDir dir = new();
        List<Pubkey> expected = [];
        using (var db = AccountsDb.Open(AccountsDbTests.SmallOptions(dir.Path)))
        {
            for (int i = 0; i < 400; i++)
            {
                db.Write(AccountsDbTests.Key(i), 5, ProgramA, false, []);
                expected.Add(AccountsDbTests.Key(i));
            }
            db.WriteRoot(1, [1]);
            db.Checkpoint();
            for (int i = 400; i < 500; i++) db.Write(AccountsDbTests.Key(i), 5, ProgramA, false, []);
            db.WriteRoot(2, [2]); // not checkpointed: lost on reopen, with its index changes
        }
        expected.Sort();
        using (var db = AccountsDb.Open(AccountsDbTests.SmallOptions(dir.Path)))
        {
            Assert.Equal(1UL, db.Recovered!.Slot);
            Assert.Equal(expected, Owned(db, ProgramA));
            Assert.Equal(0, db.OwnerIndexRecordsWritten); // recovered, not rebuilt
        }
    }

    [Fact]
    public void A_store_written_without_the_index_is_indexed_once_when_it_opens()
    {
        using TempDir dir = new();
        using (var db = AccountsDb.Open(AccountsDbTests.SmallOptions(dir.Path)))
        {
            for (int i = 0; i < 200; i++) db.Write(AccountsDbTests.Key(i), 5, i < 150 ? ProgramA : ProgramB, false, []);
            db.WriteRoot(1, [1]);
            db.Checkpoint();
        }
        // Remove every index record, as an old store would be: the marker and all directories and chunks.
        using (var db = AccountsDb.Open(AccountsDbTests.SmallOptions(dir.Path)))
        {
            db.DropOwnerIndexForTests();
            db.WriteRoot(2, [2]);
            db.Checkpoint();
        }
        using (var db = AccountsDb.Open(AccountsDbTests.SmallOptions(dir.Path)))
        {
            Assert.True(db.OwnerIndexRecordsWritten > 0);
            Assert.Equal(150, Owned(db, ProgramA).Count);
            Assert.Equal(50, Owned(db, ProgramB).Count);
        }
    }

    [Fact]
    public void A_chunk_that_fails_its_checksum_is_reported_as_damage_not_read_as_empty()
    {
        using TempDir dir = new();
        using var db = AccountsDb.Open(AccountsDbTests.SmallOptions(dir.Path));
        for (int i = 0; i < 10; i++) db.Write(AccountsDbTests.Key(i), 5, ProgramA, false, []);
        db.FlushOwnerIndex();
        db.CorruptFirstOwnerIndexChunkForTests(ProgramA);
        LedgerDamagedException e = Assert.Throws<LedgerDamagedException>(() => Owned(db, ProgramA));
        Assert.Contains("checksum", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Asking_for_the_system_programs_accounts_is_refused()
    {
        using TempDir dir = new();
        using var db = AccountsDb.Open(AccountsDbTests.SmallOptions(dir.Path));
        Assert.Throws<ArgumentException>(() => Owned(db, Pubkey.Zero));
    }
}
