using Fast.Core.Codec;
using Fast.Core.Primitives;
using Fast.Crypto.ReedSolomon;

namespace Fast.Core.Shreds;

/// <summary>Why <see cref="FecSetRecovery.TryAdd"/> took or refused a shred from the network (refusals are counted, never thrown).</summary>
public enum FecShredStatus : byte
{
    Added = 0,

    /// <summary>The bytes are not a shred (<see cref="ShredView.TryParse"/> said why).</summary>
    Malformed,

    /// <summary>This leaf of the set is already held; the copy is ignored.</summary>
    Duplicate,

    /// <summary>Another slot, version, FEC set index or proof depth than the set's first shred.</summary>
    WrongSet,

    /// <summary>A different leader signature than the set's other shreds.</summary>
    SignatureMismatch,

    /// <summary>Its Merkle proof leads to a different root than the set's other shreds.</summary>
    RootMismatch,

    /// <summary>num_data / num_coding (from coding headers or the last-in-FEC-set flag), or a coding shred's index base, disagree with the set's other shreds, or a data shred lies past num_data.</summary>
    CountMismatch,
}

/// <summary>What <see cref="FecSetRecovery.TryRecover"/> came to.</summary>
public enum FecRecoverStatus : byte
{
    /// <summary>Every shred of the set was received; nothing to rebuild.</summary>
    Complete = 0,

    /// <summary>The missing shreds were rebuilt, proofs and signature included; the set's root checks out.</summary>
    Recovered,

    /// <summary>num_data / num_coding are unknown: no coding shred and no last-in-FEC-set data shred yet.</summary>
    NeedCodingShred,

    /// <summary>Fewer than num_data shreds held: Reed-Solomon cannot rebuild the set yet.</summary>
    TooFewShreds,

    /// <summary>A rebuilt data shred does not parse or claims another place (the leader coded garbage).</summary>
    InvalidRecoveredShred,

    /// <summary>The rebuilt set's Merkle root is not the one its shreds carry (the leader's parity does not match its data).</summary>
    RootMismatch,
}

/// <summary>
/// A receiver's FEC set: collects shreds of one set as they arrive from Turbine or repair (each
/// parsed and checked against the set's first shred: same slot, version, FEC set index, depth,
/// signature and Merkle root — hence the same chained root), and once num_data of them are held,
/// rebuilds the missing ones with Reed-Solomon (<see cref="FecSetCoder"/>'s codes) — headers,
/// chained root, proofs and signature included, and
/// the rebuilt set's root checked against the one its shreds proved. Owns a pinned 128-shred slab
/// made once; <see cref="Reset"/> reuses it for the next set; adding and recovering allocate nothing.
/// Verifying the leader's signature over the root stays the caller's (sigverify's) job.
/// One thread at a time.
/// </summary>
public sealed class FecSetRecovery
{
    /// <summary>Bytes between shreds in the slab: one packet.</summary>
    public const int Stride = ShredLayout.MaxShredSize;

    private readonly byte[] _slab = GC.AllocateArray<byte>(FecSetMerkle.MaxShreds * Stride, pinned: true);
    private readonly bool[] _present = new bool[FecSetMerkle.MaxShreds];
    private readonly bool[] _recovered = new bool[FecSetMerkle.MaxShreds];
    private readonly byte[] _signature = new byte[ShredLayout.SignatureSize];
    private Hash _root;
    private Hash _chainedRoot;
    private ulong _slot;
    private ushort _version;
    private uint _fecSetIndex;
    private int _depth;
    private int _numData;
    private uint _codingIndexBase;
    private bool _codingSeen;
    private int _maxDataLeaf;

    public FecSetRecovery() => Reset();

    /// <summary>Shreds held (received or rebuilt).</summary>
    public int Count { get; private set; }

    /// <summary>True once a shred has fixed the set's identity.</summary>
    public bool HasShreds => _depth != 0;

    /// <summary>The set's shreds (data + coding): 2^depth, or 0 before the first shred.</summary>
    public int ShredCount => _depth == 0 ? 0 : 1 << _depth;

    /// <summary>num_data from the coding shreds (or the last-in-FEC-set data shred), or 0 while unknown.</summary>
    public int NumData => _numData;

    /// <summary>The previous FEC set's root, as every shred of this set carries it (the parent block's id for a slot's first set).</summary>
    public Hash ChainedRoot => _chainedRoot;

    /// <summary>The Merkle root every shred of the set proved (what the leader signed, once sigverify has checked it).</summary>
    public Hash Root => _root;

    public ulong Slot => _slot;

    public uint FecSetIndex => _fecSetIndex;

    public bool Holds(int leaf) => _present[leaf];

    /// <summary>True when leaf <paramref name="leaf"/> was rebuilt by the last <see cref="TryRecover"/> rather than received.</summary>
    public bool WasRecovered(int leaf) => _recovered[leaf];

    /// <summary>The shred at <paramref name="leaf"/> (data shreds first, then coding), exactly its length; empty when not held.</summary>
    public ReadOnlySpan<byte> Shred(int leaf)
    {
        if ((uint)leaf >= (uint)ShredCount || !_present[leaf]) return default;
        var kind = (ShredKind)(_slab[leaf * Stride + ShredLayout.VariantOffset] & 0xF0);
        return _slab.AsSpan(leaf * Stride, ShredLayout.ShredSize(kind));
    }

    /// <summary>Forgets the set; the slab is kept for the next one.</summary>
    public void Reset()
    {
        Array.Clear(_present);
        Array.Clear(_recovered);
        Count = 0;
        _depth = 0;
        _numData = 0;
        _codingSeen = false;
        _maxDataLeaf = -1;
        _root = default;
        _chainedRoot = default;
    }

    /// <summary>Takes one shred of hostile origin; <paramref name="decode"/> says why when it is <see cref="FecShredStatus.Malformed"/>.</summary>
    public FecShredStatus TryAdd(ReadOnlySpan<byte> packet, out DecodeResult decode)
    {
        decode = ShredView.TryParse(packet, out ShredView shred);
        if (!decode.IsOk) return FecShredStatus.Malformed;
        Hash root = shred.ComputeRoot();
        if (_depth == 0)
        {
            _slot = shred.Slot;
            _version = shred.Version;
            _fecSetIndex = shred.FecSetIndex;
            _depth = shred.ProofDepth;
            _root = root;
            _chainedRoot = shred.ChainedRoot;
            shred.SignatureBytes.CopyTo(_signature);
        }
        else
        {
            if (shred.Slot != _slot || shred.Version != _version || shred.FecSetIndex != _fecSetIndex || shred.ProofDepth != _depth) return FecShredStatus.WrongSet;
            if (!shred.SignatureBytes.SequenceEqual(_signature)) return FecShredStatus.SignatureMismatch;
            // A different chained root changes the leaf, hence the root: caught here too.
            if (root != _root) return FecShredStatus.RootMismatch;
        }
        int leaf = shred.LeafIndex;
        if (_present[leaf]) return FecShredStatus.Duplicate;
        if (shred.IsCoding)
        {
            uint indexBase = shred.Index - (uint)shred.Position;
            if (shred.Index < (uint)shred.Position || _maxDataLeaf >= shred.NumData || (_numData != 0 && shred.NumData != _numData)) return FecShredStatus.CountMismatch;
            if (_codingSeen && indexBase != _codingIndexBase) return FecShredStatus.CountMismatch;
            _numData = shred.NumData;
            _codingIndexBase = indexBase;
            _codingSeen = true;
        }
        else
        {
            if (_numData != 0 && leaf >= _numData) return FecShredStatus.CountMismatch;
            if (shred.IsLastInFecSet)
            {
                // The last data shred fixes num_data too; with no coding shred yet, coding shred p is
                // assumed to have index fec_set_index + p (the root check catches a leader that differs).
                if ((_numData != 0 && _numData != leaf + 1) || _maxDataLeaf > leaf) return FecShredStatus.CountMismatch;
                if (!_codingSeen) _codingIndexBase = _fecSetIndex;
                _numData = leaf + 1;
            }
            _maxDataLeaf = Math.Max(_maxDataLeaf, leaf);
        }
        packet.CopyTo(_slab.AsSpan(leaf * Stride));
        _present[leaf] = true;
        Count++;
        return FecShredStatus.Added;
    }

    /// <summary>
    /// Rebuilds every missing shred when enough are held. On <see cref="FecRecoverStatus.Recovered"/>
    /// each rebuilt shred is a complete, valid shred (<see cref="Shred"/>, <see cref="WasRecovered"/>)
    /// that proves the set's root. Any other status leaves the held shreds as they were received.
    /// </summary>
    public unsafe FecRecoverStatus TryRecover()
    {
        if (_numData == 0) return FecRecoverStatus.NeedCodingShred;
        int count = ShredCount, numCoding = count - _numData;
        if (Count == count) return FecRecoverStatus.Complete;
        if (Count < _numData) return FecRecoverStatus.TooFewShreds;
        ReedSolomonCode code = FecSetCoder.CodeFor(_numData, numCoding);
        Span<nint> shards = stackalloc nint[count];
        fixed (byte* slab = _slab)
        {
            FecSetCoder.ShardPointers(slab, Stride, _numData, shards);
            if (code.Recover(shards, _present.AsSpan(0, count), ShredLayout.ErasureShardSize(_depth)) != ReedSolomonStatus.Ok) return FecRecoverStatus.TooFewShreds;
        }
        for (int leaf = 0; leaf < count; leaf++)
        {
            if (_present[leaf]) continue;
            Span<byte> shred = _slab.AsSpan(leaf * Stride, Stride);
            if (leaf < _numData)
            {
                if (!IsRebuiltDataShredValid(shred, leaf)) return FecRecoverStatus.InvalidRecoveredShred;
            }
            else
            {
                int position = leaf - _numData;
                ShredCommonHeader header = new(_slot, _codingIndexBase + (uint)position, _version, _fecSetIndex, _chainedRoot);
                if (header.Index >= ShredLayout.MaxShredsPerSlot) return FecRecoverStatus.InvalidRecoveredShred;
                Span<byte> parity = shred.Slice(ShredLayout.ParityOffset, ShredLayout.ErasureShardSize(_depth));
                ShredWriter.WriteCoding(shred, header, _numData, numCoding, position, parity);
            }
            _signature.CopyTo(shred);
        }
        // The rebuilt set's tree must have the root every held shred proved; only then are proofs written
        // (the held shreds get the same proofs back, the rebuilt ones their own). Rebuilt bytes sit only in
        // slots not marked held, so a failure leaves the held shreds as received.
        if (!FecSetMerkle.TryFillProofs(_slab.AsSpan(0, count * Stride), Stride, count, _root)) return FecRecoverStatus.RootMismatch;
        for (int leaf = 0; leaf < count; leaf++)
        {
            _recovered[leaf] = !_present[leaf];
            _present[leaf] = true;
        }
        Count = count;
        return FecRecoverStatus.Recovered;
    }

    /// <summary>A rebuilt data shred must parse (proof still zero) and sit exactly where the set says.</summary>
    private bool IsRebuiltDataShredValid(Span<byte> shred, int leaf)
    {
        // Signature and chained root are not coded: put the set's in first so the parse sees a whole shred.
        _signature.CopyTo(shred);
        _chainedRoot.CopyTo(shred.Slice(ShredLayout.ChainedRootOffset(ShredKind.Data, _depth), ShredLayout.ChainedRootSize));
        ReadOnlySpan<byte> bytes = shred[..ShredLayout.DataShredSize];
        if (!ShredView.TryParse(bytes, out ShredView view).IsOk) return false;
        return view.IsData && view.ProofDepth == _depth && view.Slot == _slot && view.Version == _version
            && view.FecSetIndex == _fecSetIndex && view.Index == _fecSetIndex + (uint)leaf;
    }
}
