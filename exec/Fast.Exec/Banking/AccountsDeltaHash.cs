using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Fast.Core.Merkle;
using Fast.Core.Primitives;
using Fast.Crypto;
using Fast.Exec.Scheduling;
using Fast.Storage.Accounts;

namespace Fast.Exec.Banking;

/// <summary>
/// Computes a freezing bank's accounts-delta hash — the Merkle root of <see cref="AccountHash"/> over
/// every account the slot stored, sorted by pubkey — in parts that the scheduler's workers share
/// (<see cref="SealevelScheduler.RunParallel"/>): first the leaves, many at a time on the multi-lane
/// SHA-256 (<see cref="Sha256MultiLane.HashMany"/>; an account with data is hashed alone), together
/// with the sort (keys bucketed by their first byte, each bucket sorted by its 8-byte prefixes, runs of
/// equal prefixes by whole keys); then subtrees of <see cref="LeavesPerSubtree"/> leaves, level by level
/// on the multi-lane SHA-256; then the few subtree roots on the calling thread. A subtree over an
/// aligned power-of-two range of leaves is a node of the whole tree (a level pairs 2i with 2i + 1 and
/// only its last node is ever promoted), so the root is the one <see cref="MerkleTree"/> defines.
/// <para>Threads: one freeze at a time per instance (BankContext hands a spare one to a concurrent
/// freeze); its parts run on the freezing thread and the scheduler's helpers. Buffers grow to the
/// largest slot and are kept; per-part scratch is pooled: no steady-state allocation.</para>
/// </summary>
internal sealed class AccountsDeltaHash : ParallelJob
{
    private const int LeavesPerPart = 1024;
    private const int LeavesPerSubtree = 4096;
    private const int Buckets = 256;
    private const int NodePreimageSize = 1 + 2 * Hash.Size;

    /// <summary>Fewer stored accounts than this are hashed on the freezing thread alone (waking helpers costs more).</summary>
    public const int ParallelThreshold = 4096;

    private AccountOverlay? _overlay;
    private int _count;
    private int _leafParts;
    private bool _subtreePhase;
    private int[] _written = [];
    private ulong[] _prefixes = [];
    private Hash[] _leaves = [];
    private ulong[] _sortedPrefixes = [];
    private int[] _order = [];
    private Hash[] _levels = [];
    private Hash[] _subtreeRoots = [];

    // Scratch of the parts, one region per part (whichever thread runs it): sized with the leaves, so
    // a steady state allocates nothing on any thread (a shared pool would hand a thread that rarely
    // runs a part a new array the first time it does).
    private byte[] _leafPreimages = [];
    private byte[] _leafDigests = [];
    private int[] _batched = [];
    private byte[] _nodePreimages = [];
    private readonly int[] _bucketStart = new int[Buckets + 1];
    private readonly int[] _bucketCursor = new int[Buckets];

    /// <summary>The accounts-delta hash of <paramref name="overlay"/>'s stored accounts, on <paramref name="workers"/>' threads when given.</summary>
    public Hash Compute(AccountOverlay overlay, SealevelScheduler? workers)
    {
        int count = 0;
        for (int i = 0; i < overlay.Count; i++)
        {
            if (overlay[i].Written) count++;
        }
        if (count == 0) return Hash.Zero;
        Grow(count);
        _overlay = overlay;
        _count = count;
        int n = 0;
        for (int i = 0; i < overlay.Count; i++)
        {
            if (!overlay[i].Written) continue;
            _written[n] = i;
            _prefixes[n++] = BinaryPrimitives.ReadUInt64BigEndian(overlay[i].Key.Span);
        }
        Bucket();
        try
        {
            _leafParts = (count + LeavesPerPart - 1) / LeavesPerPart;
            _subtreePhase = false;
            Run(workers, _leafParts + Buckets);
            int subtrees = (count + LeavesPerSubtree - 1) / LeavesPerSubtree;
            _subtreePhase = true;
            Run(workers, subtrees);
            return MerkleTree.ComputeRootInPlace(_subtreeRoots.AsSpan(0, subtrees));
        }
        finally
        {
            _overlay = null;
        }
    }

    private void Run(SealevelScheduler? workers, int parts)
    {
        if (workers is null || _count < ParallelThreshold) RunSerially(parts);
        else workers.RunParallel(this, parts);
    }

    protected override void RunPart(int part)
    {
        if (_subtreePhase) HashSubtree(part);
        else if (part < _leafParts) HashLeaves(part);
        else SortBucket(part - _leafParts);
    }

    /// <summary>Distributes positions into buckets by the key's first byte (two linear passes; each bucket is then sorted on its own).</summary>
    private void Bucket()
    {
        Array.Clear(_bucketStart);
        for (int p = 0; p < _count; p++) _bucketStart[(int)(_prefixes[p] >> 56) + 1]++;
        for (int b = 0; b < Buckets; b++) _bucketStart[b + 1] += _bucketStart[b];
        _bucketStart.AsSpan(0, Buckets).CopyTo(_bucketCursor);
        for (int p = 0; p < _count; p++)
        {
            int k = _bucketCursor[(int)(_prefixes[p] >> 56)]++;
            _sortedPrefixes[k] = _prefixes[p];
            _order[k] = p;
        }
    }

    /// <summary>Sorts one bucket by prefix, then each run of equal prefixes by whole key (keys are user-chosen, so equal prefixes can be made on purpose).</summary>
    private void SortBucket(int bucket)
    {
        int start = _bucketStart[bucket], end = _bucketStart[bucket + 1];
        if (end - start < 2) return;
        Span<ulong> prefixes = _sortedPrefixes.AsSpan(start, end - start);
        Span<int> order = _order.AsSpan(start, end - start);
        prefixes.Sort(order);
        for (int run = 0; run < prefixes.Length;)
        {
            int runEnd = run + 1;
            while (runEnd < prefixes.Length && prefixes[runEnd] == prefixes[run]) runEnd++;
            if (runEnd - run > 1) order[run..runEnd].Sort(new ByKey(_overlay!, _written));
            run = runEnd;
        }
    }

    /// <summary>Leaf hashes of positions [part·1024, …): accounts without data many at a time, the others one by one.</summary>
    private void HashLeaves(int part)
    {
        AccountOverlay overlay = _overlay!;
        int start = part * LeavesPerPart, end = Math.Min(_count, start + LeavesPerPart);
        Span<byte> preimages = _leafPreimages.AsSpan(start * AccountHash.HeaderSize, LeavesPerPart * AccountHash.HeaderSize);
        Span<byte> digests = _leafDigests.AsSpan(start * Hash.Size, LeavesPerPart * Hash.Size);
        Span<int> batched = _batched.AsSpan(start, LeavesPerPart);
        {
            int n = 0;
            for (int p = start; p < end; p++)
            {
                ref AccountEntry entry = ref overlay[_written[p]];
                if (entry.Data.Length == 0)
                {
                    AccountHash.WritePreimage(entry, preimages.Slice(n * AccountHash.HeaderSize, AccountHash.HeaderSize));
                    batched[n++] = p;
                }
                else
                {
                    _leaves[p] = AccountHash.Compute(entry);
                }
            }
            Sha256MultiLane.HashMany(preimages[..(n * AccountHash.HeaderSize)], AccountHash.HeaderSize, digests);
            for (int i = 0; i < n; i++) _leaves[batched[i]] = new Hash(digests.Slice(i * Hash.Size, Hash.Size));
        }
    }

    /// <summary>The root of subtree <paramref name="subtree"/>: its leaves in key order, folded level by level, each level's nodes hashed many at a time.</summary>
    private void HashSubtree(int subtree)
    {
        int start = subtree * LeavesPerSubtree;
        int count = Math.Min(LeavesPerSubtree, _count - start);
        Span<Hash> level = _levels.AsSpan(start, count);
        for (int i = 0; i < count; i++) level[i] = _leaves[_order[start + i]];
        Span<byte> preimages = _nodePreimages.AsSpan(subtree * (LeavesPerSubtree / 2 * NodePreimageSize), LeavesPerSubtree / 2 * NodePreimageSize);
        {
            while (count > 1)
            {
                int pairs = count / 2;
                for (int i = 0; i < pairs; i++)
                {
                    Span<byte> preimage = preimages.Slice(i * NodePreimageSize, NodePreimageSize);
                    preimage[0] = MerkleTree.NodePrefix;
                    level[2 * i].CopyTo(preimage.Slice(1, Hash.Size));
                    level[2 * i + 1].CopyTo(preimage.Slice(1 + Hash.Size, Hash.Size));
                }
                Sha256MultiLane.HashMany(preimages[..(pairs * NodePreimageSize)], NodePreimageSize, MemoryMarshal.AsBytes(level[..pairs]));
                if ((count & 1) != 0) level[pairs] = level[count - 1]; // the odd last node is promoted
                count = pairs + (count & 1);
            }
        }
        _subtreeRoots[subtree] = level[0];
    }

    private void Grow(int count)
    {
        if (_written.Length >= count) return;
        int size = (int)Math.Min(Array.MaxLength, Math.Max(count, 2L * _written.Length));
        _written = new int[size];
        _prefixes = new ulong[size];
        _leaves = new Hash[size];
        _sortedPrefixes = new ulong[size];
        _order = new int[size];
        _levels = new Hash[size];
        _subtreeRoots = new Hash[(size + LeavesPerSubtree - 1) / LeavesPerSubtree];
        int parts = (size + LeavesPerPart - 1) / LeavesPerPart;
        _leafPreimages = new byte[parts * LeavesPerPart * AccountHash.HeaderSize];
        _leafDigests = new byte[parts * LeavesPerPart * Hash.Size];
        _batched = new int[parts * LeavesPerPart];
        _nodePreimages = new byte[_subtreeRoots.Length * (LeavesPerSubtree / 2 * NodePreimageSize)];
    }

    /// <summary>Orders positions by their accounts' whole keys.</summary>
    private readonly struct ByKey(AccountOverlay overlay, int[] written) : IComparer<int>
    {
        public int Compare(int x, int y) => overlay[written[x]].Key.CompareTo(overlay[written[y]].Key);
    }
}
