using System.Buffers.Binary;
using Fast.Core.Primitives;
using Fast.Core.Rng;
using Fast.Core.Shreds;

namespace Fast.Core.Turbine;

/// <summary>A cluster node as Turbine sees it: its identity and its stake (lamports; zero-stake nodes still get every shred).</summary>
public readonly record struct TurbineNode(Pubkey Identity, ulong Stake);

/// <summary>
/// Who sends each shred to whom (ARCHITECTURE.md "Turbine", after Agave's cluster_nodes.rs): the
/// slot's leader sends a shred to the root of a tree over every other node; each node retransmits to
/// its children. Per shred the tree is a fresh stake-weighted shuffle of the nodes without the
/// leader, seeded by sha256(slot u64 LE ‖ shred index u32 LE ‖ kind u8 (0x80 data, 0x40 coding) ‖
/// leader pubkey) through <see cref="DeterministicRng"/>: staked nodes are drawn one at a time with
/// probability stake / remaining stake (integer draws, no floating point), then the zero-stake
/// nodes follow in a uniform shuffle of the same stream. Position 0 is the root; with fanout F the
/// node at position p sends to positions p·F + 1 … p·F + F (those below the node count): the root
/// to 1..F (layer 1), position p of layer 1 to F + 1 + (p − 1)·F … p·F + F (layer 2), and so on
/// down when the cluster is larger than 1 + F + F². Every position q ≥ 1 has exactly one parent,
/// ⌊(q − 1) / F⌋, so every non-leader node gets each shred exactly once. The node list is sorted by
/// identity here, so every node computes the same tree from the same stakes. Reusable scratch (a
/// Fenwick tree of stakes, the shuffle) makes each call allocation-free: one thread at a time.
/// </summary>
public sealed class TurbineTree
{
    /// <summary>Agave's DATA_PLANE_FANOUT and the default of --turbine-fanout.</summary>
    public const int DefaultFanout = 200;

    private const int SeedSize = sizeof(ulong) + sizeof(uint) + 1 + Pubkey.Size;

    private readonly TurbineNode[] _nodes;
    private readonly ulong[] _stakeTree;
    private readonly int[] _zeroStake;
    private readonly ulong _totalStake;
    private readonly ulong[] _tree;
    private readonly int[] _order;
    private readonly int _highestStep;

    /// <summary>Sorts <paramref name="nodes"/> by identity (duplicates are a bug and throw; so is a total stake past 2^64 − 1).</summary>
    public TurbineTree(ReadOnlySpan<TurbineNode> nodes, int fanout = DefaultFanout)
    {
        if (fanout < 1) ThrowHelper.ThrowArgument(nameof(fanout), "must be at least 1");
        Fanout = fanout;
        _nodes = nodes.ToArray();
        Array.Sort(_nodes, static (a, b) => a.Identity.CompareTo(b.Identity));
        int zeroStake = 0;
        for (int i = 0; i < _nodes.Length; i++)
        {
            if (i > 0 && _nodes[i].Identity == _nodes[i - 1].Identity) ThrowHelper.ThrowArgument(nameof(nodes), "an identity appears twice");
            _totalStake = checked(_totalStake + _nodes[i].Stake);
            if (_nodes[i].Stake == 0) zeroStake++;
        }
        _zeroStake = new int[zeroStake];
        for (int i = 0, z = 0; i < _nodes.Length; i++)
        {
            if (_nodes[i].Stake == 0) _zeroStake[z++] = i;
        }
        // Fenwick tree (1-based) over the stakes in identity order, built in O(n).
        _stakeTree = new ulong[_nodes.Length + 1];
        for (int i = 1; i <= _nodes.Length; i++)
        {
            _stakeTree[i] += _nodes[i - 1].Stake;
            int parent = i + (i & -i);
            if (parent <= _nodes.Length) _stakeTree[parent] += _stakeTree[i];
        }
        _tree = new ulong[_nodes.Length + 1];
        _order = new int[_nodes.Length];
        _highestStep = _nodes.Length == 0 ? 0 : 1 << System.Numerics.BitOperations.Log2((uint)_nodes.Length);
    }

    public int Fanout { get; }

    /// <summary>The nodes in identity order; every index this type returns points in here.</summary>
    public ReadOnlySpan<TurbineNode> Nodes => _nodes;

    /// <summary>The index of <paramref name="identity"/> in <see cref="Nodes"/>, or −1.</summary>
    public int IndexOf(in Pubkey identity)
    {
        int low = 0, high = _nodes.Length - 1;
        while (low <= high)
        {
            int middle = (low + high) >>> 1;
            int order = _nodes[middle].Identity.CompareTo(identity);
            if (order == 0) return middle;
            if (order < 0) low = middle + 1;
            else high = middle - 1;
        }
        return -1;
    }

    /// <summary>The node the leader sends this shred to (an index into <see cref="Nodes"/>), or −1 when the leader is the only node.</summary>
    public int Root(ulong slot, uint shredIndex, ShredKind kind, in Pubkey leader)
    {
        int count = ShufflePrefix(slot, shredIndex, kind, leader, self: -1, limit: 1, out _);
        return count == 0 ? -1 : _order[0];
    }

    /// <summary>
    /// The nodes <paramref name="self"/> retransmits this shred to, written to <paramref name="destination"/>
    /// (indexes into <see cref="Nodes"/>, at most <see cref="Fanout"/>; a shorter span is a bug and throws
    /// when it would overflow); returns how many. None for the leader, a node not in the list, or a leaf.
    /// </summary>
    public int Children(in Pubkey self, ulong slot, uint shredIndex, ShredKind kind, in Pubkey leader, Span<int> destination)
    {
        int selfIndex = IndexOf(self);
        if (selfIndex < 0 || self == leader) return 0;
        int count = ShufflePrefix(slot, shredIndex, kind, leader, selfIndex, limit: int.MaxValue, out int position);
        long first = (long)position * Fanout + 1;
        if (first >= count) return 0;
        int children = (int)Math.Min(Fanout, count - first);
        if (destination.Length < children) ThrowHelper.ThrowArgument(nameof(destination), "shorter than the node's children (size it to the fanout)");
        _order.AsSpan((int)first, children).CopyTo(destination);
        return children;
    }

    /// <summary>The whole tree in position order (root first; indexes into <see cref="Nodes"/>, the leader left out); returns how many.</summary>
    public int Shuffle(ulong slot, uint shredIndex, ShredKind kind, in Pubkey leader, Span<int> destination)
    {
        int count = ShufflePrefix(slot, shredIndex, kind, leader, self: -1, limit: int.MaxValue, out _);
        if (destination.Length < count) ThrowHelper.ThrowArgument(nameof(destination), "shorter than the node count");
        _order.AsSpan(0, count).CopyTo(destination);
        return count;
    }

    /// <summary>
    /// Writes the shuffle into <c>_order</c> as far as needed: <paramref name="limit"/> positions, or —
    /// with <paramref name="self"/> ≥ 0 — until self's children's positions are drawn. Returns the number
    /// of non-leader nodes (the tree's size) and self's position (−1 when not drawn).
    /// </summary>
    private int ShufflePrefix(ulong slot, uint shredIndex, ShredKind kind, in Pubkey leader, int self, int limit, out int selfPosition)
    {
        selfPosition = -1;
        Span<byte> seed = stackalloc byte[SeedSize];
        BinaryPrimitives.WriteUInt64LittleEndian(seed, slot);
        BinaryPrimitives.WriteUInt32LittleEndian(seed[8..], shredIndex);
        seed[12] = (byte)kind;
        leader.CopyTo(seed[13..]);
        DeterministicRng rng = new(seed);

        int leaderIndex = IndexOf(leader);
        int count = _nodes.Length - (leaderIndex >= 0 ? 1 : 0);
        _stakeTree.CopyTo(_tree, 0);
        ulong remaining = _totalStake;
        if (leaderIndex >= 0 && _nodes[leaderIndex].Stake != 0)
        {
            Remove(leaderIndex);
            remaining -= _nodes[leaderIndex].Stake;
        }

        int position = 0;
        long needed = limit;
        while (remaining != 0 && position < needed)
        {
            int drawn = Find(rng.NextBelow(remaining));
            remaining -= _nodes[drawn].Stake;
            Remove(drawn);
            Place(drawn, position++, self, count, ref needed, ref selfPosition);
        }
        if (position < needed && _zeroStake.Length != 0)
        {
            // Zero-stake nodes after every staked one, uniformly shuffled (Fisher–Yates from the front).
            int start = position;
            foreach (int z in _zeroStake)
            {
                if (z != leaderIndex) _order[position++] = z;
            }
            int end = position;
            position = start;
            for (; position < end && position < needed; position++)
            {
                int j = position + rng.NextInt(end - position);
                (_order[position], _order[j]) = (_order[j], _order[position]);
                Place(_order[position], position, self, count, ref needed, ref selfPosition);
            }
        }
        return count;
    }

    private void Place(int node, int position, int self, int count, ref long needed, ref int selfPosition)
    {
        _order[position] = node;
        if (node != self) return;
        selfPosition = position;
        // Self's children are positions p·F + 1 … p·F + F: draw up to the last of them (or to the end);
        // a leaf needs nothing more.
        long firstChild = (long)position * Fanout + 1;
        needed = firstChild >= count ? position + 1 : Math.Min(count, firstChild + Fanout);
    }

    /// <summary>The node whose cumulative-stake interval holds <paramref name="target"/> (&lt; remaining stake): the smallest i with prefix(i + 1) &gt; target.</summary>
    private int Find(ulong target)
    {
        int position = 0;
        for (int step = _highestStep; step != 0; step >>= 1)
        {
            int next = position + step;
            if (next <= _nodes.Length && _tree[next] <= target)
            {
                position = next;
                target -= _tree[next];
            }
        }
        return position;
    }

    private void Remove(int node)
    {
        ulong stake = _nodes[node].Stake;
        for (int i = node + 1; i <= _nodes.Length; i += i & -i) _tree[i] -= stake;
    }
}
