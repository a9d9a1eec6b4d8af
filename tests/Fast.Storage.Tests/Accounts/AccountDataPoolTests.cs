using Fast.Core.Primitives;
using Fast.Storage.Accounts;
using Fast.Testing;
using Xunit;

namespace Fast.Storage.Tests.Accounts;

/// <summary>
/// The account data pool and its owners: exact lengths, bounded, an overlay gives back only the arrays
/// its entries own, a store read can land in a rented array, and rewriting an indexed account keeps the
/// owner index untouched.
/// </summary>
public class AccountDataPoolTests
{
    [Fact]
    public void A_returned_array_is_rented_again_for_its_exact_length_only()
    {
        AccountDataPool pool = new();
        byte[] first = pool.Rent(116);
        Assert.Equal(116, first.Length);
        Assert.Equal(1, pool.Misses);
        pool.Return(first);
        Assert.Equal(116, pool.PooledBytes);
        Assert.NotSame(first, pool.Rent(92)); // another length: a new array
        Assert.Same(first, pool.Rent(116));
        Assert.Equal(0, pool.PooledBytes);
        Assert.Empty(pool.Rent(0));
    }

    [Fact]
    public void Arrays_past_the_longest_pooled_length_or_the_byte_cap_go_to_the_gc()
    {
        AccountDataPool pool = new(maxPooledLength: 200, maxPooledBytes: 300);
        pool.Return(new byte[201]);
        Assert.Equal(0, pool.PooledBytes);
        pool.Return(new byte[150]);
        pool.Return(new byte[150]);
        pool.Return(new byte[150]); // would pass 300 bytes
        Assert.Equal(300, pool.PooledBytes);
    }

    [Fact]
    public void A_poisoning_pool_fills_returned_arrays_and_rent_zeroed_clears_them()
    {
        AccountDataPool pool = new() { PoisonReturned = true };
        byte[] data = pool.RentCopy([1, 2, 3, 4]);
        Assert.Equal([1, 2, 3, 4], data);
        pool.Return(data);
        Assert.All(data, b => Assert.Equal(0xDD, b));
        byte[] zeroed = pool.RentZeroed(4);
        Assert.Same(data, zeroed);
        Assert.All(zeroed, b => Assert.Equal(0, b));
    }

    [Fact]
    public void A_reset_overlay_gives_back_only_the_arrays_its_entries_own_and_reads_of_owned_data_are_copies()
    {
        AccountDataPool pool = new();
        AccountOverlay overlay = new();
        byte[] shared = [7, 7, 7];
        overlay.Add(AccountsDbTests.Key(1), 5, Pubkey.Zero, false, shared); // a caller's array (genesis): never pooled
        int owned = overlay.Add(AccountsDbTests.Key(2), 5, Pubkey.Zero, false, pool.RentCopy([9, 9, 9]));
        overlay[owned].OwnsData = true;
        byte[] ownedArray = overlay[owned].Data;

        var read = overlay[owned].ToAccount();
        Assert.Equal([9, 9, 9], read.Data.ToArray());
        Assert.False(ReferenceEquals(ownedArray, System.Runtime.InteropServices.MemoryMarshal.TryGetArray(read.DataMemory, out ArraySegment<byte> segment) ? segment.Array : null));

        overlay.Reset(pool);
        Assert.Equal(3, pool.PooledBytes); // the owned array only
        Assert.Same(ownedArray, pool.Rent(3));
        Assert.Equal([7, 7, 7], shared);
        Assert.Equal([9, 9, 9], read.Data.ToArray()); // the copy handed out is untouched by the recycling
    }

    [Fact]
    public void A_store_read_with_a_pool_lands_in_a_rented_array()
    {
        using TempDir dir = new();
        using var db = AccountsDb.Open(AccountsDbTests.SmallOptions(dir.Path));
        db.Write(AccountsDbTests.Key(1), 10, AccountsDbTests.Key(99), false, [1, 2, 3, 4, 5]);
        AccountDataPool pool = new();
        byte[] recycled = pool.Rent(5);
        pool.Return(recycled);
        Assert.True(db.TryRead(AccountsDbTests.Key(1), pool, out ulong lamports, out Pubkey owner, out _, out byte[] data));
        Assert.Same(recycled, data);
        Assert.Equal([1, 2, 3, 4, 5], data);
        Assert.Equal((10UL, AccountsDbTests.Key(99)), (lamports, owner));
    }

    [Fact]
    public void Rewriting_an_indexed_account_with_the_same_owner_leaves_the_owner_index_alone()
    {
        using TempDir dir = new();
        using var db = AccountsDb.Open(AccountsDbTests.SmallOptions(dir.Path));
        Pubkey program = AccountsDbTests.Key(1_000_001);
        for (int i = 0; i < 300; i++) db.Write(AccountsDbTests.Key(i), 5, program, false, [1]);
        db.FlushOwnerIndex();
        long records = db.OwnerIndexRecordsWritten;
        var keys = new Pubkey[300];
        for (int i = 0; i < keys.Length; i++) keys[i] = AccountsDbTests.Key(i);
        byte[] data = [2];
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < keys.Length; i++) db.Write(keys[i], 6, program, false, data); // new balances, same owner
        db.FlushOwnerIndex();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(records, db.OwnerIndexRecordsWritten);
        List<Pubkey> owned = [];
        db.ReadOwnedKeys(program, owned);
        Assert.Equal(300, owned.Count);
    }
}
