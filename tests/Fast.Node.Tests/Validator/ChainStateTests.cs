using Fast.Core.Primitives;
using Fast.Node.Validator;
using Xunit;

namespace Fast.Node.Tests.Validator;

/// <summary>Which slot the chain reports confirmed as freezes, durability and dead slots arrive (from two threads, in any order).</summary>
public class ChainStateTests
{
    private static SlotRecord Record(ulong slot, ulong parent) => new()
    {
        Slot = slot,
        Parent = parent,
        Blockhash = Hash.Compute(BitConverter.GetBytes(slot)),
        PreviousBlockhash = default,
        BankHash = default,
        BlockHeight = slot,
        BlockTimeUnixSeconds = 0,
        CumulativeTransactions = 0,
        TransactionCount = 0,
        Bank = null!, // not read by ChainState
    };

    private static ChainState Rooted(ulong root)
    {
        ChainState chain = new();
        chain.Rooted(Record(root, root));
        chain.Frozen(chain.Root!);
        chain.MarkDurable(root);
        return chain;
    }

    [Fact]
    public void A_slot_is_confirmed_only_when_it_and_every_slot_before_it_on_its_chain_are_durable()
    {
        ChainState chain = Rooted(10);
        chain.Frozen(Record(11, 10));
        chain.Frozen(Record(12, 11));
        chain.Frozen(Record(13, 12));

        chain.MarkDurable(13); // the newest slot is on disk, but 11 and 12 are not yet
        Assert.Equal(10UL, chain.Confirmed!.Slot);
        chain.MarkDurable(11);
        Assert.Equal(11UL, chain.Confirmed!.Slot);
        chain.MarkDurable(12);
        Assert.Equal(13UL, chain.Confirmed!.Slot);
    }

    [Fact]
    public void A_dead_slot_is_never_confirmed_and_the_slot_built_on_its_parent_confirms_past_it()
    {
        ChainState chain = Rooted(10);
        chain.Frozen(Record(11, 10));
        chain.MarkDurable(11);
        chain.MarkDead(12); // abandoned by PoH: never frozen, never durable
        chain.Frozen(Record(13, 11));
        Assert.Equal(11UL, chain.Confirmed!.Slot);
        chain.MarkDurable(13);
        Assert.Equal(13UL, chain.Confirmed!.Slot);
        Assert.True(chain.IsDead(12));
        Assert.False(chain.IsDead(13));
    }

    [Fact]
    public void Durability_reported_before_the_freeze_counts_once_the_slot_freezes()
    {
        ChainState chain = Rooted(0);
        chain.MarkDurable(1); // the ledger writer can finish a slot before banking freezes it
        Assert.Equal(0UL, chain.Confirmed!.Slot);
        chain.Frozen(Record(1, 0));
        Assert.Equal(1UL, chain.Confirmed!.Slot);
    }
}
