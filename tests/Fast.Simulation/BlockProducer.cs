using Fast.Core.Codec;
using Fast.Core.Ledger;
using Fast.Core.Primitives;
using Fast.Core.Shreds;
using Fast.Crypto;
using Fast.Exec.Programs;
using Fast.Validator.Forks;
using Fast.Validator.Leader;

namespace Fast.Simulation;

/// <summary>
/// What a simulated leader puts in its blocks and how it sends them: PoH ticks (the skipped slots'
/// ticks too, Solana's rule) and entries of real signed transfers at --tps, streamed during the slot
/// through the real <see cref="Shredder"/> (32:32 chained, signed FEC sets) to each shred's Turbine
/// root. A byzantine leader builds a second version of every block (its PoH one hash off) and sends
/// one version to each half of the cluster directly. Stands in for the banking core until that moves
/// into Fast.Validator; the transfers are not executed yet.
/// </summary>
internal sealed class BlockProducer
{
    public const uint TicksPerSlot = 8;
    public const ulong HashesPerTick = 64;
    private const int TransfersPerEntry = 64;

    private readonly Simulation _sim;
    private readonly Dictionary<int, Production> _active = [];
    private readonly byte[] _setBuffer = new byte[Shredder.SetBufferSize];
    private readonly byte[] _entryBuffer = new byte[EntryView.HeaderSize + 3 + TransfersPerEntry * SystemTransaction.TransferLength];
    private readonly byte[] _txBuffer = new byte[TransfersPerEntry * SystemTransaction.TransferLength];
    private readonly Keypair[] _payers;
    private readonly Pubkey[] _payees;
    private long _transferCounter;

    public BlockProducer(Simulation sim, Keypair[] payers)
    {
        _sim = sim;
        _payers = payers;
        _payees = [.. payers.Select(k => new Pubkey(k.PublicKey))];
    }

    public long SlotsProduced { get; private set; }
    public long SlotsSkippedByLeader { get; private set; }
    public long TransfersSent { get; private set; }

    /// <summary>Per produced slot: when the leader sent its last shred, how many FEC sets and data shreds it had, its block.</summary>
    public SortedDictionary<ulong, (long LastSendNs, int Sets, BlockRef Block, int Leader)> Produced { get; } = [];

    private sealed class Production(int node, ulong slot, BlockRef parent, Hash pohA, Hash pohB, Shredder a, Shredder? b, long slotStartNs)
    {
        public readonly int Node = node;
        public readonly ulong Slot = slot;
        public readonly BlockRef Parent = parent;
        public Hash PohA = pohA;
        public Hash PohB = pohB;
        public readonly Shredder A = a;
        public readonly Shredder? B = b;
        public readonly long SlotStartNs = slotStartNs;
        public uint TicksDone;
        public long TransfersDone;
        public int Sets;
    }

    private readonly Dictionary<int, (Shredder A, Shredder B)> _shredders = [];

    public void Start(SimNode node, ulong slot, BlockRef parent)
    {
        if (!node.LastEntryHash.TryGetValue(parent, out Hash start)) start = parent.Id;
        if (!_shredders.TryGetValue(node.Index, out (Shredder A, Shredder B) s))
        {
            s = (new Shredder(node.Key, Simulation.ShredVersion), new Shredder(node.Key, Simulation.ShredVersion));
            _shredders[node.Index] = s;
        }
        s.A.BeginSlot(slot, parent.Slot, parent.Id);
        Hash startB = start;
        if (node.Byzantine)
        {
            s.B.BeginSlot(slot, parent.Slot, parent.Id);
            startB = EntryHashing.NextHash(start, 1, default, isTick: true);
        }
        Production p = new(node.Index, slot, parent, start, startB, s.A, node.Byzantine ? s.B : null, _sim.SlotStartNs(slot));
        _active[node.Index] = p;
        // The skipped slots' ticks come first (a block on parent P for slot S carries (S − P) × ticks_per_slot ticks).
        for (ulong missed = parent.Slot + 1; missed < slot; missed++)
        {
            for (uint t = 0; t < TicksPerSlot; t++) AppendTick(p);
        }
        Flush(node, p);
    }

    public void Skipped(SimNode node, ulong slot, LeaderSkipReason reason) => SlotsSkippedByLeader++;

    /// <summary>A 20 ms step of every active leader: the ticks and transfers due by <paramref name="now"/>.</summary>
    public void Step(long now)
    {
        foreach (Production p in _active.Values.OrderBy(p => p.Node))
        {
            SimNode node = _sim.Nodes[p.Node];
            if (node.Down) continue;
            long elapsed = Math.Min(now - p.SlotStartNs, _sim.SlotNs);
            uint ticksDue = (uint)(elapsed * TicksPerSlot / _sim.SlotNs);
            long transfersDue = elapsed * _sim.Options.Tps / 1_000_000_000;
            while (p.TransfersDone + TransfersPerEntry <= transfersDue) AppendTransfers(p, TransfersPerEntry);
            while (p.TicksDone < Math.Min(ticksDue, TicksPerSlot - 1)) AppendTick(p);
            Flush(node, p);
        }
    }

    /// <summary>The slot is over: the rest of its transfers and ticks, the last FEC set, and the block joins the leader's own forks.</summary>
    public void Finish(ulong slot)
    {
        foreach (Production p in _active.Values.Where(p => p.Slot == slot).OrderBy(p => p.Node).ToList())
        {
            _active.Remove(p.Node);
            SimNode node = _sim.Nodes[p.Node];
            if (node.Down) continue;
            long due = (long)_sim.Options.Tps * _sim.Options.SlotMs / 1000;
            if (due > p.TransfersDone) AppendTransfers(p, (int)Math.Min(TransfersPerEntry, due - p.TransfersDone));
            while (p.TicksDone < TicksPerSlot) AppendTick(p);
            Flush(node, p);
            ShreddedFecSet last = p.A.FinishSlot(_setBuffer);
            Send(node, p, last, versionB: false);
            if (p.B is not null)
            {
                ShreddedFecSet lastB = p.B.FinishSlot(_setBuffer);
                Send(node, p, lastB, versionB: true);
            }
            BlockRef block = new(slot, last.Root);
            SlotsProduced++;
            Produced[slot] = (_sim.Events.Now, p.Sets, block, node.Index);
            node.AddBlock(block, p.Parent, p.PohA);
        }
    }

    private void AppendTick(Production p)
    {
        p.PohA = EntryHashing.NextHash(p.PohA, HashesPerTick, default, isTick: true);
        WriteAndAppend(p.A, HashesPerTick, p.PohA, 0, default);
        if (p.B is not null)
        {
            p.PohB = EntryHashing.NextHash(p.PohB, HashesPerTick, default, isTick: true);
            WriteAndAppend(p.B, HashesPerTick, p.PohB, 0, default);
        }
        p.TicksDone++;
    }

    private void AppendTransfers(Production p, int count)
    {
        int length = 0;
        for (int i = 0; i < count; i++)
        {
            long n = _transferCounter++;
            Keypair from = _payers[n % _payers.Length];
            // Any other payee: an offset of 1 .. P − 1 never lands on the payer.
            Pubkey to = _payees[(n % _payers.Length + 1 + n / _payers.Length % (_payers.Length - 1)) % _payees.Length];
            length += SystemTransaction.WriteTransfer(_txBuffer.AsSpan(length), from, to, 1, _sim.GenesisHash);
        }
        p.TransfersDone += count;
        TransfersSent += count;
        ReadOnlySpan<byte> txs = _txBuffer.AsSpan(0, length);
        p.PohA = MixIn(p.PohA, count, txs);
        WriteAndAppend(p.A, 1, p.PohA, count, txs);
        if (p.B is not null)
        {
            p.PohB = MixIn(p.PohB, count, txs);
            WriteAndAppend(p.B, 1, p.PohB, count, txs);
        }
    }

    private Hash MixIn(in Hash start, int count, ReadOnlySpan<byte> txs)
    {
        SpanWriter w = new(_entryBuffer);
        EntryWriter.Write(ref w, 1, default, count, txs);
        if (!EntryView.TryParse(w.Written, out EntryView view).IsOk) throw new InvalidOperationException("the producer wrote an entry it cannot parse");
        return EntryHashing.NextHash(start, 1, EntryHashing.TransactionsHash(view), isTick: false);
    }

    private void WriteAndAppend(Shredder shredder, ulong numHashes, in Hash hash, int count, ReadOnlySpan<byte> txs)
    {
        SpanWriter w = new(_entryBuffer);
        EntryWriter.Write(ref w, numHashes, hash, count, txs);
        if (!shredder.TryAppend(w.Written)) throw new InvalidOperationException("a simulated block outgrew the slot's shred limit");
    }

    private void Flush(SimNode node, Production p)
    {
        while (p.A.TryTakeFullSet(_setBuffer, out ShreddedFecSet set))
        {
            Send(node, p, set, versionB: false);
            p.Sets++;
        }
        if (p.B is null) return;
        while (p.B.TryTakeFullSet(_setBuffer, out ShreddedFecSet setB)) Send(node, p, setB, versionB: true);
    }

    private void Send(SimNode node, Production p, in ShreddedFecSet set, bool versionB)
    {
        if (!versionB && set.IsLastInSlot) p.Sets++;
        for (int leaf = 0; leaf < set.ShredCount; leaf++)
        {
            byte[] shred = set.Shred(_setBuffer, leaf).ToArray();
            bool isData = leaf < set.DataShreds;
            uint index = isData ? set.FecSetIndex + (uint)leaf : set.FecSetIndex + (uint)(leaf - set.DataShreds);
            if (isData && !versionB) node.StoreOwnShred(p.Slot, index, shred);
            if (p.B is null)
            {
                if (node.Routes.TryRoot(p.Slot, node.Identity, index, isData, out Fast.Validator.Net.PeerAddress root)) _sim.Network.Send(node.Index, root, shred, shred.Length);
                continue;
            }
            // Byzantine: version A to the lower half of the nodes, version B to the upper half, directly.
            int n = _sim.Nodes.Length;
            for (int i = versionB ? n / 2 : 0; i < (versionB ? n : n / 2); i++)
            {
                if (i != node.Index) _sim.Network.Send(node.Index, _sim.Nodes[i].TvuAddress, shred, shred.Length);
            }
        }
    }
}
