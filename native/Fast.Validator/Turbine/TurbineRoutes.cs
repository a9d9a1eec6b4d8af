using Fast.Core.Primitives;
using Fast.Core.Shreds;
using Fast.Core.Turbine;
using Fast.Validator.Net;
using Fast.Validator.Tvu;

namespace Fast.Validator.Turbine;

/// <summary>
/// One node's view of the Turbine tree (ARCHITECTURE.md "Turbine"): for each shred, the stake-weighted
/// shuffle of <see cref="TurbineTree"/> gives the root the leader sends to and the children this node
/// retransmits to, and the peers' TVU addresses turn those into destinations. Shuffles are kept in a
/// <see cref="TurbineShuffleCache"/>, which several nodes of one simulation may share (every node
/// computes the same tree for a shred, so it is computed once). One thread at a time.
/// </summary>
public sealed class TurbineRoutes : IRetransmitRoutes
{
    private readonly TurbineShuffleCache _shuffles;
    private readonly PeerAddress[] _tvuByIndex;
    private readonly int _selfIndex;

    /// <param name="shuffles">The tree and its cache (shared only between nodes that agree on the node set).</param>
    /// <param name="self">This node's identity.</param>
    /// <param name="tvuAddress">A node's TVU address, by identity (from gossip or the devnet's layout).</param>
    public TurbineRoutes(TurbineShuffleCache shuffles, in Pubkey self, Func<Pubkey, PeerAddress> tvuAddress)
    {
        _shuffles = shuffles;
        ReadOnlySpan<TurbineNode> nodes = shuffles.Tree.Nodes;
        _tvuByIndex = new PeerAddress[nodes.Length];
        for (int i = 0; i < nodes.Length; i++) _tvuByIndex[i] = tvuAddress(nodes[i].Identity);
        _selfIndex = shuffles.Tree.IndexOf(self);
    }

    public int MaxChildren => _shuffles.Tree.Fanout;

    /// <summary>Re-reads every node's TVU address (gossip learned or changed some); unknown nodes get none and are skipped.</summary>
    public void UpdateAddresses(Func<Pubkey, PeerAddress> tvuAddress)
    {
        ReadOnlySpan<TurbineNode> nodes = _shuffles.Tree.Nodes;
        for (int i = 0; i < nodes.Length; i++) _tvuByIndex[i] = tvuAddress(nodes[i].Identity);
    }

    /// <summary>Where the leader sends a shred: the tree's root, or false when the leader is alone.</summary>
    public bool TryRoot(ulong slot, in Pubkey leader, uint index, bool isData, out PeerAddress root)
    {
        TurbineShuffleCache.Shuffle s = _shuffles.Get(slot, index, isData ? ShredKind.Data : ShredKind.Coding, leader);
        root = s.Count > 0 ? _tvuByIndex[s.Order[0]] : default;
        return s.Count > 0 && !root.IsUnspecified;
    }

    public int ChildrenOf(ulong slot, in Pubkey leader, uint index, bool isData, Span<PeerAddress> children)
    {
        if (_selfIndex < 0) return 0;
        TurbineShuffleCache.Shuffle s = _shuffles.Get(slot, index, isData ? ShredKind.Data : ShredKind.Coding, leader);
        int position = s.PositionOf[_selfIndex];
        if (position < 0) return 0;
        int fanout = _shuffles.Tree.Fanout;
        long first = (long)position * fanout + 1;
        int n = 0;
        for (long q = first; q < first + fanout && q < s.Count; q++)
        {
            PeerAddress child = _tvuByIndex[s.Order[q]];
            if (!child.IsUnspecified) children[n++] = child;
        }
        return n;
    }
}

/// <summary>
/// The last few hundred per-shred Turbine shuffles (order and each node's position), computed with
/// <see cref="TurbineTree.Shuffle"/>. A ring of reusable entries: steady state allocates nothing.
/// Keyed by (slot, index, kind, leader); a shuffle depends on nothing else.
/// </summary>
public sealed class TurbineShuffleCache
{
    /// <summary>One shred's tree: <see cref="Order"/>[position] = node index, <see cref="PositionOf"/>[node index] = position (−1 for the leader).</summary>
    public sealed class Shuffle(int nodes)
    {
        public readonly int[] Order = new int[nodes];
        public readonly int[] PositionOf = new int[nodes];
        public int Count;
        internal ulong Slot;
        internal uint Index;
        internal ShredKind Kind;
        internal Pubkey Leader;
        internal bool Used;
    }

    private readonly Shuffle[] _ring;
    private readonly Dictionary<(ulong, uint, ShredKind), int> _bySlotIndex = [];
    private int _next;

    public TurbineShuffleCache(TurbineTree tree, int capacity = 1024)
    {
        Tree = tree;
        _ring = new Shuffle[capacity];
        for (int i = 0; i < capacity; i++) _ring[i] = new Shuffle(tree.Nodes.Length);
    }

    public TurbineTree Tree { get; }

    public long Computed { get; private set; }

    public Shuffle Get(ulong slot, uint index, ShredKind kind, in Pubkey leader)
    {
        if (_bySlotIndex.TryGetValue((slot, index, kind), out int at) && _ring[at].Leader == leader) return _ring[at];
        Shuffle s = _ring[_next];
        if (s.Used) _bySlotIndex.Remove((s.Slot, s.Index, s.Kind));
        s.Count = Tree.Shuffle(slot, index, kind, leader, s.Order);
        Array.Fill(s.PositionOf, -1);
        for (int p = 0; p < s.Count; p++) s.PositionOf[s.Order[p]] = p;
        (s.Slot, s.Index, s.Kind, s.Leader, s.Used) = (slot, index, kind, leader, true);
        _bySlotIndex[(slot, index, kind)] = _next;
        _next = (_next + 1) % _ring.Length;
        Computed++;
        return s;
    }
}
