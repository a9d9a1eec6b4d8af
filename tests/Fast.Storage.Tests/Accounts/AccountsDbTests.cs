using Fast.Core.Primitives;
using Fast.Storage.Accounts;
using Fast.Testing;
using Xunit;

namespace Fast.Storage.Tests.Accounts;

public class AccountsDbTests
{
    internal static AccountsDbOptions SmallOptions(string directory) => new()
    {
        Directory = directory,
        IndexBytes = 1L << 20,
        PageBytes = 1L << 20,
        MemoryBytes = 4L << 20,
        SegmentBytes = 16L << 20,
    };

    internal static Pubkey Key(int i)
    {
        byte[] bytes = new byte[32];
        new Random(i).NextBytes(bytes);
        return new Pubkey(bytes);
    }

    [Fact]
    public void A_written_account_reads_back_with_its_owner_flags_and_data()
    {
        using TempDir dir = new();
        using var db = AccountsDb.Open(SmallOptions(dir.Path));
        byte[] data = new byte[3000];
        new Random(1).NextBytes(data);
        db.Write(Key(1), 42, Key(2), executable: true, data);
        db.Write(Key(3), 7, Pubkey.Zero, executable: false, []);

        Account first = db.Read(Key(1));
        Assert.Equal(42UL, first.Lamports);
        Assert.Equal(Key(2), first.Owner);
        Assert.True(first.Executable);
        Assert.True(first.Data.SequenceEqual(data));
        Assert.Equal(new Account(7, Pubkey.Zero, false, null), db.Read(Key(3)));
    }

    [Fact]
    public void An_account_never_written_or_written_with_zero_lamports_does_not_exist()
    {
        using TempDir dir = new();
        using var db = AccountsDb.Open(SmallOptions(dir.Path));
        Assert.False(db.TryRead(Key(1), out _, out _, out _, out _));
        db.Write(Key(1), 5, Pubkey.Zero, false, []);
        Assert.True(db.Read(Key(1)).Exists);
        db.Write(Key(1), 0, Pubkey.Zero, false, []);
        Assert.False(db.TryRead(Key(1), out _, out _, out _, out _));
        Assert.Equal(Account.Empty, db.Read(Key(1)));
    }

    [Fact]
    public void Rewriting_an_account_with_shorter_or_longer_data_keeps_only_the_new_value()
    {
        using TempDir dir = new();
        using var db = AccountsDb.Open(SmallOptions(dir.Path));
        db.Write(Key(1), 1, Key(9), false, new byte[100]);
        db.Write(Key(1), 2, Key(9), false, [1, 2, 3]);
        Assert.Equal([1, 2, 3], db.Read(Key(1)).Data.ToArray());
        db.Write(Key(1), 3, Key(9), false, new byte[5000]);
        Assert.Equal(5000, db.Read(Key(1)).DataLength);
        Assert.Equal(3UL, db.Read(Key(1)).Lamports);
    }

    [Fact]
    public void Data_larger_than_a_page_allows_is_refused()
    {
        using TempDir dir = new();
        using var db = AccountsDb.Open(SmallOptions(dir.Path));
        Assert.Throws<ArgumentException>(() => db.Write(Key(1), 1, Pubkey.Zero, false, new byte[db.MaxDataLength + 1]));
    }

    [Fact]
    public void A_ten_mebibyte_account_fits_the_default_page_size()
    {
        using TempDir dir = new();
        using var db = AccountsDb.Open(SmallOptions(dir.Path) with { PageBytes = 16L << 20, MemoryBytes = 32L << 20, SegmentBytes = 64L << 20 });
        byte[] data = new byte[Account.MaxDataLength];
        data[^1] = 0xAB;
        db.Write(Key(1), 1, Key(2), false, data);
        Account read = db.Read(Key(1));
        Assert.Equal(Account.MaxDataLength, read.DataLength);
        Assert.Equal(0xAB, read.Data[^1]);
    }

    [Fact]
    public void Accounts_evicted_from_memory_are_read_back_from_disk()
    {
        using TempDir dir = new();
        // 4 MiB of log memory, ~20 MiB of records: most are only on disk when read.
        using var db = AccountsDb.Open(SmallOptions(dir.Path));
        const int Count = 20_000;
        byte[] data = new byte[1000];
        for (int i = 0; i < Count; i++)
        {
            data[0] = (byte)i;
            db.Write(Key(i), (ulong)i + 1, Pubkey.Zero, false, data);
        }
        for (int i = 0; i < Count; i += 97)
        {
            Account account = db.Read(Key(i));
            Assert.Equal((ulong)i + 1, account.Lamports);
            Assert.Equal((byte)i, account.Data[0]);
        }
    }

    [Fact]
    public void A_checkpoint_recovers_its_accounts_and_root_and_forgets_later_writes()
    {
        using TempDir dir = new();
        using (var db = AccountsDb.Open(SmallOptions(dir.Path)))
        {
            Assert.Null(db.Recovered);
            for (int i = 0; i < 100; i++) db.Write(Key(i), (ulong)i + 1, Key(1000), false, new byte[i]);
            db.WriteRoot(17, [1, 2, 3]);
            db.Checkpoint();
            db.Write(Key(0), 999, Pubkey.Zero, false, []); // after the checkpoint: not recovered
            db.WriteRoot(18, [4]);
        }
        using (var db = AccountsDb.Open(SmallOptions(dir.Path)))
        {
            Assert.NotNull(db.Recovered);
            Assert.Equal(17UL, db.Recovered!.Slot);
            Assert.Equal([1, 2, 3], db.Recovered.State);
            for (int i = 0; i < 100; i++)
            {
                Account account = db.Read(Key(i));
                Assert.Equal((ulong)i + 1, account.Lamports);
                Assert.Equal(i, account.DataLength);
                Assert.Equal(Key(1000), account.Owner);
            }
            Assert.Equal(100, db.ReadAll().Count);
        }
    }

    [Fact]
    public void A_later_checkpoint_supersedes_an_earlier_one_including_deletions()
    {
        using TempDir dir = new();
        using (var db = AccountsDb.Open(SmallOptions(dir.Path)))
        {
            db.Write(Key(1), 1, Pubkey.Zero, false, []);
            db.Write(Key(2), 2, Pubkey.Zero, false, []);
            db.WriteRoot(1, []);
            db.Checkpoint();
            db.Write(Key(1), 0, Pubkey.Zero, false, []);
            db.Write(Key(2), 20, Pubkey.Zero, false, []);
            db.WriteRoot(2, []);
            db.Checkpoint();
        }
        using (var db = AccountsDb.Open(SmallOptions(dir.Path)))
        {
            Assert.Equal(2UL, db.Recovered!.Slot);
            Assert.False(db.Read(Key(1)).Exists);
            Assert.Equal(20UL, db.Read(Key(2)).Lamports);
            Assert.Single(db.ReadAll());
        }
    }

    [Fact]
    public void Reads_from_many_threads_see_the_written_accounts()
    {
        using TempDir dir = new();
        using var db = AccountsDb.Open(SmallOptions(dir.Path));
        for (int i = 0; i < 1000; i++) db.Write(Key(i), (ulong)i + 1, Pubkey.Zero, false, []);
        int wrong = 0;
        Parallel.For(0, 4, t =>
        {
            for (int i = t; i < 1000; i += 4)
            {
                if (db.Read(Key(i)).Lamports != (ulong)i + 1) Interlocked.Increment(ref wrong);
            }
        });
        Assert.Equal(0, wrong);
    }

    [Fact]
    public void Reading_an_account_without_data_allocates_nothing()
    {
        using TempDir dir = new();
        using var db = AccountsDb.Open(SmallOptions(dir.Path));
        Pubkey key = Key(1);
        db.Write(key, 5, Pubkey.Zero, false, []);
        ulong sum = 0;
        long allocated = Allocations.Measure(1000, () =>
        {
            db.TryRead(key, out ulong lamports, out _, out _, out _);
            sum += lamports;
        });
        Assert.Equal(0, allocated);
        Assert.Equal(5UL * 1001, sum);
    }
}
