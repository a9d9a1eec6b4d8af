using System.Collections.Concurrent;
using Fast.Core.Collections;
using Fast.Core.Shreds;
using Fast.Crypto;

namespace Fast.Node.Cluster;

/// <summary>
/// Turns the leader's block into shreds as the ledger writer persists it (broadcast, issue 11 item
/// 5): each entry goes into a <see cref="Shredder"/> (32:32 chained Merkle FEC sets; the first set
/// chains to the parent's block id; the last set is padded to 32:32 too), every full set is signed
/// and its shreds queued for the cluster network thread (<see cref="ClusterNetwork.OwnShreds"/>),
/// and the finished block's id goes to the fork trees (<see cref="OwnBlocks"/> for banking,
/// <see cref="ClusterNetwork.OwnBlocks"/> for repair). The banking thread says which parent a slot
/// builds on (<see cref="Starts"/>) before PoH starts it. Ledger writer thread only, except the queues.
/// </summary>
public sealed class BlockBroadcaster(Keypair leader, ushort shredVersion, ClusterNetwork network)
{
    private readonly Shredder _shredder = new(leader, shredVersion);
    private readonly byte[] _setBuffer = new byte[Shredder.SetBufferSize];
    private BlockStart _current;
    private bool _inBlock;
    private bool _overflowed;

    /// <summary>In (banking → ledger writer): the parent of each block this node starts, in slot order.</summary>
    public ConcurrentQueue<BlockStart> Starts { get; } = new();

    /// <summary>Out (→ banking): each finished block's id.</summary>
    public BoundedQueue<OwnBlock> OwnBlocks { get; } = new(256);

    public long SetsBroadcast { get; private set; }
    public long BlocksBroadcast { get; private set; }
    public long ShredsDroppedQueueFull { get; private set; }
    public long BlocksTooLarge { get; private set; }

    /// <summary>Starts shredding <paramref name="slot"/>; returns its parent slot, or null when banking never started that block (not ours).</summary>
    public ulong? BeginSlot(ulong slot)
    {
        if (_inBlock) _shredder.FinishSlot(_setBuffer); // an abandoned block: its last set is never sent, so peers never see it whole
        _inBlock = false;
        while (Starts.TryPeek(out BlockStart start) && start.Slot < slot) Starts.TryDequeue(out _);
        if (!Starts.TryPeek(out BlockStart next) || next.Slot != slot) return null;
        Starts.TryDequeue(out _current);
        _shredder.BeginSlot(slot, _current.ParentSlot, _current.ParentBlockId);
        _inBlock = true;
        _overflowed = false;
        return _current.ParentSlot;
    }

    /// <summary>One entry of the block (its wire bytes); full FEC sets go out at once.</summary>
    public void Append(ReadOnlySpan<byte> entry)
    {
        if (!_inBlock || _overflowed) return;
        if (!_shredder.TryAppend(entry))
        {
            _overflowed = true; // past the slot's shred limit: the block cannot be sent whole, so it is never finished
            BlocksTooLarge++;
            return;
        }
        while (_shredder.TryTakeFullSet(_setBuffer, out ShreddedFecSet set)) Queue(set);
    }

    /// <summary>The block's final tick was written: the last set goes out and the block id is announced (null when there is no whole block to announce).</summary>
    public OwnBlock? Finish()
    {
        if (!_inBlock) return null;
        _inBlock = false;
        if (_overflowed)
        {
            _shredder.FinishSlot(_setBuffer);
            return null;
        }
        while (_shredder.TryTakeFullSet(_setBuffer, out ShreddedFecSet full)) Queue(full);
        ShreddedFecSet last = _shredder.FinishSlot(_setBuffer);
        Queue(last);
        OwnBlock block = new(_current.Slot, _current.ParentSlot, last.Root, _current.ParentBlockId);
        OwnBlocks.TryEnqueue(block);
        network.OwnBlocks.TryEnqueue(block);
        network.Wake();
        BlocksBroadcast++;
        return block;
    }

    private void Queue(in ShreddedFecSet set)
    {
        SetsBroadcast++;
        for (int leaf = 0; leaf < set.ShredCount; leaf++)
        {
            bool isData = leaf < set.DataShreds;
            uint index = isData ? set.FecSetIndex + (uint)leaf : set.FecSetIndex + (uint)(leaf - set.DataShreds);
            byte[] bytes = set.Shred(_setBuffer, leaf).ToArray();
            if (!network.OwnShreds.TryEnqueue(new OwnShred(set.Slot, index, isData, bytes))) ShredsDroppedQueueFull++;
        }
        network.Wake();
    }
}
