using Fast.Storage.Blocks;
using Fast.Testing;
using Xunit;

namespace Fast.Storage.Tests.Blocks;

public class BlockstoreTests
{
    internal static BlockstoreOptions SmallOptions(string directory) => new()
    {
        Directory = directory,
        PageBytes = 1L << 20,
        MemoryBytes = 4L << 20,
        SegmentBytes = 8L << 20,
    };

    internal static byte[] Bytes(ulong slot, int batch, int length)
    {
        byte[] bytes = new byte[length];
        new Random((int)slot * 1000 + batch).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void Entries_appended_in_batches_read_back_as_one_slot_in_order()
    {
        using TempDir dir = new();
        using var store = Blockstore.Open(SmallOptions(dir.Path));
        byte[] a = Bytes(5, 0, 300), b = Bytes(5, 1, 700);
        Assert.Equal(AppendStatus.Ok, store.AppendEntries(5, 4, 2, a, slotComplete: false));
        Assert.True(store.TryGetSlotMeta(5, out SlotMeta partial));
        Assert.False(partial.IsComplete);
        Assert.Equal(AppendStatus.Ok, store.AppendEntries(5, 4, 3, b, slotComplete: true));

        Assert.True(store.TryGetSlotMeta(5, out SlotMeta meta));
        Assert.Equal(new SlotMeta(5, 4, 5, 1000, IsComplete: true, IsRooted: false), meta);
        Assert.Equal([.. a, .. b], store.ReadSlotEntries(5)!);
        Assert.Null(store.ReadSlotEntries(6));
    }

    [Fact]
    public void A_complete_slot_refuses_more_entries_and_a_slot_keeps_its_first_parent()
    {
        using TempDir dir = new();
        using var store = Blockstore.Open(SmallOptions(dir.Path));
        Assert.Equal(AppendStatus.Ok, store.AppendEntries(3, 1, 1, [1], slotComplete: false));
        Assert.Equal(AppendStatus.ParentMismatch, store.AppendEntries(3, 2, 1, [2], slotComplete: false));
        Assert.Equal(AppendStatus.Ok, store.AppendEntries(3, 1, 1, [3], slotComplete: true));
        Assert.Equal(AppendStatus.SlotAlreadyComplete, store.AppendEntries(3, 1, 1, [4], slotComplete: false));
        Assert.Equal(AppendStatus.Empty, store.AppendEntries(4, 3, 0, [1], slotComplete: true));
        Assert.Equal(AppendStatus.InvalidParent, store.AppendEntries(4, 4, 1, [1], slotComplete: true));
        Assert.Equal(AppendStatus.TooLarge, store.AppendEntries(4, 3, 1, new byte[store.Options.MaxAppendBytes + 1], slotComplete: true));
        Assert.Equal([1, 3], store.ReadSlotEntries(3));
    }

    [Fact]
    public void A_reopened_blockstore_has_every_committed_slot_with_its_flags()
    {
        using TempDir dir = new();
        using (var store = Blockstore.Open(SmallOptions(dir.Path)))
        {
            for (ulong slot = 1; slot <= 50; slot++)
            {
                store.AppendEntries(slot, slot - 1, 1, Bytes(slot, 0, 2000), slotComplete: false);
                store.AppendEntries(slot, slot - 1, 2, Bytes(slot, 1, 1000), slotComplete: slot != 50);
            }
            store.MarkRooted(40);
            store.Commit();
        }
        using (var store = Blockstore.Open(SmallOptions(dir.Path)))
        {
            Assert.Equal(50, store.Slots().Length);
            Assert.Equal(40UL, store.HighestRootedSlot);
            Assert.Equal(0, store.SkippedRecords);
            for (ulong slot = 1; slot <= 50; slot++)
            {
                Assert.True(store.TryGetSlotMeta(slot, out SlotMeta meta));
                Assert.Equal(slot != 50, meta.IsComplete);
                Assert.Equal(slot == 40, meta.IsRooted);
                Assert.Equal(3, meta.EntryCount);
                Assert.Equal([.. Bytes(slot, 0, 2000), .. Bytes(slot, 1, 1000)], store.ReadSlotEntries(slot)!);
            }
            // The partial slot continues where it stopped.
            Assert.Equal(AppendStatus.Ok, store.AppendEntries(50, 49, 1, [9], slotComplete: true));
            Assert.True(store.TryGetSlotMeta(50, out SlotMeta last));
            Assert.Equal(4, last.EntryCount);
        }
    }

    [Fact]
    public void Purging_old_slots_forgets_them_and_keeps_the_rest_readable_after_reopen()
    {
        using TempDir dir = new();
        using (var store = Blockstore.Open(SmallOptions(dir.Path)))
        {
            for (ulong slot = 1; slot <= 30; slot++) store.AppendEntries(slot, slot - 1, 1, Bytes(slot, 0, 100_000), slotComplete: true);
            store.PurgeBefore(20);
            Assert.False(store.TryGetSlotMeta(19, out _));
            Assert.Equal(Bytes(20, 0, 100_000), store.ReadSlotEntries(20));
        }
        using (var store = Blockstore.Open(SmallOptions(dir.Path)))
        {
            Assert.Equal(11, store.Slots().Length);
            Assert.Equal(20UL, store.Slots()[0]);
            Assert.Equal(Bytes(30, 0, 100_000), store.ReadSlotEntries(30));
        }
    }

    /// <summary>
    /// minimumLedgerSlot and getBlock ask for the lowest slot on every call. It used to be found by
    /// copying and sorting the whole slot index under the lock the ledger writer appends under (O(n log n)
    /// per call, 8 bytes per slot allocated); now it is kept beside the index: read without the lock,
    /// without allocating, and right after out-of-order appends, purges and a reopen.
    /// </summary>
    [Fact]
    public void The_lowest_slot_of_a_large_index_is_read_without_copying_it_and_follows_appends_purges_and_reopen()
    {
        using TempDir dir = new();
        BlockstoreOptions options = SmallOptions(dir.Path) with { CommitPolicy = BlockstoreCommitPolicy.Manual, MemoryBytes = 16L << 20, SegmentBytes = 16L << 20 };
        using (var store = Blockstore.Open(options))
        {
            Assert.Null(store.LowestSlot);
            byte[] entry = [1, 2, 3, 4];
            for (ulong slot = 100; slot < 50_100; slot++) store.AppendEntries(slot, slot - 1, 1, entry, slotComplete: true);
            Assert.Equal(100UL, store.LowestSlot);

            long before = GC.GetAllocatedBytesForCurrentThread();
            ulong sum = 0;
            for (int i = 0; i < 1000; i++) sum += store.LowestSlot!.Value;
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.Equal(100_000UL, sum);

            store.AppendEntries(40, 39, 1, entry, slotComplete: true); // a late slot below the rest
            Assert.Equal(40UL, store.LowestSlot);
            store.PurgeBefore(30_000);
            Assert.Equal(30_000UL, store.LowestSlot);
            store.Commit();
        }
        using (var store = Blockstore.Open(options))
        {
            // (Slot 40's record lies above the truncation point, so the rebuilt index has it again: the log keeps no purge record.)
            Assert.Equal(store.Slots()[0], store.LowestSlot);
            store.PurgeBefore(30_000);
            Assert.Equal(30_000UL, store.LowestSlot);
            store.PurgeBefore(60_000);
            Assert.Null(store.LowestSlot);
        }
    }
}
