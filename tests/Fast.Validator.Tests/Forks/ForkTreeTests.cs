using Fast.Core.Primitives;
using Fast.Validator.Forks;
using Xunit;

namespace Fast.Validator.Tests.Forks;

public sealed class ForkTreeTests
{
    private static BlockRef B(ulong slot, byte id = 1)
    {
        byte[] bytes = new byte[32];
        bytes[0] = id;
        bytes[31] = (byte)slot;
        return new BlockRef(slot, new Hash(bytes));
    }

    [Fact]
    public void The_chosen_tip_is_the_highest_slot_and_ties_go_to_the_lowest_block_id()
    {
        ForkTree tree = new(B(0));
        Assert.Equal(ForkAddStatus.Connected, tree.Add(B(1), B(0)));
        Assert.Equal(ForkAddStatus.Connected, tree.Add(B(3, 9), B(1)));
        Assert.Equal(B(3, 9), tree.Best);
        Assert.Equal(ForkAddStatus.Connected, tree.Add(B(3, 2), B(1)));
        Assert.Equal(B(3, 2), tree.Best);
        Assert.Equal(ForkAddStatus.Connected, tree.Add(B(2), B(0)));
        Assert.Equal(B(3, 2), tree.Best);
        Assert.Equal(ForkAddStatus.Duplicate, tree.Add(B(2), B(0)));
        Assert.Equal(ForkAddStatus.InvalidParent, tree.Add(B(5), B(5)));
    }

    [Fact]
    public void An_orphan_waits_for_its_parent_and_joins_with_its_own_orphans_when_it_arrives()
    {
        ForkTree tree = new(B(0));
        Assert.Equal(ForkAddStatus.Orphan, tree.Add(B(3), B(2)));
        Assert.Equal(ForkAddStatus.Orphan, tree.Add(B(2), B(1)));
        Assert.Equal(B(0), tree.Best);
        Assert.Equal(ForkAddStatus.Connected, tree.Add(B(1), B(0)));
        Assert.Equal(0, tree.OrphanCount);
        Assert.Equal(B(3), tree.Best);
        Assert.True(tree.IsAncestor(B(1), B(3)));
    }

    [Fact]
    public void The_root_advances_only_31_slots_below_the_tip_on_its_chain_and_prunes_other_branches()
    {
        ForkTree tree = new(B(0));
        BlockRef parent = B(0);
        for (ulong s = 1; s <= 31; s++)
        {
            tree.Add(B(s), parent);
            parent = B(s);
        }
        tree.Add(B(5, 7), B(4)); // a side branch
        Assert.Empty(tree.AdvanceRoot()); // tip 31: only slot 0 is 31 deep, and it is the root already
        tree.Add(B(32), B(31));
        tree.Add(B(33), B(32));
        List<BlockRef> rooted = tree.AdvanceRoot();
        Assert.Equal([B(1), B(2)], rooted);
        Assert.Equal(B(2), tree.Root);
        Assert.True(tree.Contains(B(5, 7)), "a side branch that descends from the new root stays");
    }

    [Fact]
    public void A_root_never_reverts_and_blocks_off_the_rooted_chain_are_refused()
    {
        ForkTree tree = new(B(0));
        BlockRef parent = B(0);
        tree.Add(B(1, 5), B(0)); // a competing branch at slot 1
        for (ulong s = 1; s <= 40; s++)
        {
            tree.Add(B(s), parent);
            parent = B(s);
        }
        List<BlockRef> rooted = tree.AdvanceRoot();
        Assert.Equal(B(9), tree.Root);
        Assert.Equal(9, rooted.Count);
        Assert.False(tree.Contains(B(1, 5)), "the competing branch is pruned");
        Assert.Equal(ForkAddStatus.BelowRoot, tree.Add(B(50), B(1, 5)));
        Assert.Equal(ForkAddStatus.BelowRoot, tree.Add(B(8, 3), B(7)));
        Assert.Equal(B(40), tree.Best);
        Assert.True(tree.IsAncestor(tree.Root, tree.Best));
    }

    [Fact]
    public void Skipped_slots_count_as_depth_but_the_root_is_always_a_replayed_block()
    {
        ForkTree tree = new(B(0));
        tree.Add(B(10), B(0));
        tree.Add(B(50), B(10));
        Assert.Equal([B(10)], tree.AdvanceRoot());
        Assert.Equal(B(10), tree.Root);
    }

    [Fact]
    public void The_orphan_pool_is_bounded()
    {
        ForkTree tree = new(B(0), maxOrphans: 2);
        Assert.Equal(ForkAddStatus.Orphan, tree.Add(B(10), B(9)));
        Assert.Equal(ForkAddStatus.Orphan, tree.Add(B(11), B(9)));
        Assert.Equal(ForkAddStatus.OrphanPoolFull, tree.Add(B(12), B(9)));
    }

    [Fact]
    public void Neither_version_of_a_duplicate_slot_nor_anything_built_on_it_is_chosen_or_rooted()
    {
        ForkTree tree = new(B(0));
        tree.Add(B(1), B(0));
        tree.Add(B(2, 1), B(1));
        tree.Add(B(3), B(2, 1));
        Assert.Equal(B(3), tree.Best);
        tree.MarkDuplicate(2);
        Assert.Equal(B(1), tree.Best);
        tree.Add(B(2, 7), B(1));
        Assert.Equal(B(1), tree.Best);
        tree.Add(B(4), B(1)); // the next honest leader builds on the duplicate slot's parent
        Assert.Equal(B(4), tree.Best);
        BlockRef parent = B(4);
        for (ulong s = 5; s <= 40; s++)
        {
            tree.Add(B(s), parent);
            parent = B(s);
        }
        tree.AdvanceRoot();
        Assert.Equal(B(9), tree.Root);
        Assert.False(tree.Contains(B(3)));
        Assert.False(tree.Contains(B(2, 1)));
    }
}
