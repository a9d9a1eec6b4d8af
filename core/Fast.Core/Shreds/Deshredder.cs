using Fast.Core.Codec;
using Fast.Core.Primitives;

namespace Fast.Core.Shreds;

/// <summary>What <see cref="Deshredder.TryAdd(ReadOnlySpan{byte}, out DecodeResult)"/> made of a data shred; every refusal leaves the deshredder as it was.</summary>
public enum DeshredStatus : byte
{
    /// <summary>Taken; the slot is not complete yet.</summary>
    Added = 0,

    /// <summary>Taken, and it was the LAST_IN_SLOT shred: the block is whole and its id known.</summary>
    Completed,

    /// <summary>The bytes are not a shred (<see cref="ShredView.TryParse"/> said why).</summary>
    Malformed,

    /// <summary>A coding shred: the deshredder takes data shreds (recover the set first).</summary>
    NotData,

    WrongSlot,

    WrongVersion,

    /// <summary>Not the next data index: a shred is missing (or repeated) before it.</summary>
    Gap,

    /// <summary>Its fec_set_index or proof depth is not its set's: a set must start at its own index and keep one shape.</summary>
    WrongFecSet,

    /// <summary>Its parent_offset differs from the slot's first shred.</summary>
    ParentMismatch,

    /// <summary>A new set began while the previous one had no LAST_IN_FEC_SET shred.</summary>
    BadFlags,

    /// <summary>The slot already ended with a LAST_IN_SLOT shred.</summary>
    AfterLastInSlot,

    /// <summary>Its chained root is not the previous set's root (for the slot's first set: not the expected parent block id), or differs within its set.</summary>
    WrongChaining,

    /// <summary>Its Merkle proof leads to another root than its set's earlier shreds: shreds of two versions of the block are mixed.</summary>
    RootMismatch,

    /// <summary>The leader's signature over its set's root does not verify (checked once per set when a leader is given).</summary>
    BadSignature,

    /// <summary>From <see cref="Deshredder.Finish"/>: no LAST_IN_SLOT shred yet.</summary>
    Incomplete,
}

/// <summary>
/// The replayer's inverse of <see cref="Shredder"/>: takes a slot's data shreds in index order (as
/// the Blockstore holds them, received or recovered) and concatenates their data into the slot's
/// entry bytes, checking as it goes what makes a block one block: no gap in the indexes, each set
/// starting at its own index and ended by LAST_IN_FEC_SET, one parent, the chain of roots (every
/// shred of set k+1 chains set k's root; the first set chains the parent block's id when the caller
/// knows it), every shred of a set proving the same root (so two versions of an equivocated block
/// cannot be spliced), and optionally the leader's signature once per set. When the LAST_IN_SLOT
/// shred arrives the block id (the last set's root) is known. Entries can be replayed as sets
/// complete: <see cref="CompletedSetsLength"/> bytes of <see cref="Entries"/> come from whole sets.
/// Refusals are typed statuses, never exceptions. The output buffer is reused across slots (it grows
/// to the largest slot seen), so steady state allocates nothing. One thread at a time.
/// </summary>
public sealed class Deshredder
{
    private byte[] _entries = new byte[2 * Shredder.SetBufferSize];
    private int _length;
    private ulong _slot;
    private ushort _version;
    private Hash? _expectedParentBlockId;
    private Pubkey? _leader;
    private uint _nextIndex;
    private ushort _parentOffset;
    private bool _inSet;
    private uint _setStart;
    private int _setDepth;
    private Hash _setChainedRoot;
    private Hash _setRoot;
    private Hash _previousRoot;
    private bool _hasPreviousSet;

    /// <summary>The entry bytes so far (all shreds taken).</summary>
    public ReadOnlySpan<byte> Entries => _entries.AsSpan(0, _length);

    /// <summary>Bytes of <see cref="Entries"/> that come from sets ended by LAST_IN_FEC_SET.</summary>
    public int CompletedSetsLength { get; private set; }

    public int CompletedSets { get; private set; }

    public bool IsComplete { get; private set; }

    /// <summary>The last set's root once <see cref="IsComplete"/>; zero before.</summary>
    public Hash BlockId { get; private set; }

    /// <summary>The data index the next shred must have.</summary>
    public uint NextIndex => _nextIndex;

    public ulong Slot => _slot;

    /// <summary>The parent slot, once a shred was taken.</summary>
    public ulong ParentSlot => _slot - _parentOffset;

    /// <summary>
    /// Starts slot <paramref name="slot"/> of shred version <paramref name="shredVersion"/>. With
    /// <paramref name="expectedParentBlockId"/> the first set must chain it (replay knows the parent
    /// bank's block id; zero for a block on the genesis slot with no block); with
    /// <paramref name="leader"/> each set's root signature is verified once.
    /// </summary>
    public void Begin(ulong slot, ushort shredVersion, Hash? expectedParentBlockId = null, Pubkey? leader = null)
    {
        _slot = slot;
        _version = shredVersion;
        _expectedParentBlockId = expectedParentBlockId;
        _leader = leader;
        _length = 0;
        _nextIndex = 0;
        _parentOffset = 0;
        _inSet = false;
        _hasPreviousSet = false;
        _previousRoot = default;
        CompletedSetsLength = 0;
        CompletedSets = 0;
        IsComplete = false;
        BlockId = default;
    }

    public DeshredStatus TryAdd(ReadOnlySpan<byte> shred) => TryAdd(shred, out _);

    /// <summary>Takes the next data shred; <paramref name="decode"/> says why when it is <see cref="DeshredStatus.Malformed"/>.</summary>
    public DeshredStatus TryAdd(ReadOnlySpan<byte> shred, out DecodeResult decode)
    {
        decode = ShredView.TryParse(shred, out ShredView view);
        if (!decode.IsOk) return DeshredStatus.Malformed;
        if (!view.IsData) return DeshredStatus.NotData;
        if (IsComplete) return DeshredStatus.AfterLastInSlot;
        if (view.Slot != _slot) return DeshredStatus.WrongSlot;
        if (view.Version != _version) return DeshredStatus.WrongVersion;
        if (view.Index != _nextIndex) return DeshredStatus.Gap;
        if (_nextIndex != 0 && view.ParentOffset != _parentOffset) return DeshredStatus.ParentMismatch;
        Hash root = view.ComputeRoot();
        Hash chained = view.ChainedRoot;
        if (_inSet)
        {
            if (view.FecSetIndex != _setStart)
            {
                // A shred that starts its own set while this one never saw LAST_IN_FEC_SET.
                return view.FecSetIndex == view.Index ? DeshredStatus.BadFlags : DeshredStatus.WrongFecSet;
            }
            if (view.ProofDepth != _setDepth) return DeshredStatus.WrongFecSet;
            if (chained != _setChainedRoot) return DeshredStatus.WrongChaining;
            if (root != _setRoot) return DeshredStatus.RootMismatch;
        }
        else
        {
            if (view.FecSetIndex != view.Index) return DeshredStatus.WrongFecSet;
            Hash? expectedChain = _hasPreviousSet ? _previousRoot : _expectedParentBlockId;
            if (expectedChain is Hash expected && chained != expected) return DeshredStatus.WrongChaining;
            if (_leader is Pubkey leader && !ShredRootSignature.Verify(leader.Span, root, view.SignatureBytes)) return DeshredStatus.BadSignature;
            _inSet = true;
            _setStart = view.FecSetIndex;
            _setDepth = view.ProofDepth;
            _setChainedRoot = chained;
            _setRoot = root;
        }

        ReadOnlySpan<byte> data = view.Data;
        EnsureRoom(data.Length);
        data.CopyTo(_entries.AsSpan(_length));
        _length += data.Length;
        _parentOffset = view.ParentOffset;
        _nextIndex++;
        if (!view.IsLastInFecSet) return DeshredStatus.Added;

        _inSet = false;
        _hasPreviousSet = true;
        _previousRoot = _setRoot;
        CompletedSets++;
        CompletedSetsLength = _length;
        if (!view.IsLastInSlot) return DeshredStatus.Added;
        IsComplete = true;
        BlockId = _setRoot;
        return DeshredStatus.Completed;
    }

    /// <summary><see cref="DeshredStatus.Completed"/> when the slot ended with LAST_IN_SLOT, <see cref="DeshredStatus.Incomplete"/> otherwise.</summary>
    public DeshredStatus Finish() => IsComplete ? DeshredStatus.Completed : DeshredStatus.Incomplete;

    private void EnsureRoom(int count)
    {
        if (_length + count <= _entries.Length) return;
        // Bounded by what was received: each shred adds at most one data capacity (≤ 1,051 bytes).
        byte[] grown = new byte[Math.Max(_entries.Length * 2, _length + count)];
        _entries.AsSpan(0, _length).CopyTo(grown);
        _entries = grown;
    }
}
