using Fast.Core.Primitives;
using Fast.Storage.Accounts;
using Xunit;

namespace Fast.Storage.Tests.Accounts;

public class AccountOverlayTests
{
    [Fact]
    public void Added_entries_are_found_by_key_and_keep_their_index_as_the_overlay_grows()
    {
        AccountOverlay overlay = new();
        int[] indexes = new int[5000];
        for (int i = 0; i < indexes.Length; i++)
        {
            Pubkey key = AccountsDbTests.Key(i);
            Assert.Equal(-1, overlay.Find(key));
            indexes[i] = overlay.Add(key, (ulong)i, Pubkey.Zero, false, []);
        }
        for (int i = 0; i < indexes.Length; i++)
        {
            int index = overlay.Find(AccountsDbTests.Key(i));
            Assert.Equal(indexes[i], index);
            Assert.Equal((ulong)i, overlay[index].Lamports);
        }
        Assert.Equal(5000, overlay.Count);
        Assert.Equal(-1, overlay.Find(AccountsDbTests.Key(1_000_000)));
    }

    [Fact]
    public void A_reset_overlay_is_empty_and_reuses_its_memory()
    {
        AccountOverlay overlay = new();
        for (int i = 0; i < 2000; i++) overlay.Add(AccountsDbTests.Key(i), 1, Pubkey.Zero, false, [1]);
        int capacity = overlay.Capacity;
        overlay.Reset();
        Assert.Equal(0, overlay.Count);
        Assert.Equal(-1, overlay.Find(AccountsDbTests.Key(5)));
        var keys = new Pubkey[2000];
        for (int i = 0; i < keys.Length; i++) keys[i] = AccountsDbTests.Key(i);
        byte[] empty = [];
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < keys.Length; i++) overlay.Add(keys[i], 1, Pubkey.Zero, false, empty);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(capacity, overlay.Capacity);
    }

    [Fact]
    public void An_entry_added_unloaded_is_clear_even_where_a_reset_overlay_held_a_loaded_one()
    {
        // The scheduler adds entries without writing them (the loading worker does): a reused overlay must hand out clear ones.
        AccountOverlay overlay = new();
        for (int i = 0; i < 600; i++) overlay.Add(AccountsDbTests.Key(i), 5, AccountsDbTests.Key(9), true, [1, 2]);
        overlay[3].Written = true;
        overlay.Reset();
        for (int i = 0; i < 600; i++)
        {
            int index = overlay.FindOrAddUnloaded(AccountsDbTests.Key(1000 + i), out int hash);
            Assert.Equal(SeededHash.Of(AccountsDbTests.Key(1000 + i)), hash);
            Assert.Equal(AccountsDbTests.Key(1000 + i), overlay.KeyAt(index));
            ref AccountEntry entry = ref overlay[index];
            Assert.False(entry.Loaded);
            Assert.False(entry.Written);
            Assert.Equal(0UL, entry.Lamports);
            Assert.Null(entry.Data);
            Assert.Equal(index, overlay.Find(AccountsDbTests.Key(1000 + i))); // found through the owner's key table
        }
        Assert.Equal(600, overlay.Count);
    }

    [Fact]
    public void The_pool_hands_back_returned_overlays_empty()
    {
        AccountOverlayPool pool = new(maxPooled: 1);
        AccountOverlay overlay = pool.Rent();
        overlay.Add(AccountsDbTests.Key(1), 1, Pubkey.Zero, false, []);
        pool.Return(overlay);
        pool.Return(new AccountOverlay()); // over the cap: dropped
        Assert.Equal(1, pool.Count);
        AccountOverlay again = pool.Rent();
        Assert.Same(overlay, again);
        Assert.Equal(0, again.Count);
    }
}
