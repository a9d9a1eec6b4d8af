using Fast.Storage.Blocks;
using Fast.Testing;
using Xunit;

namespace Fast.Storage.Tests.Blocks;

/// <summary>Block times stored beside a slot: read back after a reopen, refused for an unknown slot, gone with a purge.</summary>
public class BlockstoreBlockTimeTests
{
    [Fact]
    public void A_block_time_survives_a_reopen_and_an_unknown_slot_has_none()
    {
        using TempDir dir = new();
        using (var store = Blockstore.Open(BlockstoreTests.SmallOptions(dir.Path)))
        {
            Assert.False(store.AppendBlockTime(9, 1_700_000_009)); // no such slot yet
            Assert.Equal(AppendStatus.Ok, store.AppendStatuses(7, 6, 0, [], last: true)); // statuses first, as the banking thread does
            Assert.True(store.AppendBlockTime(7, 1_700_000_007));
            Assert.Equal(AppendStatus.Ok, store.AppendEntries(7, 6, 1, [1, 2, 3], slotComplete: true));
            Assert.Equal(1_700_000_007L, store.BlockTime(7));
            Assert.Null(store.BlockTime(8));
            store.Commit();
        }
        using var reopened = Blockstore.Open(BlockstoreTests.SmallOptions(dir.Path));
        Assert.Equal(0, reopened.SkippedRecords);
        Assert.Equal(1_700_000_007L, reopened.BlockTime(7));
        Assert.Null(reopened.BlockTime(9));
    }

    [Fact]
    public void A_purged_slot_has_no_block_time()
    {
        using TempDir dir = new();
        using var store = Blockstore.Open(BlockstoreTests.SmallOptions(dir.Path));
        for (ulong slot = 1; slot <= 5; slot++)
        {
            Assert.Equal(AppendStatus.Ok, store.AppendEntries(slot, slot - 1, 1, [1], slotComplete: true));
            Assert.True(store.AppendBlockTime(slot, 1_700_000_000 + (long)slot));
        }
        store.PurgeBefore(4);
        Assert.Null(store.BlockTime(3));
        Assert.Equal(1_700_000_004L, store.BlockTime(4));
    }
}
