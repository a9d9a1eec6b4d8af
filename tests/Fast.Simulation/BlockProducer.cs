using Fast.Core.Codec;
using Fast.Core.Ledger;
using Fast.Core.Primitives;
using Fast.Core.Shreds;
using Fast.Crypto;
using Fast.Core.Transactions;
using Fast.Exec;
using Fast.Exec.Banking;
using Fast.Exec.Programs;
using Fast.Exec.Validity;
using Fast.Validator.Forks;
using Fast.Validator.Leader;

namespace Fast.Simulation;

/// <summary>
/// What a simulated leader puts in its blocks and how it sends them: PoH ticks (the skipped slots'
/// ticks too, Solana's rule) and entries of real signed transfers at --tps, streamed during the slot
/// through the real <see cref="Shredder"/> (32:32 chained, signed FEC sets) to each shred's Turbine
/// root. The leader executes what it records, as Fast.Node's banking stage does: its block opens a
/// bank on the parent it chose (the PoH and the transfers' blockhash start from the parent's last
/// tick), each entry's transfers are admitted by the block rules (<see cref="EntryAdmission"/>, so it
/// never records one that cannot pay) and executed before the next entry, and the bank freezes to
/// its bank hash when the slot ends — the hash every replayer must reproduce. An equivocating
/// (byzantine) leader builds a second version of every block (its PoH one hash off, so it cannot
/// replay) and sends one version to each half of the cluster directly; an invalid-block leader slips
/// a transfer from an unfunded payer into each block, drops its own bank and keeps building on the
/// honest chain. Stands in for the banking core until that moves into Fast.Validator.
/// </summary>
internal sealed class BlockProducer
{
    public const uint TicksPerSlot = 8;
    public const ulong HashesPerTick = 64;
    private const int TransfersPerEntry = 64;

    private readonly Simulation _sim;
    // By leader node: a leader starts its block on its own thread (a node step, NodeWorkers), so what
    // Start touches is that node's alone; Step and Finish run between steps, in node order.
    private readonly Production?[] _active;
    private readonly byte[]?[] _setBuffers;
    private readonly byte[]?[] _entryBuffers;
    private readonly (Shredder A, Shredder B)?[] _shredders;
    private readonly byte[] _txBuffer = new byte[(TransfersPerEntry + 1) * SystemTransaction.TransferLength];
    private readonly Keypair[] _payers;
    private readonly Pubkey[] _payees;
    private readonly Keypair _unfunded;
    private readonly EntryAdmission _admission = new();
    private readonly VerifiedTransaction[] _entryTransactions = new VerifiedTransaction[TransfersPerEntry + 1];
    private readonly TransactionResult[] _results = new TransactionResult[TransfersPerEntry + 1];
    private long _transferCounter;

    public BlockProducer(Simulation sim, Keypair[] payers, Keypair unfunded)
    {
        _sim = sim;
        _payers = payers;
        _payees = [.. payers.Select(k => new Pubkey(k.PublicKey))];
        _unfunded = unfunded;
        _active = new Production?[sim.Nodes.Length];
        _setBuffers = new byte[]?[sim.Nodes.Length];
        _entryBuffers = new byte[]?[sim.Nodes.Length];
        _shredders = new (Shredder A, Shredder B)?[sim.Nodes.Length];
        _versionSignatures = new List<(ulong Slot, Hash SignatureR, bool VersionB)>?[sim.Nodes.Length];
    }

    // By byzantine leader node (written only on that leader's turn, like _active): each FEC set it signed, by the
    // first half (R) of its root signature, and which version the set belongs to.
    private readonly List<(ulong Slot, Hash SignatureR, bool VersionB)>?[] _versionSignatures;

    /// <summary>
    /// Which version of an equivocating leader's slot a set signature belongs to (read after the run): the
    /// first 32 bytes (R) of every set root signature the byzantine leaders sent, with true for version B.
    /// Deterministic Schnorr signing never repeats R for two different roots, so R names one signed set.
    /// </summary>
    public SortedDictionary<(ulong Slot, Hash SignatureR), bool> EquivocatedSetVersions()
    {
        SortedDictionary<(ulong, Hash), bool> versions = [];
        foreach (List<(ulong Slot, Hash SignatureR, bool VersionB)>? sets in _versionSignatures)
        {
            if (sets is null) continue;
            foreach ((ulong slot, Hash r, bool b) in sets) versions[(slot, r)] = b;
        }
        return versions;
    }

    /// <summary>The slots an equivocating leader sent two versions of (read after the run).</summary>
    public SortedSet<ulong> EquivocatedSlots()
    {
        SortedSet<ulong> slots = [];
        foreach (List<(ulong Slot, Hash SignatureR, bool VersionB)>? sets in _versionSignatures)
        {
            if (sets is null) continue;
            foreach ((ulong slot, Hash _, bool b) in sets)
            {
                if (b) slots.Add(slot);
            }
        }
        return slots;
    }

    public long SlotsProduced { get; private set; }
    public long SlotsSkippedByLeader => Interlocked.Read(ref _slotsSkippedByLeader);
    private long _slotsSkippedByLeader;
    public long TransfersSent { get; private set; }

    /// <summary>Transfers the leaders' admission refused (none in an honest run: each payer holds far more than it spends).</summary>
    public long TransfersRefused { get; private set; }

    /// <summary>Slots whose block carries a transfer from an unfunded payer (made by the invalid-block leaders).</summary>
    public SortedSet<ulong> InvalidBlocks { get; } = [];

    /// <summary>Per produced slot: when the leader sent its last shred, how many FEC sets and data shreds it had, its block.</summary>
    public SortedDictionary<ulong, (long LastSendNs, int Sets, BlockRef Block, int Leader)> Produced { get; } = [];

    private sealed class Production(int node, ulong slot, BlockRef parent, Hash pohA, Hash pohB, Shredder a, Shredder? b, long slotStartNs, Bank bank, bool corrupt, byte[] setBuffer, byte[] entryBuffer)
    {
        public readonly byte[] SetBuffer = setBuffer;
        public readonly byte[] EntryBuffer = entryBuffer;
        public readonly Bank Bank = bank;
        public readonly Hash Blockhash = pohA; // the parent's last tick: the newest blockhash the block's transfers may use
        public bool CorruptPending = corrupt;
        public readonly int Node = node;
        public readonly ulong Slot = slot;
        public readonly BlockRef Parent = parent;
        public Hash PohA = pohA;
        public Hash PohB = pohB;
        public readonly Shredder A = a;
        public readonly Shredder? B = b;
        public readonly long SlotStartNs = slotStartNs;
        public uint TicksDone;
        public ulong HashesSinceTick; // the entries' hashes since the last tick: the next tick makes up the rest of HashesPerTick
        public long TransfersDone;
        public int Sets;
    }

    public void Start(SimNode node, ulong slot, BlockRef parent)
    {
        if (node.Banks[parent.Slot] is not { IsFrozen: true } parentBank || node.Banks[slot] is not null)
        {
            Interlocked.Increment(ref _slotsSkippedByLeader); // the chosen parent's bank is gone (rooted past) or the slot already has one
            return;
        }
        if (node.Replay.BlocksWaiting > 0 && node.Replay.HighestWaitingSlot > parent.Slot)
        {
            // As Fast.Node's banking stage: blocks above our tip wait for parents we lack, so we are behind (repairing) and a block on our stale tip would fork the cluster.
            Interlocked.Increment(ref _slotsSkippedByLeader);
            return;
        }
        Hash start = parentBank.LastBlockhash;
        Bank bank = node.Banks.NewBank(slot, parent.Slot, node.Identity);
        (Shredder A, Shredder B) s = _shredders[node.Index] ??= (new Shredder(node.Key, Simulation.ShredVersion), new Shredder(node.Key, Simulation.ShredVersion));
        byte[] setBuffer = _setBuffers[node.Index] ??= new byte[Shredder.SetBufferSize];
        byte[] entryBuffer = _entryBuffers[node.Index] ??= new byte[EntryView.HeaderSize + 3 + (TransfersPerEntry + 1) * SystemTransaction.TransferLength];
        s.A.BeginSlot(slot, parent.Slot, parent.Id);
        Hash startB = start;
        if (node.Byzantine)
        {
            s.B.BeginSlot(slot, parent.Slot, parent.Id);
            startB = EntryHashing.NextHash(start, 1, default, isTick: true);
        }
        Production p = new(node.Index, slot, parent, start, startB, s.A, node.Byzantine ? s.B : null, _sim.SlotStartNs(slot), bank, node.MakesInvalidBlocks, setBuffer, entryBuffer);
        _active[node.Index] = p;
        // The skipped slots' ticks come first (a block on parent P for slot S carries (S − P) × ticks_per_slot ticks).
        for (ulong missed = parent.Slot + 1; missed < slot; missed++)
        {
            for (uint t = 0; t < TicksPerSlot; t++) AppendTick(p);
        }
        p.TicksDone = 0; // the block's own slot's ticks are counted from here
        Flush(node, p);
    }

    public void Skipped(SimNode node, ulong slot, LeaderSkipReason reason) => Interlocked.Increment(ref _slotsSkippedByLeader);

    /// <summary>A 20 ms step of every active leader: the ticks and transfers due by <paramref name="now"/>.</summary>
    public void Step(long now)
    {
        foreach (Production? p in _active)
        {
            if (p is null) continue;
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
        foreach (Production? p in _active)
        {
            if (p is null || p.Slot != slot) continue;
            _active[p.Node] = null;
            SimNode node = _sim.Nodes[p.Node];
            if (node.Down)
            {
                node.Banks.Remove(p.Slot); // the crash lost the open bank with the rest of the process
                continue;
            }
            long due = (long)_sim.Options.Tps * _sim.Options.SlotMs / 1000;
            if (due > p.TransfersDone || p.CorruptPending) AppendTransfers(p, (int)Math.Min(TransfersPerEntry, Math.Max(0, due - p.TransfersDone)));
            while (p.TicksDone < TicksPerSlot) AppendTick(p);
            Flush(node, p);
            ShreddedFecSet last = p.A.FinishSlot(p.SetBuffer);
            Send(node, p, last, versionB: false);
            if (p.B is not null)
            {
                ShreddedFecSet lastB = p.B.FinishSlot(p.SetBuffer);
                Send(node, p, lastB, versionB: true);
            }
            BlockRef block = new(slot, last.Root);
            SlotsProduced++;
            Produced[slot] = (_sim.Events.Now, p.Sets, block, node.Index);
            if (node.MakesInvalidBlocks)
            {
                // It knows its block cannot replay: it drops the bank and builds its next block on the honest chain.
                InvalidBlocks.Add(slot);
                node.Banks.Remove(slot);
                continue;
            }
            p.Bank.Freeze(p.PohA);
            node.OwnBlockFinished(block, p.Parent, p.Bank);
        }
    }

    /// <summary>A tick: with the entries since the last tick, exactly <see cref="HashesPerTick"/> hashes (the PoH rule).</summary>
    private void AppendTick(Production p)
    {
        ulong hashes = HashesPerTick - p.HashesSinceTick;
        p.HashesSinceTick = 0;
        p.PohA = EntryHashing.NextHash(p.PohA, hashes, default, isTick: true);
        WriteAndAppend(p.EntryBuffer, p.A, hashes, p.PohA, 0, default);
        if (p.B is not null)
        {
            p.PohB = EntryHashing.NextHash(p.PohB, hashes, default, isTick: true);
            WriteAndAppend(p.EntryBuffer, p.B, hashes, p.PohB, 0, default);
        }
        p.TicksDone++;
    }

    /// <summary>
    /// An entry of up to <paramref name="count"/> transfers: each is admitted against the leader's bank
    /// (the block rules), the admitted ones execute on it, and the entry is recorded (mixed into PoH,
    /// shredded). An invalid-block leader's first entry also carries one transfer from an unfunded payer.
    /// </summary>
    private void AppendTransfers(Production p, int count)
    {
        int length = 0, admitted = 0;
        _admission.BeginEntry(p.Bank);
        for (int i = 0; i < count; i++)
        {
            long n = _transferCounter++;
            Keypair from = _payers[n % _payers.Length];
            // Any other payee: an offset of 1 .. P − 1 never lands on the payer; the amount changes every P × (P − 1)
            // transfers, so no two transfers on one blockhash are the same transaction.
            Pubkey to = _payees[(n % _payers.Length + 1 + n / _payers.Length % (_payers.Length - 1)) % _payees.Length];
            ulong lamports = 1 + (ulong)(n / (_payers.Length * (_payers.Length - 1)));
            int size = SystemTransaction.WriteTransfer(_txBuffer.AsSpan(length), from, to, lamports, p.Blockhash);
            if (!TransactionView.TryParse(_txBuffer.AsSpan(length, size), out TransactionView tx).IsOk) throw new InvalidOperationException("the producer wrote a transfer it cannot parse");
            if (_admission.Admit(p.Bank, tx) != Admission.Admitted)
            {
                TransfersRefused++;
                continue;
            }
            _entryTransactions[admitted++] = new VerifiedTransaction(_txBuffer, length, tx.Layout);
            length += size;
        }
        p.TransfersDone += count;
        TransfersSent += admitted;
        if (admitted > 0)
        {
            _sim.Scheduler.Execute(p.Bank, _entryTransactions.AsSpan(0, admitted), _results);
            for (int i = 0; i < admitted; i++)
            {
                if (!_results[i].IsCommitted) throw new InvalidOperationException($"an admitted transfer was not committed ({_results[i].Error}): admission and execution disagree");
            }
            _sim.Nodes[p.Node].TransactionsExecuted += admitted;
        }
        int recorded = admitted;
        if (p.CorruptPending)
        {
            p.CorruptPending = false;
            length += SystemTransaction.WriteTransfer(_txBuffer.AsSpan(length), _unfunded, _payees[0], 1, p.Blockhash);
            recorded++;
        }
        if (recorded == 0) return;
        count = recorded;
        if (p.HashesSinceTick + 1 >= HashesPerTick) throw new InvalidOperationException("more entries between two ticks than hashes per tick");
        p.HashesSinceTick++;
        ReadOnlySpan<byte> txs = _txBuffer.AsSpan(0, length);
        p.PohA = MixIn(p.EntryBuffer, p.PohA, count, txs);
        WriteAndAppend(p.EntryBuffer, p.A, 1, p.PohA, count, txs);
        if (p.B is not null)
        {
            p.PohB = MixIn(p.EntryBuffer, p.PohB, count, txs);
            WriteAndAppend(p.EntryBuffer, p.B, 1, p.PohB, count, txs);
        }
    }

    private static Hash MixIn(byte[] entryBuffer, in Hash start, int count, ReadOnlySpan<byte> txs)
    {
        SpanWriter w = new(entryBuffer);
        EntryWriter.Write(ref w, 1, default, count, txs);
        if (!EntryView.TryParse(w.Written, out EntryView view).IsOk) throw new InvalidOperationException("the producer wrote an entry it cannot parse");
        return EntryHashing.NextHash(start, 1, EntryHashing.TransactionsHash(view), isTick: false);
    }

    private static void WriteAndAppend(byte[] entryBuffer, Shredder shredder, ulong numHashes, in Hash hash, int count, ReadOnlySpan<byte> txs)
    {
        SpanWriter w = new(entryBuffer);
        EntryWriter.Write(ref w, numHashes, hash, count, txs);
        if (!shredder.TryAppend(w.Written)) throw new InvalidOperationException("a simulated block outgrew the slot's shred limit");
    }

    private void Flush(SimNode node, Production p)
    {
        while (p.A.TryTakeFullSet(p.SetBuffer, out ShreddedFecSet set))
        {
            Send(node, p, set, versionB: false);
            p.Sets++;
        }
        if (p.B is null) return;
        while (p.B.TryTakeFullSet(p.SetBuffer, out ShreddedFecSet setB)) Send(node, p, setB, versionB: true);
    }

    private void Send(SimNode node, Production p, in ShreddedFecSet set, bool versionB)
    {
        if (!versionB && set.IsLastInSlot) p.Sets++;
        for (int leaf = 0; leaf < set.ShredCount; leaf++)
        {
            byte[] shred = set.Shred(p.SetBuffer, leaf).ToArray();
            bool isData = leaf < set.DataShreds;
            uint index = isData ? set.FecSetIndex + (uint)leaf : set.FecSetIndex + (uint)(leaf - set.DataShreds);
            if (isData && !versionB) node.StoreOwnShred(p.Slot, index, shred);
            if (p.B is null)
            {
                if (node.Routes.TryRoot(p.Slot, node.Identity, index, isData, out Fast.Validator.Net.PeerAddress root)) _sim.Network.Send(node.Index, node.Events, root, shred, shred.Length);
                continue;
            }
            if (leaf == 0 && ShredView.TryParse(shred, out ShredView first).IsOk)
            {
                (_versionSignatures[node.Index] ??= []).Add((p.Slot, new Hash(first.SignatureBytes[..Hash.Size]), versionB));
            }
            // Byzantine: version A to the lower half of the nodes, version B to the upper half, directly.
            int n = _sim.Nodes.Length;
            for (int i = versionB ? n / 2 : 0; i < (versionB ? n : n / 2); i++)
            {
                if (i != node.Index) _sim.Network.Send(node.Index, node.Events, _sim.Nodes[i].TvuAddress, shred, shred.Length);
            }
        }
    }
}
