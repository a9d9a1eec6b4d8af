using Fast.Core.Primitives;
using Fast.Core.Repair;
using Fast.Core.Rng;
using Fast.Core.Shreds;
using Fast.Validator.Forks;
using Fast.Validator.Machines;
using Fast.Validator.Net;
using Fast.Validator.Signing;
using Fast.Validator.Tvu;

namespace Fast.Validator.Repair;

/// <summary>Repair's pacing and limits.</summary>
public sealed record RepairOptions
{
    /// <summary>A slot that made no progress for this long gets its missing shreds requested (200 ms, as Agave defers repair: a retransmit hop on a loaded host can pause that long, and erasure recovery usually completes the set meanwhile).</summary>
    public long StallNs { get; init; } = 200_000_000;

    /// <summary>A shred asked for and not received is asked for again (of another peer) after this long.</summary>
    public long RetryNs { get; init; } = 200_000_000;

    /// <summary>Requests sent per tick at most (a node far behind catches up at this pace).</summary>
    public int MaxRequestsPerTick { get; init; } = 256;

    /// <summary>Requests one peer may make of this node per second (burst: one second's worth).</summary>
    public int ServePerPeerPerSecond { get; init; } = 2_000;

    public int MaxOutstanding { get; init; } = 8_192;
}

/// <summary>
/// Repair (issue 11 item 7), sans-IO, both sides. As requester: each tick it looks at the slots the
/// shred receiver has not completed and that stalled, asks a random peer for each missing data shred
/// (or for the highest shred when the block's end is unknown), and asks for the missing parent of
/// every orphan block, and of every slot being received whose parent it has nothing of, so a node that
/// restarts or was cut off walks back to its fork; each request
/// carries a nonce, and only responses to outstanding nonces reach the receiver (as repaired shreds,
/// never retransmitted). As server: it answers signed requests addressed to this node from known
/// peers, within a per-peer rate, with the original shred from the store — one shred per 256-byte
/// request, so no amplification. Everything dropped is counted. One thread at a time.
/// </summary>
public sealed class RepairMachine
{
    private readonly INodeSigner _signer;
    private readonly ISignatureVerifier _verifier;
    private readonly RepairOptions _options;
    private DeterministicRng _rng;
    private RepairPeer[] _peers = [];
    private readonly SortedDictionary<Pubkey, int> _peerIndex = [];
    private readonly Dictionary<uint, long> _outstanding = [];
    private readonly Dictionary<(ulong Slot, uint Index, RepairKind Kind), long> _lastAsked = [];
    private readonly Dictionary<ulong, (int Held, long Since)> _progress = [];
    private readonly Dictionary<Pubkey, (long Tokens, long AtNs)> _buckets = [];
    private readonly byte[] _request = new byte[RepairRequestView.Size];
    private readonly byte[] _signed = new byte[SigningDomains.TagSize + RepairRequestView.Size];
    private readonly byte[] _response = new byte[ShredLayout.MaxShredSize + RepairWire.NonceSize];
    private readonly ulong[] _slots = new ulong[256];
    private readonly uint[] _missing = new uint[1024];
    private readonly BlockRef[] _orphans = new BlockRef[64];
    private RepairCounters _counters;
    private int _budget;

    public RepairMachine(INodeSigner signer, ISignatureVerifier verifier, ulong seed, RepairOptions? options = null)
    {
        _signer = signer;
        _verifier = verifier;
        _options = options ?? new RepairOptions();
        _rng = DeterministicRng.FromSeed(seed);
    }

    public RepairCounters Counters => _counters;

    /// <summary>The peers to ask and to serve (from gossip), this node excluded; sorted by identity here.</summary>
    public void SetPeers(ReadOnlySpan<RepairPeer> peers)
    {
        List<RepairPeer> list = [];
        foreach (RepairPeer p in peers) if (p.Identity != _signer.Identity) list.Add(p);
        list.Sort((a, b) => a.Identity.CompareTo(b.Identity));
        _peers = [.. list];
        _peerIndex.Clear();
        for (int i = 0; i < _peers.Length; i++) _peerIndex[_peers[i].Identity] = i;
    }

    /// <summary>Sends the requests due: stalled slots' missing shreds, and the parents of orphan blocks.</summary>
    public void OnTick<TSink>(NodeTime now, ShredReceiver receiver, ForkTree forks, ref TSink actions) where TSink : struct, ISendActions
    {
        ExpireOutstanding(now);
        if (_peers.Length == 0) return;
        _budget = _options.MaxRequestsPerTick;
        int orphans = forks.MissingParents(_orphans);
        for (int i = 0; i < orphans && _budget > 0; i++)
        {
            BlockRef parent = _orphans[i];
            if (parent.Slot <= forks.Root.Slot) continue;
            if (receiver.TryGetProgress(parent.Slot, out _, out _, out _)) continue; // being received: the stalled-slot path asks for it
            Ask(RepairKind.Orphan, parent.Slot, 0, now, ref actions);
        }
        int slots = receiver.IncompleteSlots(_slots);
        for (int i = 0; i < slots && _budget > 0; i++)
        {
            ulong slot = _slots[i];
            AskForUnknownParent(slot, receiver, forks, now, ref actions);
            receiver.TryGetProgress(slot, out int held, out long lastIndex, out long highest);
            if (!_progress.TryGetValue(slot, out (int Held, long Since) p) || p.Held != held)
            {
                _progress[slot] = (held, now.Nanoseconds);
                continue;
            }
            if (now.Nanoseconds - p.Since < _options.StallNs) continue;
            uint end = lastIndex >= 0 ? (uint)lastIndex + 1 : (uint)(highest + 1);
            int missing = receiver.MissingDataIndexes(slot, end, _missing);
            for (int m = 0; m < missing && _budget > 0; m++) Ask(RepairKind.Shred, slot, _missing[m], now, ref actions);
            if (lastIndex < 0 && _budget > 0) Ask(RepairKind.HighestShred, slot, (uint)(highest + 1), now, ref actions);
        }
        if (_progress.Count > 4 * _slots.Length) _progress.Clear();
    }

    /// <summary>
    /// A slot being received names its parent in every data shred: when that parent is above the root,
    /// not being received and no block here, its parent is asked for now (an orphan request) rather than
    /// once this slot is whole. A node behind by many blocks (restarted, or cut off) so walks its gap
    /// back at one round trip per block, and repairs the blocks' shreds side by side instead of one
    /// block after another.
    /// </summary>
    private void AskForUnknownParent<TSink>(ulong slot, ShredReceiver receiver, ForkTree forks, NodeTime now, ref TSink actions) where TSink : struct, ISendActions
    {
        if (!receiver.TryGetParentSlot(slot, out ulong parent) || parent <= forks.Root.Slot) return;
        if (receiver.TryGetProgress(parent, out _, out _, out _) || forks.ContainsSlot(parent)) return;
        Ask(RepairKind.Orphan, parent, 0, now, ref actions);
    }

    /// <summary>Forget bookkeeping for slots at or below the root.</summary>
    public void SetRoot(ulong root)
    {
        List<(ulong, uint, RepairKind)>? drop = null;
        foreach ((ulong Slot, uint Index, RepairKind Kind) key in _lastAsked.Keys) if (key.Slot <= root) (drop ??= []).Add(key);
        if (drop is not null) foreach ((ulong, uint, RepairKind) k in drop) _lastAsked.Remove(k);
        List<ulong>? slots = null;
        foreach (ulong s in _progress.Keys) if (s <= root) (slots ??= []).Add(s);
        if (slots is not null) foreach (ulong s in slots) _progress.Remove(s);
    }

    /// <summary>A response (a shred ‖ nonce) arrived: only answers to this node's outstanding requests reach the receiver.</summary>
    public void OnResponse<TSink>(ReadOnlySpan<byte> packet, ShredReceiver receiver, ref TSink tvuActions) where TSink : struct, ITvuActions
    {
        if (!RepairWire.TrySplitResponse(packet, out ReadOnlySpan<byte> shred, out uint nonce) || !_outstanding.Remove(nonce))
        {
            _counters.ResponsesUnsolicited++;
            return;
        }
        _counters.ResponsesAccepted++;
        receiver.OnShred(shred, ref tvuActions, fromRepair: true);
    }

    /// <summary>A request arrived from <paramref name="from"/>: answered from <paramref name="store"/> when it is signed, ours, known and within rate.</summary>
    public void OnRequest<TSink>(PeerAddress from, ReadOnlySpan<byte> packet, NodeTime now, IShredStore store, ref TSink actions) where TSink : struct, ISendActions
    {
        _counters.RequestsReceived++;
        if (!RepairRequestView.TryParse(packet, out RepairRequestView request).IsOk) { _counters.DroppedMalformed++; return; }
        if (request.Recipient != _signer.Identity) { _counters.DroppedWrongRecipient++; return; }
        Pubkey requester = request.Requester;
        if (!_peerIndex.ContainsKey(requester)) { _counters.DroppedUnknownRequester++; return; }
        int n = SigningDomains.Write(SigningDomain.RepairRequest, request.SignedPayload, _signed);
        if (!_verifier.Verify(requester, _signed.AsSpan(0, n), request.Signature)) { _counters.DroppedBadSignature++; return; }
        if (!TakeToken(requester, now)) { _counters.DroppedRateLimited++; return; }
        long index = request.Kind switch
        {
            RepairKind.Shred => request.Index,
            _ => store.HighestDataIndex(request.Slot),
        };
        if (index < 0 || (request.Kind == RepairKind.HighestShred && index < request.Index)) { _counters.NotHeld++; return; }
        int length = store.ReadDataShred(request.Slot, (uint)index, _response);
        if (length == 0) { _counters.NotHeld++; return; }
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(_response.AsSpan(length), request.Nonce);
        _counters.Served++;
        actions.Send(from, _response.AsSpan(0, length + RepairWire.NonceSize));
    }

    private void Ask<TSink>(RepairKind kind, ulong slot, uint index, NodeTime now, ref TSink actions) where TSink : struct, ISendActions
    {
        if (_outstanding.Count >= _options.MaxOutstanding) { _budget = 0; return; }
        if (_lastAsked.TryGetValue((slot, index, kind), out long at) && now.Nanoseconds - at < _options.RetryNs) return;
        _lastAsked[(slot, index, kind)] = now.Nanoseconds;
        RepairPeer peer = _peers[_rng.NextInt(_peers.Length)];
        uint nonce;
        do nonce = (uint)_rng.NextUInt64(); while (_outstanding.ContainsKey(nonce));
        RepairWire.WriteUnsigned(_request, kind, _signer.Identity, peer.Identity, slot, index, nonce);
        int n = SigningDomains.Write(SigningDomain.RepairRequest, _request.AsSpan(RepairRequestView.SignedOffset), _signed);
        _signer.Sign(_signed.AsSpan(0, n), _request.AsSpan(0, Signature.Size));
        _outstanding[nonce] = now.Nanoseconds + 4 * _options.RetryNs;
        _counters.RequestsSent++;
        _budget--;
        actions.Send(peer.Address, _request);
    }

    private bool TakeToken(in Pubkey requester, NodeTime now)
    {
        long rate = _options.ServePerPeerPerSecond;
        (long tokens, long atNs) = _buckets.TryGetValue(requester, out (long Tokens, long AtNs) b) ? b : (rate, now.Nanoseconds);
        long refill = (now.Nanoseconds - atNs) * rate / 1_000_000_000;
        if (refill > 0)
        {
            tokens = Math.Min(rate, tokens + refill);
            atNs = now.Nanoseconds;
        }
        if (tokens <= 0)
        {
            _buckets[requester] = (tokens, atNs);
            return false;
        }
        _buckets[requester] = (tokens - 1, atNs);
        return true;
    }

    private void ExpireOutstanding(NodeTime now)
    {
        if (_outstanding.Count == 0) return;
        List<uint>? expired = null;
        foreach ((uint nonce, long until) in _outstanding) if (until <= now.Nanoseconds) (expired ??= []).Add(nonce);
        if (expired is not null) foreach (uint nonce in expired) _outstanding.Remove(nonce);
    }
}
