using Fast.Core.Primitives;
using Fast.Core.Shreds;
using Fast.Validator.Leader;
using Fast.Validator.Net;
using Fast.Validator.Signing;

namespace Fast.Validator.Tvu;

/// <summary>Limits of the shred receiver.</summary>
public sealed record ShredReceiverOptions
{
    /// <summary>Shreds for slots further than this past the node's current slot are dropped (a flood of far-future slots cannot pin memory).</summary>
    public ulong MaxSlotsAhead { get; init; } = 64;

    /// <summary>FEC sets being collected at once (each holds a 157 KB slab until it is whole).</summary>
    public int MaxSetsInFlight { get; init; } = 256;
}

/// <summary>
/// The receive half of Turbine (TVU, issue 11 item 6), sans-IO: takes shreds off the wire, drops wrong
/// versions, duplicates and out-of-range slots, checks each FEC set's leader signature once (later
/// shreds of the set are checked by their Merkle proof against the verified root), retransmits each
/// new shred to this node's Turbine children, rebuilds lost shreds with Reed-Solomon as soon as a set
/// has enough, hands every data shred to the store, and says when a slot is full (every data shred
/// held). Two validly signed roots for one (slot, FEC set) are equivocation: the evidence goes out once
/// and the second version's shreds are dropped. Everything dropped is counted (<see cref="Counters"/>).
/// One thread at a time.
/// </summary>
public sealed partial class ShredReceiver
{
    private readonly ushort _shredVersion;
    private readonly LeaderScheduleCache _schedule;
    private readonly IRetransmitRoutes _routes;
    private readonly ISignatureVerifier _verifier;
    private readonly ShredReceiverOptions _options;
    private readonly SortedDictionary<ulong, SlotState> _slots = [];
    private readonly Stack<FecSetRecovery> _recoveryPool = new();
    private readonly PeerAddress[] _children;
    private readonly byte[] _signedRoot = new byte[SigningDomains.TagSize + Hash.Size];
    private readonly byte[] _evidence = new byte[DuplicateShredEvidence.MaxSize];
    private int _recoveriesOut;
    private TvuCounters _counters;

    public ShredReceiver(ushort shredVersion, LeaderScheduleCache schedule, IRetransmitRoutes routes, ISignatureVerifier verifier, ShredReceiverOptions? options = null)
    {
        _shredVersion = shredVersion;
        _schedule = schedule;
        _routes = routes;
        _verifier = verifier;
        _options = options ?? new ShredReceiverOptions();
        _children = new PeerAddress[Math.Max(1, routes.MaxChildren)];
    }

    public TvuCounters Counters => _counters;

    /// <summary>Shreds at or below this slot are dropped (the node's root).</summary>
    public ulong RootSlot { get; private set; }

    /// <summary>The node's current slot (its clock); shreds more than MaxSlotsAhead past it are dropped.</summary>
    public ulong CurrentSlot { get; private set; }

    public int SlotsInProgress => _slots.Count;

    public void OnSlot(ulong currentSlot) => CurrentSlot = Math.Max(CurrentSlot, currentSlot);

    /// <summary>The node rooted <paramref name="rootSlot"/>: forget every slot at or below it.</summary>
    public void SetRoot(ulong rootSlot)
    {
        if (rootSlot <= RootSlot) return;
        RootSlot = rootSlot;
        while (_slots.Count > 0)
        {
            ulong first = _slots.Keys.First();
            if (first > rootSlot) break;
            Release(_slots[first]);
            _slots.Remove(first);
        }
    }

    /// <summary>True when every data shred of <paramref name="slot"/> is held.</summary>
    public bool IsFull(ulong slot) => _slots.TryGetValue(slot, out SlotState? s) && s.Full;

    /// <summary>True when the slot's leader was caught sending two versions of it.</summary>
    public bool IsDuplicate(ulong slot) => _slots.TryGetValue(slot, out SlotState? s) && s.Duplicate;

    /// <summary>A shred arrived from the network: from Turbine (retransmitted to this node's children) or from repair (<paramref name="fromRepair"/>: never retransmitted).</summary>
    public void OnShred<TSink>(ReadOnlySpan<byte> packet, ref TSink actions, bool fromRepair = false) where TSink : struct, ITvuActions
    {
        _counters.Received++;
        if (!ShredView.TryParse(packet, out ShredView shred).IsOk) { _counters.DroppedMalformed++; return; }
        if (shred.Version != _shredVersion) { _counters.DroppedWrongVersion++; return; }
        ulong slot = shred.Slot;
        if (slot <= RootSlot || slot > CurrentSlot + _options.MaxSlotsAhead) { _counters.DroppedOutOfRange++; return; }
        if (shred.IsData && shred.ParentOffset == 0) { _counters.DroppedMalformed++; return; }
        if (!_slots.TryGetValue(slot, out SlotState? state))
        {
            state = new SlotState();
            _slots[slot] = state;
        }
        if (state.Full && shred.IsData) { _counters.DroppedDuplicate++; return; }
        Pubkey leader = _schedule.LeaderAt(slot);
        Hash root = shred.ComputeRoot();
        uint setIndex = shred.FecSetIndex;
        if (!state.Sets.TryGetValue(setIndex, out SetState? set))
        {
            if (!VerifyRoot(leader, root, shred.SignatureBytes)) { _counters.DroppedBadSignature++; return; }
            set = new SetState(root, shred.ChainedRoot, packet.ToArray());
            state.Sets[setIndex] = set;
        }
        else if (root != set.Root)
        {
            if (!VerifyRoot(leader, root, shred.SignatureBytes)) { _counters.DroppedBadSignature++; return; }
            _counters.DroppedConflictingVersion++;
            if (!set.Conflict)
            {
                set.Conflict = true;
                state.Duplicate = true;
                _counters.Equivocations++;
                int length = DuplicateShredEvidence.Write(_evidence, DuplicateShredConflict.SameFecSet, leader, set.FirstShred, packet);
                actions.Equivocation(slot, leader, _evidence.AsSpan(0, length));
            }
            return;
        }
        ulong[] held = shred.IsData ? state.DataHeld : state.CodingHeld;
        if (SlotState.Test(held, shred.Index)) { _counters.DroppedDuplicate++; return; }
        if (shred.IsData && state.LastIndex >= 0 && shred.Index > state.LastIndex) { _counters.DroppedOutOfRange++; return; }

        if (!set.Done && set.Recovery is null)
        {
            if (_recoveriesOut >= _options.MaxSetsInFlight) { _counters.DroppedTooManySets++; return; }
            set.Recovery = RentRecovery();
        }
        if (set.Recovery is not null)
        {
            FecShredStatus added = set.Recovery.TryAdd(packet, out _);
            if (added != FecShredStatus.Added) { _counters.DroppedSetRejected++; return; }
        }
        SlotState.Set(held, shred.Index);
        _counters.Accepted++;
        if (fromRepair) set.Repaired = true;
        if (!fromRepair) Retransmit(slot, leader, shred.Index, shred.IsData, packet, ref actions);
        if (shred.IsData) HoldData(slot, state, set, shred, packet, recovered: false, ref actions);
        if (set.Recovery is not null) TryCompleteSet(slot, leader, state, set, ref actions);
        CheckFull(slot, state, ref actions);
    }

    private bool VerifyRoot(in Pubkey leader, in Hash root, ReadOnlySpan<byte> signature)
    {
        int n = SigningDomains.Write(SigningDomain.ShredRoot, root.Span, _signedRoot);
        return _verifier.Verify(leader, _signedRoot.AsSpan(0, n), signature);
    }

    private void Retransmit<TSink>(ulong slot, in Pubkey leader, uint index, bool isData, ReadOnlySpan<byte> packet, ref TSink actions) where TSink : struct, ITvuActions
    {
        int count = _routes.ChildrenOf(slot, leader, index, isData, _children);
        if (count == 0) return;
        actions.Retransmit(_children.AsSpan(0, count), packet);
        _counters.Retransmitted += count;
    }

    private void HoldData<TSink>(ulong slot, SlotState state, SetState set, ShredView shred, ReadOnlySpan<byte> bytes, bool recovered, ref TSink actions) where TSink : struct, ITvuActions
    {
        state.DataCount++;
        set.DataHeld++;
        state.HighestData = Math.Max(state.HighestData, shred.Index);
        if (!state.ParentKnown)
        {
            state.ParentSlot = shred.ParentSlot;
            state.ParentKnown = true;
        }
        if (shred.IsLastInSlot)
        {
            state.LastIndex = shred.Index;
            state.LastSetIndex = shred.FecSetIndex;
        }
        actions.DataShredHeld(slot, shred.Index, bytes, recovered);
    }

    private void TryCompleteSet<TSink>(ulong slot, in Pubkey leader, SlotState state, SetState set, ref TSink actions) where TSink : struct, ITvuActions
    {
        FecSetRecovery recovery = set.Recovery!;
        int numData = recovery.NumData;
        if (numData == 0) return;
        if (set.DataHeld == numData)
        {
            if (set.Repaired) _counters.SetsCompletedWithRepair++;
            else _counters.SetsCompletedByReceipt++;
            FinishSet(set);
            return;
        }
        if (recovery.Count < numData) return;
        FecRecoverStatus status = recovery.TryRecover();
        if (status != FecRecoverStatus.Recovered)
        {
            if (status is FecRecoverStatus.InvalidRecoveredShred or FecRecoverStatus.RootMismatch)
            {
                // The leader's parity does not match its data: nothing of this set can be trusted further.
                _counters.SetsRecoveryFailed++;
                FinishSet(set);
            }
            return;
        }
        if (set.Repaired) _counters.SetsCompletedWithRepair++;
        else _counters.SetsRecovered++;
        for (int leaf = 0; leaf < recovery.ShredCount; leaf++)
        {
            if (!recovery.WasRecovered(leaf)) continue;
            ReadOnlySpan<byte> rebuilt = recovery.Shred(leaf);
            if (!ShredView.TryParse(rebuilt, out ShredView view).IsOk) continue;
            ulong[] held = view.IsData ? state.DataHeld : state.CodingHeld;
            if (SlotState.Test(held, view.Index)) continue;
            SlotState.Set(held, view.Index);
            _counters.ShredsRecovered++;
            Retransmit(slot, leader, view.Index, view.IsData, rebuilt, ref actions);
            if (view.IsData) HoldData(slot, state, set, view, rebuilt, recovered: true, ref actions);
        }
        FinishSet(set);
    }

    private void CheckFull<TSink>(ulong slot, SlotState state, ref TSink actions) where TSink : struct, ITvuActions
    {
        if (state.Full || state.Broken || state.LastIndex < 0 || state.DataCount != state.LastIndex + 1) return;
        // Every set must chain to the one before it (chained Merkle roots): a block whose chain breaks is not one block.
        Hash previous = default;
        bool first = true;
        foreach (SetState s in state.Sets.Values)
        {
            if (!first && s.ChainedRoot != previous)
            {
                state.Broken = true;
                _counters.SlotsBrokenChain++;
                return;
            }
            previous = s.Root;
            first = false;
        }
        state.Full = true;
        _counters.SlotsFull++;
        Hash blockId = state.Sets.TryGetValue(state.LastSetIndex, out SetState? last) ? last.Root : default;
        Hash parentId = state.Sets.TryGetValue(0, out SetState? firstSet) ? firstSet.ChainedRoot : default;
        actions.SlotFull(slot, state.ParentSlot, blockId, parentId, (uint)state.DataCount);
        foreach (SetState set in state.Sets.Values) FinishSet(set);
    }

    private void FinishSet(SetState set)
    {
        set.Done = true;
        if (set.Recovery is null) return;
        set.Recovery.Reset();
        _recoveryPool.Push(set.Recovery);
        set.Recovery = null;
        _recoveriesOut--;
    }

    private FecSetRecovery RentRecovery()
    {
        _recoveriesOut++;
        return _recoveryPool.Count > 0 ? _recoveryPool.Pop() : new FecSetRecovery();
    }

    private void Release(SlotState state)
    {
        foreach (SetState set in state.Sets.Values) FinishSet(set);
    }
}
