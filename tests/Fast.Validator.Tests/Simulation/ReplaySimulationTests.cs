using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Simulation;
using Fast.Validator.Replay;
using Xunit;

namespace Fast.Validator.Tests.Simulation;

/// <summary>Execution in the cluster simulation: every node replays blocks on its own banks, and a byzantine block dies everywhere.</summary>
public sealed class ReplaySimulationTests
{
    [Fact]
    public void Nodes_rooted_at_one_slot_hold_the_same_executed_balances_and_bank_hash()
    {
        using Fast.Simulation.Simulation sim = new(SimulationOptions.Parse(["--validators", "6", "--slots", "60", "--seed", "11", "--loss", "0.05", "--tps", "333"]));
        JsonElement r = JsonDocument.Parse(sim.Run().ToJson()).RootElement.GetProperty("results");
        Assert.Equal(0, r.GetProperty("bank_hash_mismatches").GetInt64());

        // The largest group of nodes at one root: same bank hash, same balances, and the transfers really moved lamports.
        IGrouping<ulong, SimNode> group = sim.Nodes.GroupBy(n => n.Banks.Root.Slot).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First();
        Assert.True(group.Count() >= 2 && group.Key > 0, $"{group.Count()} nodes rooted at {group.Key}");
        Bank[] roots = [.. group.Select(n => n.Banks.Root)];
        Assert.All(roots, b => Assert.Equal(roots[0].Hash, b.Hash));
        Pubkey[] payers = [.. sim.Genesis.Accounts.Take(64).Select(a => a.Key)];
        int moved = 0;
        foreach (Pubkey payer in payers)
        {
            ulong balance = roots[0].GetBalance(payer);
            Assert.All(roots, b => Assert.Equal(balance, b.GetBalance(payer)));
            if (balance != Fast.Simulation.Simulation.PayerLamports) moved++;
        }
        Assert.True(moved > payers.Length / 2, $"only {moved} payers' balances changed");
        Assert.True(roots[0].TransactionCount > 0 || sim.Nodes.All(n => n.TransactionsExecuted > 0));
        Assert.All(sim.Nodes, n => Assert.True(n.SlotsReplayed > 0, $"node {n.Index} replayed nothing"));
    }

    [Fact]
    public void A_leaders_block_with_a_transfer_from_an_unfunded_payer_is_marked_dead_by_every_honest_node()
    {
        using Fast.Simulation.Simulation sim = new(SimulationOptions.Parse(["--validators", "8", "--slots", "60", "--seed", "2", "--tps", "100", "--invalid-block-leaders", "1"]));
        JsonElement r = JsonDocument.Parse(sim.Run().ToJson()).RootElement.GetProperty("results");
        long invalid = r.GetProperty("invalid_blocks_produced").GetInt64();
        Assert.True(invalid > 0, "the invalid-block leader led some slots");
        Assert.Equal(invalid, r.GetProperty("invalid_blocks_dead_on_every_honest_node").GetInt64());
        Assert.Equal(0, r.GetProperty("bank_hash_mismatches").GetInt64());
        Assert.Equal(0, r.GetProperty("root_divergence").GetInt64());
        Assert.True(r.GetProperty("lowest_root_slot").GetInt64() > 0, "the honest chain keeps rooting");
        foreach (SimNode node in sim.Nodes.Where(n => !n.MakesInvalidBlocks))
        {
            foreach (ulong slot in sim.Producer.InvalidBlocks)
            {
                Assert.Equal(ReplayFailure.Execution, node.DeadSlots[slot]);
                Assert.False(node.Forks.ContainsSlot(slot), $"node {node.Index} built on dead slot {slot}");
            }
        }
    }
}
