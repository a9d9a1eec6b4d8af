using Fast.Exec.Banking;
using Fast.Exec.Tests.Infrastructure;
using Xunit;

namespace Fast.Exec.Tests.Banking;

public class BlockhashQueueAndStateTests
{
    [Fact]
    public void The_queue_keeps_300_slots_of_blockhashes_and_answers_by_hash()
    {
        BlockhashQueue queue = BlockhashQueue.Empty;
        for (ulong slot = 0; slot < 1000; slot++) queue = queue.With(TestChain.HashOf("h" + slot), slot);
        Assert.Equal(BlockhashQueue.RetainedAgeSlots + 1, queue.Count);
        Assert.True(queue.TryGetSlot(TestChain.HashOf("h999"), out ulong newest));
        Assert.Equal(999UL, newest);
        Assert.True(queue.TryGetSlot(TestChain.HashOf("h699"), out ulong oldest));
        Assert.Equal(699UL, oldest);
        Assert.False(queue.TryGetSlot(TestChain.HashOf("h698"), out _));
        Assert.Equal(TransactionError.None, queue.Check(TestChain.HashOf("h850"), 1000));
        Assert.Equal(TransactionError.BlockhashExpired, queue.Check(TestChain.HashOf("h849"), 1000));
        Assert.Equal(TransactionError.BlockhashNotFound, queue.Check(TestChain.HashOf("nope"), 1000));
    }

    [Fact]
    public void A_bank_state_round_trips_and_truncated_or_foreign_bytes_are_refused()
    {
        BankState state = new(TestChain.HashOf("bank"), TestChain.HashOf("last"), 123, 5000, 77, [(TestChain.HashOf("a"), 1), (TestChain.HashOf("b"), 2)]);
        byte[] bytes = state.Serialize();
        var back = BankState.TryDeserialize(bytes);
        Assert.NotNull(back);
        Assert.Equal(state.BankHash, back!.BankHash);
        Assert.Equal(state.Blockhashes, back.Blockhashes);
        Assert.Equal((123UL, 5000UL, 77UL), (back.Capitalization, back.LamportsPerSignature, back.SignatureCount));
        Assert.Null(BankState.TryDeserialize(bytes.AsSpan(0, bytes.Length - 1)));
        Assert.Null(BankState.TryDeserialize([.. bytes, 0]));
        bytes[0] = 9;
        Assert.Null(BankState.TryDeserialize(bytes));
    }

    [Fact]
    public void A_bank_state_keeps_the_block_height_and_a_version_1_state_without_it_still_reads()
    {
        BankState state = new(TestChain.HashOf("bank"), TestChain.HashOf("last"), 123, 5000, 77, [(TestChain.HashOf("a"), 1)], BlockHeight: 41);
        byte[] bytes = state.Serialize();
        Assert.Equal(41UL, BankState.TryDeserialize(bytes)!.BlockHeight);

        // Version 1: the same fields without the u64 block height after the queue length.
        byte[] v1 = [1, .. bytes.AsSpan(1, 90), .. bytes.AsSpan(99)];
        var old = BankState.TryDeserialize(v1);
        Assert.NotNull(old);
        Assert.Null(old!.BlockHeight);
        Assert.Equal(state.Blockhashes, old.Blockhashes);
    }
}
