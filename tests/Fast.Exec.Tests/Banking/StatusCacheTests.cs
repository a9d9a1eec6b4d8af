using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Exec.Tests.Infrastructure;
using Xunit;

namespace Fast.Exec.Tests.Banking;

public class StatusCacheTests
{
    private static Signature RandomSignature(Random random)
    {
        byte[] bytes = new byte[Signature.Size];
        random.NextBytes(bytes);
        return new Signature(bytes);
    }

    [Fact]
    public void Signatures_recorded_from_many_threads_at_once_are_all_found_and_none_is_lost()
    {
        using TestChain chain = new();
        var genesis = Bank.Genesis(chain.Accounts, TestChain.Genesis(1, 1));
        Bank bank = new(genesis, 1, default);
        StatusCache cache = bank.StatusCache;
        const int PerThread = 20_000;
        StatusCache.Group group = cache.EnsureRoom(TestChain.GenesisHash, 0, 4 * PerThread);
        Signature[][] signatures = [.. Enumerable.Range(0, 4).Select(t => Enumerable.Range(0, PerThread).Select(_ => RandomSignature(new Random(t * PerThread + _))).ToArray())];
        Parallel.For(0, 4, t =>
        {
            foreach (Signature signature in signatures[t])
            {
                Assert.False(StatusCache.IsProcessed(group, signature, bank));
                StatusCache.Record(group, signature, bank, TransactionError.InsufficientFunds);
            }
        });
        foreach (Signature signature in signatures.SelectMany(s => s))
        {
            Assert.True(cache.TryGetStatus(signature, TestChain.GenesisHash, bank, out ulong slot, out TransactionError error));
            Assert.Equal((1UL, TransactionError.InsufficientFunds), (slot, error));
        }
        Assert.Equal(4 * PerThread, cache.Count);
    }

    [Fact]
    public void A_record_counts_on_its_own_fork_only_and_a_blockhash_group_is_dropped_150_slots_behind_the_root()
    {
        using TestChain chain = new();
        var forks = BankForks.Open(chain.Accounts, TestChain.Genesis(1, 1));
        Bank left = forks.NewBank(1, 0, default);
        left.Freeze(TestChain.HashOf("left"));
        Bank right = forks.NewBank(2, 0, default);
        Signature signature = RandomSignature(new Random(1));
        StatusCache cache = left.StatusCache;
        StatusCache.Record(cache.EnsureRoom(TestChain.GenesisHash, 0, 1), signature, left, TransactionError.None);
        Bank child = forks.NewBank(3, 1, default);
        Assert.True(cache.TryGetStatus(signature, child, out _, out _));
        Assert.False(cache.TryGetStatus(signature, right, out _, out _));

        right.Freeze(TestChain.HashOf("right"));
        child.Freeze(TestChain.HashOf("child"));
        ulong parent = 3;
        for (ulong slot = 4; slot <= 160; slot++)
        {
            Bank bank = forks.NewBank(slot, parent, default);
            bank.Freeze(TestChain.HashOf("s" + slot));
            forks.SetRoot(slot);
            parent = slot;
            if (slot == 150) Assert.Equal(1, cache.Groups);
        }
        Assert.Equal(0, cache.Groups);
    }

    [Fact]
    public void A_record_names_its_bank_not_its_slot_so_a_replacement_block_for_the_same_slot_does_not_inherit_it_even_once_rooted()
    {
        using TestChain chain = new();
        var forks = BankForks.Open(chain.Accounts, TestChain.Genesis(1, 1));
        Bank first = forks.NewBank(1, 0, default);
        StatusCache cache = first.StatusCache;
        Signature inFirst = RandomSignature(new Random(1));
        Signature inReplacement = RandomSignature(new Random(2));
        StatusCache.Record(cache.EnsureRoom(TestChain.GenesisHash, 0, 1), inFirst, first, TransactionError.None);
        Assert.True(cache.TryGetStatus(inFirst, first, out ulong slot, out _));
        Assert.Equal(1UL, slot);

        forks.Remove(1); // a dead block: a replacement for slot 1 is replayed instead
        Bank replacement = forks.NewBank(1, 0, default);
        Assert.False(cache.TryGetStatus(inFirst, replacement, out _, out _));
        StatusCache.Record(cache.EnsureRoom(TestChain.GenesisHash, 0, 1), inReplacement, replacement, TransactionError.InsufficientFunds);
        replacement.Freeze(TestChain.HashOf("replacement"));
        Bank child = forks.NewBank(2, 1, default);
        child.Freeze(TestChain.HashOf("child"));
        forks.SetRoot(2); // slot 1 is rooted and no bank links to it any more: the rooted-bank ring answers
        Bank grandchild = forks.NewBank(3, 2, default);
        Assert.Null(child.Parent);
        Assert.True(cache.TryGetStatus(inReplacement, grandchild, out slot, out TransactionError error));
        Assert.Equal((1UL, TransactionError.InsufficientFunds), (slot, error));
        Assert.False(cache.TryGetStatus(inFirst, grandchild, out _, out _));

        // The tables hold no object references: the garbage collector never scans them, and they keep no bank alive.
        Assert.False(System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<StatusCache.Entry>());
    }
}
