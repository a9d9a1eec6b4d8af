using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Validator.Replay;
using Xunit;

namespace Fast.Validator.Tests.Replay;

/// <summary>The replay machine's decisions over a real bank chain: replayed, waiting, dead, held, unconnectable.</summary>
public sealed class ReplayMachineTests
{
    [Fact]
    public void A_valid_block_is_executed_frozen_and_its_transfers_move_lamports()
    {
        using ReplayChain chain = new();
        chain.Receive(chain.BlockOn(1, 0, transfers: 3));
        Assert.Equal(["replayed 1 3"], chain.Sink.Log);
        Bank bank = chain.Banks[1]!;
        Assert.True(bank.IsFrozen);
        Assert.Equal(chain.Sink.BankHashes[1], bank.Hash);
        Assert.NotEqual(ReplayChain.PayerLamports, bank.GetBalance(new Pubkey(chain.Payers[0].PublicKey)));
    }

    [Fact]
    public void A_child_that_arrives_before_its_parent_waits_and_replays_right_after_it()
    {
        using ReplayChain chain = new();
        using ReplayChain leader = new(); // the same genesis: it computes the parent's last hash for the child's PoH
        leader.Receive(leader.BlockOn(1, 0, transfers: 2));
        WholeBlock parent = leader.BlockOn(1, 0, transfers: 2);
        WholeBlock child = leader.BlockOn(3, 1, transfers: 2);
        chain.Receive(child);
        Assert.Equal(1, chain.Machine.BlocksWaiting);
        Assert.Equal(3UL, chain.Machine.HighestWaitingSlot);
        chain.Receive(parent);
        Assert.Equal(["waiting 3", "replayed 1 2", "replayed 3 2"], chain.Sink.Log);
        Assert.Equal(0, chain.Machine.BlocksWaiting);
        Assert.Equal(leader.Sink.BankHashes[1], chain.Sink.BankHashes[1]);
    }

    [Fact]
    public void A_block_built_on_the_nodes_own_block_waits_until_the_node_froze_it()
    {
        using ReplayChain chain = new();
        using ReplayChain leader = new();
        leader.Receive(leader.BlockOn(1, 0, transfers: 0));
        WholeBlock child = leader.BlockOn(2, 1, transfers: 2);
        chain.Receive(child);
        Assert.Equal(["waiting 2"], chain.Sink.Log);
        chain.Banks.NewBank(1, 0, ReplayChain.ScheduledLeader).Freeze(leader.Banks[1]!.LastBlockhash); // "our" block for slot 1
        chain.Machine.OnOwnBlockFrozen(1, ref chain.Sink);
        Assert.Equal(["waiting 2", "replayed 2 2"], chain.Sink.Log);
        Assert.Equal(leader.Banks[1]!.Hash, chain.Banks[1]!.Hash);
    }

    [Fact]
    public void Two_replayers_of_one_block_compute_one_bank_hash()
    {
        using ReplayChain a = new();
        using ReplayChain b = new();
        WholeBlock block = a.BlockOn(1, 0, transfers: 4);
        a.Receive(block);
        b.Receive(block);
        Assert.Equal(a.Sink.BankHashes[1], b.Sink.BankHashes[1]);
    }

    [Fact]
    public void A_block_whose_poh_does_not_chain_from_its_parent_is_dead_and_leaves_no_bank()
    {
        using ReplayChain chain = new();
        Bank genesis = chain.Banks[0]!;
        chain.Receive(chain.Block(1, 0, genesis.LastBlockhash, genesis.LastBlockhash, transfers: 1, breakPoh: true));
        Assert.Equal(["dead 1 Poh"], chain.Sink.Log);
        Assert.Null(chain.Banks[1]);
        Assert.True(chain.Machine.IsDead(1));
    }

    [Fact]
    public void A_block_with_a_transfer_from_an_unfunded_payer_is_dead_by_execution_and_its_bank_is_dropped()
    {
        using ReplayChain chain = new();
        Bank genesis = chain.Banks[0]!;
        chain.Receive(chain.Block(1, 0, genesis.LastBlockhash, genesis.LastBlockhash, transfers: 1, from: chain.Unfunded));
        Assert.Equal(["dead 1 Execution"], chain.Sink.Log);
        Assert.Null(chain.Banks[1]);
        Assert.Equal(ReplayChain.PayerLamports, chain.Banks.Root.GetBalance(new Pubkey(chain.Payers[1].PublicKey)));
    }

    [Fact]
    public void A_block_with_a_forged_signature_is_dead_by_signature()
    {
        using ReplayChain chain = new();
        chain.Receive(chain.BlockOn(1, 0, transfers: 2, forgeSignature: true));
        Assert.Equal(["dead 1 Signature"], chain.Sink.Log);
        Assert.Null(chain.Banks[1]);
    }

    [Fact]
    public void A_block_on_a_dead_parent_is_unconnectable_and_children_waiting_on_it_are_dropped()
    {
        using ReplayChain chain = new();
        using ReplayChain leader = new();
        Bank genesis = chain.Banks[0]!;
        leader.Receive(leader.BlockOn(1, 0, transfers: 1));
        WholeBlock child = leader.BlockOn(2, 1, transfers: 1);
        chain.Receive(child); // waits for slot 1
        chain.Receive(chain.Block(1, 0, genesis.LastBlockhash, genesis.LastBlockhash, transfers: 1, from: chain.Unfunded));
        chain.Receive(child with { Slot = 3, BlockId = Hash.Compute("another"u8) });
        Assert.Equal(["waiting 2", "dead 1 Execution", "unconnectable 2", "unconnectable 3"], chain.Sink.Log);
        Assert.Equal(0, chain.Machine.BlocksWaiting);
    }

    [Fact]
    public void The_same_block_twice_is_held_and_a_full_waiting_room_drops_the_next_orphan()
    {
        using ReplayChain chain = new();
        WholeBlock block = chain.BlockOn(1, 0, transfers: 1);
        chain.Receive(block);
        chain.Receive(block);
        for (ulong slot = 10; slot < 15; slot++) chain.Receive(block with { Slot = slot, ParentSlot = 9 });
        Assert.Equal(["replayed 1 1", "held 1", "waiting 10", "waiting 11", "waiting 12", "waiting 13", "unconnectable 14"], chain.Sink.Log);
    }

    [Fact]
    public void Rooting_past_the_parent_of_waiting_blocks_drops_them()
    {
        using ReplayChain chain = new();
        chain.Receive(chain.BlockOn(1, 0, transfers: 1));
        WholeBlock orphan = chain.BlockOn(2, 1, transfers: 1) with { Slot = 5, ParentSlot = 3 };
        chain.Receive(orphan);
        chain.Banks.SetRoot(1);
        chain.Machine.OnRooted(4, ref chain.Sink);
        Assert.Equal(["replayed 1 1", "waiting 5", "unconnectable 5"], chain.Sink.Log);
        Assert.Equal(0, chain.Machine.BlocksWaiting);
        Assert.Equal(0UL, chain.Machine.HighestWaitingSlot);
    }
}
