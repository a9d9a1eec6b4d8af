namespace Fast.Validator.Forks;

/// <summary>What <see cref="ForkTree.Add"/> did with a block.</summary>
public enum ForkAddStatus : byte
{
    /// <summary>Joined the tree: its parent is in it (and every orphan waiting on it joined too).</summary>
    Connected,
    /// <summary>Held until its parent arrives (a late or repaired parent connects it).</summary>
    Orphan,
    /// <summary>Already known.</summary>
    Duplicate,
    /// <summary>At or below the root, or its parent is not the root's descendant: it can never be on the chain.</summary>
    BelowRoot,
    /// <summary>Its parent slot is not below its slot.</summary>
    InvalidParent,
    /// <summary>The orphan pool is full; dropped (counted by the caller).</summary>
    OrphanPoolFull,
}

/// <summary>
/// The replayed blocks a node knows, as a tree under its root, and the two decisions made on it
/// until consensus exists (issue 11 item 9): the fork to build on and to report (the replayed block
/// with the highest slot, ties to the lowest block id), and the root — a block at least
/// <see cref="RootDepth"/> slots below the chosen tip on its chain, every block between replayed.
/// A root never reverts: only the root's descendants are ever chosen, and advancing the root prunes
/// every other branch. This is a local judgement (the simulator measures how often two honest nodes
/// root different blocks at one slot); votes replace it with the tower.
/// A slot whose leader was caught equivocating (<see cref="MarkDuplicate"/>) is never chosen, nor is
/// anything built on it: until consensus can pick one version, the honest cluster routes around both
/// (the next leaders build on the slot's parent, so nodes that saw different versions converge).
/// Deterministic: sorted collections only. Not thread-safe: one machine owns it.
/// </summary>
public sealed class ForkTree
{
    /// <summary>Slots a block must lie below the chosen tip to be rooted (Tower BFT's 32-deep lockout, minus the tip).</summary>
    public const int RootDepth = 31;

    private readonly SortedDictionary<BlockRef, BlockRef> _parents = [];
    private readonly SortedDictionary<BlockRef, SortedSet<BlockRef>> _children = [];
    private readonly SortedDictionary<BlockRef, BlockRef> _orphans = [];
    private readonly SortedDictionary<BlockRef, SortedSet<BlockRef>> _orphansByParent = [];
    private readonly int _maxOrphans;
    private readonly SortedSet<ulong> _duplicateSlots = [];

    public ForkTree(BlockRef root, int maxOrphans = 4096)
    {
        Root = root;
        _children[root] = [];
        _maxOrphans = maxOrphans;
        Best = root;
    }

    public BlockRef Root { get; private set; }

    /// <summary>The chosen tip: the highest-slot block under the root (ties: lowest id).</summary>
    public BlockRef Best { get; private set; }

    /// <summary>Blocks in the tree, the root included.</summary>
    public int Count => _children.Count;

    public int OrphanCount => _orphans.Count;

    /// <summary>The highest slot of a block waiting for its parent (0 when none): above <see cref="Best"/>, the node is behind.</summary>
    public ulong HighestOrphanSlot => _orphans.Count == 0 ? 0 : _orphans.Keys.Last().Slot;

    public bool Contains(BlockRef block) => _children.ContainsKey(block);

    /// <summary>True when <paramref name="slot"/> holds some block of the tree (the root or any descendant).</summary>
    public bool ContainsSlot(ulong slot)
    {
        foreach (BlockRef b in _children.Keys) if (b.Slot == slot) return true;
        return false;
    }

    /// <summary>Adds a replayed block whose parent is <paramref name="parent"/>.</summary>
    public ForkAddStatus Add(BlockRef block, BlockRef parent)
    {
        if (parent.Slot >= block.Slot) return ForkAddStatus.InvalidParent;
        if (block.Slot <= Root.Slot) return ForkAddStatus.BelowRoot;
        if (_children.ContainsKey(block) || _orphans.ContainsKey(block)) return ForkAddStatus.Duplicate;
        if (!_children.ContainsKey(parent))
        {
            if (parent.Slot < Root.Slot || (parent.Slot == Root.Slot && parent != Root)) return ForkAddStatus.BelowRoot;
            if (_orphans.Count >= _maxOrphans) return ForkAddStatus.OrphanPoolFull;
            _orphans[block] = parent;
            if (!_orphansByParent.TryGetValue(parent, out SortedSet<BlockRef>? siblings)) _orphansByParent[parent] = siblings = [];
            siblings.Add(block);
            return ForkAddStatus.Orphan;
        }
        Attach(block, parent);
        // Orphans waiting on this block (and on theirs) join now, lowest first.
        Stack<BlockRef> joined = new();
        joined.Push(block);
        while (joined.Count > 0)
        {
            BlockRef b = joined.Pop();
            if (!_orphansByParent.Remove(b, out SortedSet<BlockRef>? waiting)) continue;
            foreach (BlockRef orphan in waiting)
            {
                _orphans.Remove(orphan);
                Attach(orphan, b);
                joined.Push(orphan);
            }
        }
        return ForkAddStatus.Connected;
    }

    /// <summary>
    /// The blocks orphans wait for that are neither in the tree nor orphans themselves (the deepest
    /// gap of each orphan chain), lowest first; returns how many were written. What orphan repair asks for.
    /// </summary>
    public int MissingParents(Span<BlockRef> missing)
    {
        int n = 0;
        foreach (BlockRef parent in _orphansByParent.Keys)
        {
            if (n == missing.Length) break;
            if (!_orphans.ContainsKey(parent) && !_children.ContainsKey(parent)) missing[n++] = parent;
        }
        return n;
    }

    public bool IsDuplicate(ulong slot) => _duplicateSlots.Contains(slot);

    /// <summary>
    /// The leader of <paramref name="slot"/> equivocated: neither version (nor any block built on one)
    /// is chosen or rooted any more. A slot at or below the root is final and stays.
    /// </summary>
    public void MarkDuplicate(ulong slot)
    {
        if (slot <= Root.Slot || !_duplicateSlots.Add(slot)) return;
        Best = Root;
        foreach (BlockRef b in _children.Keys)
        {
            if (IsBetter(b, Best) && IsEligible(b)) Best = b;
        }
    }

    /// <summary>The parent of a block in the tree (false for the root and unknown blocks).</summary>
    public bool TryGetParent(BlockRef block, out BlockRef parent) => _parents.TryGetValue(block, out parent);

    /// <summary>True when <paramref name="ancestor"/> is <paramref name="block"/> or lies on its chain to the root.</summary>
    public bool IsAncestor(BlockRef ancestor, BlockRef block)
    {
        for (BlockRef b = block; ; )
        {
            if (b == ancestor) return true;
            if (b.Slot <= ancestor.Slot || !_parents.TryGetValue(b, out b)) return false;
        }
    }

    /// <summary>
    /// Advances the root to the deepest block on the chosen chain at least <see cref="RootDepth"/> slots
    /// below the tip, and prunes every branch that does not descend from it. Returns the blocks newly
    /// rooted, oldest first (empty when the root did not move).
    /// </summary>
    public List<BlockRef> AdvanceRoot()
    {
        List<BlockRef> rooted = [];
        if (Best.Slot < RootDepth) return rooted;
        ulong limit = Best.Slot - RootDepth;
        BlockRef candidate = Root;
        for (BlockRef b = Best; b != Root; b = _parents[b])
        {
            if (b.Slot <= limit) { candidate = b; break; }
        }
        if (candidate == Root) return rooted;
        for (BlockRef b = candidate; b != Root; b = _parents[b]) rooted.Add(b);
        rooted.Reverse();
        Prune(candidate);
        return rooted;
    }

    private void Attach(BlockRef block, BlockRef parent)
    {
        _parents[block] = parent;
        _children[parent].Add(block);
        _children[block] = [];
        if (IsBetter(block, Best) && IsEligible(block)) Best = block;
    }

    private static bool IsBetter(BlockRef candidate, BlockRef current) =>
        candidate.Slot > current.Slot || (candidate.Slot == current.Slot && candidate.Id.CompareTo(current.Id) < 0);

    /// <summary>False when the block or an ancestor below the root sits in a duplicate slot.</summary>
    private bool IsEligible(BlockRef block)
    {
        if (_duplicateSlots.Count == 0) return true;
        for (BlockRef b = block; b != Root; b = _parents[b])
        {
            if (_duplicateSlots.Contains(b.Slot)) return false;
        }
        return true;
    }

    private void Prune(BlockRef newRoot)
    {
        // Keep newRoot's subtree; drop everything else.
        HashSet<BlockRef> keep = [];
        Stack<BlockRef> stack = new();
        stack.Push(newRoot);
        while (stack.Count > 0)
        {
            BlockRef b = stack.Pop();
            keep.Add(b);
            foreach (BlockRef c in _children[b]) stack.Push(c);
        }
        List<BlockRef> drop = [];
        foreach (BlockRef b in _children.Keys) if (!keep.Contains(b)) drop.Add(b);
        foreach (BlockRef b in drop)
        {
            _children.Remove(b);
            _parents.Remove(b);
        }
        _parents.Remove(newRoot);
        Root = newRoot;
        _duplicateSlots.RemoveWhere(s => s <= newRoot.Slot);
        List<BlockRef> deadOrphans = [];
        foreach ((BlockRef orphan, BlockRef parent) in _orphans) if (orphan.Slot <= newRoot.Slot || parent.Slot < newRoot.Slot) deadOrphans.Add(orphan);
        foreach (BlockRef b in deadOrphans)
        {
            BlockRef parent = _orphans[b];
            _orphans.Remove(b);
            if (_orphansByParent.TryGetValue(parent, out SortedSet<BlockRef>? siblings) && siblings.Remove(b) && siblings.Count == 0) _orphansByParent.Remove(parent);
        }
        // Best stays: it descends from the new root by construction (the root is on its chain).
    }
}
