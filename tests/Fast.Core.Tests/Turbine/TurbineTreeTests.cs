using Fast.Core.Primitives;
using Fast.Core.Shreds;
using Fast.Core.Turbine;
using Fast.Testing;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Fast.Core.Tests.Turbine;

/// <summary>The stake-weighted Turbine tree: coverage, stake proportionality, determinism, and what non-members get.</summary>
public class TurbineTreeTests
{
    private static Pubkey Identity(int i) => new(Hash.Compute(BitConverter.GetBytes(i)).Span);

    /// <summary><paramref name="count"/> nodes with stakes 1..count × 1,000 (every fifth with zero stake when <paramref name="someUnstaked"/>).</summary>
    private static TurbineNode[] Cluster(int count, bool someUnstaked = false)
    {
        var nodes = new TurbineNode[count];
        for (int i = 0; i < count; i++) nodes[i] = new TurbineNode(Identity(i), someUnstaked && i % 5 == 4 ? 0 : (ulong)(i + 1) * 1000);
        return nodes;
    }

    [Theory]
    [InlineData(4, 2)]
    [InlineData(4, 8)]
    [InlineData(4, 200)]
    [InlineData(10, 2)]
    [InlineData(10, 8)]
    [InlineData(10, 200)]
    [InlineData(100, 2)]
    [InlineData(100, 8)]
    [InlineData(100, 200)]
    [InlineData(1000, 2)]
    [InlineData(1000, 8)]
    [InlineData(1000, 200)]
    public void Every_node_but_the_leader_receives_each_shred_exactly_once(int count, int fanout)
    {
        TurbineNode[] nodes = Cluster(count, someUnstaked: true);
        TurbineTree tree = new(nodes, fanout);
        int[] received = new int[count];
        int[] children = new int[fanout];
        int shreds = count >= 1000 ? 2 : 6;
        for (int shred = 0; shred < shreds; shred++)
        {
            Pubkey leader = nodes[shred % count].Identity;
            ShredKind kind = shred % 2 == 0 ? ShredKind.Data : ShredKind.Coding;
            Array.Clear(received);
            received[tree.Root(7, (uint)shred, kind, leader)]++;
            foreach (TurbineNode node in tree.Nodes)
            {
                int n = tree.Children(node.Identity, 7, (uint)shred, kind, leader, children);
                Assert.True(n <= fanout);
                for (int i = 0; i < n; i++) received[children[i]]++;
            }
            int leaderIndex = tree.IndexOf(leader);
            for (int i = 0; i < count; i++) Assert.Equal(i == leaderIndex ? 0 : 1, received[i]);
        }
    }

    [Fact]
    public void Any_cluster_stakes_fanout_and_leader_give_a_tree_that_reaches_every_other_node_once()
    {
        Gen<(int Count, int Fanout, int Seed, bool LeaderInList)> cases =
            from count in Gen.Choose(1, 300)
            from fanout in Gen.Choose(1, 20)
            from seed in Gen.Choose(0, int.MaxValue)
            from leaderInList in Gen.Elements(true, false)
            select (count, fanout, seed, leaderInList);
        Config config = Config.QuickThrowOnFailure.WithMaxTest(60).WithQuietOnSuccess(true);
        Check.One(config, Prop.ForAll(cases.ToArbitrary(), c =>
        {
            Random random = new(c.Seed);
            var nodes = new TurbineNode[c.Count];
            for (int i = 0; i < c.Count; i++) nodes[i] = new TurbineNode(Identity(random.Next()), random.Next(4) == 0 ? 0 : (ulong)random.NextInt64(1, long.MaxValue / 1000));
            if (nodes.DistinctBy(n => n.Identity).Count() != c.Count) return true;
            TurbineTree tree = new(nodes, c.Fanout);
            Pubkey leader = c.LeaderInList ? nodes[random.Next(c.Count)].Identity : Identity(-7);
            uint shred = (uint)random.Next(32_768);
            int[] received = new int[c.Count];
            int[] children = new int[c.Fanout];
            int root = tree.Root(1234, shred, ShredKind.Data, leader);
            if (root >= 0) received[root]++;
            foreach (TurbineNode node in tree.Nodes)
            {
                int n = tree.Children(node.Identity, 1234, shred, ShredKind.Data, leader, children);
                for (int i = 0; i < n; i++) received[children[i]]++;
            }
            int leaderIndex = tree.IndexOf(leader);
            return Enumerable.Range(0, c.Count).All(i => received[i] == (i == leaderIndex ? 0 : 1));
        }));
    }

    [Fact]
    public void A_leader_outside_the_node_list_still_reaches_every_node_exactly_once()
    {
        TurbineTree tree = new(Cluster(37), 4);
        Pubkey outsider = Identity(-1);
        int[] received = new int[37];
        int[] children = new int[4];
        received[tree.Root(3, 9, ShredKind.Data, outsider)]++;
        foreach (TurbineNode node in tree.Nodes)
        {
            int n = tree.Children(node.Identity, 3, 9, ShredKind.Data, outsider, children);
            for (int i = 0; i < n; i++) received[children[i]]++;
        }
        Assert.All(received, r => Assert.Equal(1, r));
    }

    [Fact]
    public void The_layout_is_breadth_first_root_then_its_fanout_then_theirs()
    {
        TurbineNode[] nodes = Cluster(30);
        TurbineTree tree = new(nodes, 3);
        Pubkey leader = nodes[0].Identity;
        int[] order = new int[30];
        Assert.Equal(29, tree.Shuffle(11, 4, ShredKind.Data, leader, order));
        Assert.Equal(order[0], tree.Root(11, 4, ShredKind.Data, leader));
        int[] children = new int[3];
        for (int p = 0; p < 29; p++)
        {
            int n = tree.Children(tree.Nodes[order[p]].Identity, 11, 4, ShredKind.Data, leader, children);
            int expected = Math.Clamp(29 - (p * 3 + 1), 0, 3);
            Assert.Equal(expected, n);
            for (int i = 0; i < n; i++) Assert.Equal(order[p * 3 + 1 + i], children[i]);
        }
    }

    [Fact]
    public void Higher_stake_is_root_proportionally_more_often()
    {
        // Stakes 1, 2, 3, 4 (× 1,000) and a leader with the largest stake of all, left out of every tree.
        TurbineNode[] nodes = [.. Cluster(4), new TurbineNode(Identity(99), 50_000)];
        TurbineTree tree = new(nodes, 200);
        const int Shreds = 20_000;
        int[] roots = new int[nodes.Length];
        for (int shred = 0; shred < Shreds; shred++) roots[tree.Root(42, (uint)shred, ShredKind.Data, Identity(99))]++;
        Assert.Equal(0, roots[tree.IndexOf(Identity(99))]);
        for (int i = 0; i < 4; i++)
        {
            int index = tree.IndexOf(Identity(i));
            double p = (i + 1) / 10.0, expected = Shreds * p, sigma = Math.Sqrt(Shreds * p * (1 - p));
            Assert.InRange(roots[index], expected - 5 * sigma, expected + 5 * sigma);
        }
    }

    [Fact]
    public void The_same_inputs_give_the_same_tree_whatever_order_the_nodes_come_in()
    {
        TurbineNode[] nodes = Cluster(50, someUnstaked: true);
        TurbineNode[] reversed = [.. nodes.Reverse()];
        TurbineTree a = new(nodes, 5), b = new(reversed, 5);
        int[] first = new int[50], second = new int[50], again = new int[50];
        Pubkey leader = nodes[7].Identity;
        a.Shuffle(100, 17, ShredKind.Coding, leader, first);
        b.Shuffle(100, 17, ShredKind.Coding, leader, second);
        a.Shuffle(100, 17, ShredKind.Coding, leader, again);
        Assert.Equal(first, second);
        Assert.Equal(first, again);
        a.Shuffle(100, 17, ShredKind.Data, leader, second);
        Assert.NotEqual(first, second);
        a.Shuffle(100, 18, ShredKind.Coding, leader, second);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void A_node_not_in_the_list_and_the_leader_get_no_children()
    {
        TurbineNode[] nodes = Cluster(10);
        TurbineTree tree = new(nodes, 2);
        int[] children = new int[2];
        Assert.Equal(0, tree.Children(Identity(12345), 5, 0, ShredKind.Data, nodes[0].Identity, children));
        Assert.Equal(0, tree.Children(nodes[0].Identity, 5, 0, ShredKind.Data, nodes[0].Identity, children));
        Assert.Equal(-1, tree.IndexOf(Identity(12345)));
    }

    [Fact]
    public void A_cluster_of_only_the_leader_has_no_root()
    {
        TurbineNode[] nodes = Cluster(1);
        Assert.Equal(-1, new TurbineTree(nodes).Root(1, 0, ShredKind.Data, nodes[0].Identity));
    }

    [Fact]
    public void Duplicate_identities_are_refused()
    {
        TurbineNode[] nodes = [new(Identity(1), 5), new(Identity(1), 6)];
        Assert.Throws<ArgumentException>(() => new TurbineTree(nodes));
    }

    [Fact]
    public void Computing_roots_and_children_allocates_nothing()
    {
        TurbineNode[] nodes = Cluster(100, someUnstaked: true);
        TurbineTree tree = new(nodes, 8);
        int[] children = new int[8];
        uint shred = 0;
        Assert.Equal(0, Allocations.Measure(50, () =>
        {
            tree.Root(9, shred, ShredKind.Data, nodes[3].Identity);
            tree.Children(nodes[(int)(shred % 100)].Identity, 9, shred, ShredKind.Data, nodes[3].Identity, children);
            shred++;
        }));
    }
}
