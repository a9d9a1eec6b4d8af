using Fast.Core.Primitives;
using Fast.Crypto;

namespace Fast.Core.Shreds;

/// <summary>
/// One FEC set a <see cref="Shredder"/> wrote into the caller's buffer: shred i (leaf order, data
/// shreds first, then coding shreds) at i × <see cref="Shredder.Stride"/>, a data shred
/// <see cref="ShredLayout.DataShredSize"/> bytes long, a coding shred <see cref="ShredLayout.CodingShredSize"/>.
/// <see cref="Root"/> is what the leader signed; for the slot's last set it is the block id.
/// </summary>
public readonly record struct ShreddedFecSet(ulong Slot, uint FecSetIndex, int DataShreds, int CodingShreds, Hash ChainedRoot, Hash Root, bool IsLastInSlot)
{
    public int ShredCount => DataShreds + CodingShreds;

    /// <summary>The block id (this set's root) when this is the slot's last set; zero otherwise.</summary>
    public Hash BlockId => IsLastInSlot ? Root : default;

    /// <summary>Shred <paramref name="leaf"/> of this set inside the buffer the shredder wrote it to, exactly its length.</summary>
    public Span<byte> Shred(Span<byte> buffer, int leaf) =>
        buffer.Slice(leaf * Shredder.Stride, leaf < DataShreds ? ShredLayout.DataShredSize : ShredLayout.CodingShredSize);
}

/// <summary>
/// The leader's broadcast step that turns a slot's serialized entries (back-to-back wire-format
/// entries, as the PoH recorder emits them) into signed, chained FEC sets of 32 data + 32 coding
/// shreds (default depth 6; docs/wire-format.md "Shred"). Incremental: during its slot the leader
/// <see cref="TryAppend"/>s entry bytes as they are recorded and takes every complete set with
/// <see cref="TryTakeFullSet"/> (a set is complete once more than one set's worth of data is pending,
/// so a taken set is never the slot's last); at slot end <see cref="FinishSlot"/> writes the last set,
/// padded to 32 + 32 like every other (its bytes spread over all 32 data shreds, so every set
/// survives the loss of any 32 of its 64 shreds), flags its last data shred LAST_IN_SLOT, and
/// returns it: its root is the block id. Each set chains the previous set's root (the first set
/// the parent block's id) and is signed once with the leader's key (<see cref="ShredRootSignature"/>).
/// Shreds are written into a caller-provided buffer of <see cref="SetBufferSize"/> bytes (pooled by
/// the caller); the only allocation is the pending-data buffer growing to the largest slot seen, so
/// steady state allocates nothing. One thread at a time (the broadcast stage's).
/// </summary>
public sealed class Shredder
{
    /// <summary>Bytes between shreds in the caller's buffer: one packet.</summary>
    public const int Stride = ShredLayout.MaxShredSize;

    public const int DataShredsPerSet = ShredLayout.DefaultDataShreds;
    public const int CodingShredsPerSet = ShredLayout.DefaultCodingShreds;
    public const int ShredsPerSet = DataShredsPerSet + CodingShredsPerSet;
    public const int ProofDepth = ShredLayout.DefaultProofDepth;

    /// <summary>The buffer one FEC set needs: 64 × 1,232 = 78,848 bytes.</summary>
    public const int SetBufferSize = ShredsPerSet * Stride;

    /// <summary>Data bytes of one data shred (891) and of one full set (28,512).</summary>
    public static readonly int DataPerShred = ShredLayout.DataCapacity(ProofDepth);

    public static readonly int DataPerSet = DataShredsPerSet * DataPerShred;

    /// <summary>Sets a slot may have: data indexes stay below <see cref="ShredLayout.MaxShredsPerSlot"/> (1,024 sets).</summary>
    public const int MaxSetsPerSlot = (int)(ShredLayout.MaxShredsPerSlot / DataShredsPerSet);

    /// <summary>The most entry bytes one slot can carry (1,024 × 28,512 ≈ 29.2 MB).</summary>
    public static readonly long MaxSlotBytes = (long)MaxSetsPerSlot * DataPerSet;

    private readonly Keypair _leader;
    private readonly ushort _shredVersion;
    private byte[] _pending = new byte[2 * ShredLayout.DefaultDataShreds * ShredLayout.DataShredSize];
    private int _pendingStart;
    private int _pendingEnd;
    private ulong _slot;
    private ushort _parentOffset;
    private Hash _chainedRoot;
    private int _setsWritten;
    private long _slotBytes;
    private bool _inSlot;

    public Shredder(Keypair leader, ushort shredVersion)
    {
        ArgumentNullException.ThrowIfNull(leader);
        _leader = leader;
        _shredVersion = shredVersion;
    }

    /// <summary>True between <see cref="BeginSlot"/> and <see cref="FinishSlot"/>.</summary>
    public bool InSlot => _inSlot;

    public ulong Slot => _slot;

    /// <summary>Entry bytes appended but not yet in a written set.</summary>
    public int PendingBytes => _pendingEnd - _pendingStart;

    /// <summary>FEC sets written this slot.</summary>
    public int SetsWritten => _setsWritten;

    /// <summary>The root the next set will chain: the parent block's id before the first set, then the last written set's root (after <see cref="FinishSlot"/>, the block id).</summary>
    public Hash ChainedRoot => _chainedRoot;

    /// <summary>
    /// Starts slot <paramref name="slot"/> on <paramref name="parentSlot"/>, whose block id the first
    /// set chains (<see cref="Hash.Zero"/> when the parent has no block: the genesis slot 0 itself).
    /// The parent must be earlier and at most 65,535 slots back (only slot 0 is its own parent).
    /// Any unfinished slot is dropped.
    /// </summary>
    public void BeginSlot(ulong slot, ulong parentSlot, in Hash parentBlockId)
    {
        if (parentSlot > slot || (parentSlot == slot && slot != 0) || slot - parentSlot > ushort.MaxValue)
        {
            ThrowHelper.ThrowArgument(nameof(parentSlot), "the parent must be an earlier slot at most 65,535 back (slot 0 is its own parent)");
        }
        _slot = slot;
        _parentOffset = (ushort)(slot - parentSlot);
        _chainedRoot = parentBlockId;
        _pendingStart = _pendingEnd = 0;
        _setsWritten = 0;
        _slotBytes = 0;
        _inSlot = true;
    }

    /// <summary>
    /// Queues <paramref name="entryBytes"/> (whole entries or any split of them: the deshredder
    /// returns the concatenation). False, taking nothing, when the slot would exceed
    /// <see cref="MaxSlotBytes"/>: the leader must end its block.
    /// </summary>
    public bool TryAppend(ReadOnlySpan<byte> entryBytes)
    {
        if (!_inSlot) ThrowHelper.ThrowInvalidOperation("no slot begun");
        if (_slotBytes + entryBytes.Length > MaxSlotBytes) return false;
        EnsureRoom(entryBytes.Length);
        entryBytes.CopyTo(_pending.AsSpan(_pendingEnd));
        _pendingEnd += entryBytes.Length;
        _slotBytes += entryBytes.Length;
        return true;
    }

    /// <summary>
    /// Writes the next full FEC set into <paramref name="destination"/> (at least <see cref="SetBufferSize"/>
    /// bytes) when more than one set's data is pending; false (nothing written) otherwise. Loop until false.
    /// </summary>
    public bool TryTakeFullSet(Span<byte> destination, out ShreddedFecSet set)
    {
        if (!_inSlot) ThrowHelper.ThrowInvalidOperation("no slot begun");
        if (PendingBytes <= DataPerSet)
        {
            set = default;
            return false;
        }
        set = WriteSet(destination, _pending.AsSpan(_pendingStart, DataPerSet), isLastInSlot: false);
        _pendingStart += DataPerSet;
        return true;
    }

    /// <summary>
    /// Ends the slot (take the full sets with <see cref="TryTakeFullSet"/> until it returns false
    /// first, so at most one set's worth of data is pending): writes the last set (LAST_IN_SLOT, padded to 32 + 32; an empty slot still gets one set of
    /// 32 empty data shreds). Its <see cref="ShreddedFecSet.Root"/> is the block id.
    /// </summary>
    public ShreddedFecSet FinishSlot(Span<byte> destination)
    {
        if (!_inSlot) ThrowHelper.ThrowInvalidOperation("no slot begun");
        if (PendingBytes > DataPerSet) ThrowHelper.ThrowInvalidOperation("full sets are still pending: take them with TryTakeFullSet first");
        ShreddedFecSet set = WriteSet(destination, _pending.AsSpan(_pendingStart, PendingBytes), isLastInSlot: true);
        _pendingStart = _pendingEnd = 0;
        _inSlot = false;
        return set;
    }

    private ShreddedFecSet WriteSet(Span<byte> destination, ReadOnlySpan<byte> data, bool isLastInSlot)
    {
        if (destination.Length < SetBufferSize) ThrowHelper.ThrowArgument(nameof(destination), "shorter than SetBufferSize");
        uint fecSetIndex = (uint)(_setsWritten * DataShredsPerSet);
        // Full sets fill every shred; the last set spreads its bytes: shred i takes ⌊n/32⌋ bytes, plus one for i < n mod 32.
        int baseSize = data.Length / DataShredsPerSet, extra = data.Length % DataShredsPerSet;
        int offset = 0;
        for (int i = 0; i < DataShredsPerSet; i++)
        {
            int size = baseSize + (i < extra ? 1 : 0);
            ShredFlags flags = i == DataShredsPerSet - 1
                ? (isLastInSlot ? ShredFlags.LastInFecSet | ShredFlags.LastInSlot : ShredFlags.LastInFecSet)
                : ShredFlags.None;
            ShredCommonHeader header = new(_slot, fecSetIndex + (uint)i, _shredVersion, fecSetIndex, _chainedRoot);
            ShredWriter.WriteData(destination.Slice(i * Stride, Stride), header, ProofDepth, _parentOffset, flags, data.Slice(offset, size));
            offset += size;
        }
        for (int p = 0; p < CodingShredsPerSet; p++)
        {
            ShredCommonHeader header = new(_slot, fecSetIndex + (uint)p, _shredVersion, fecSetIndex, _chainedRoot);
            ShredWriter.WriteCoding(destination.Slice((DataShredsPerSet + p) * Stride, Stride), header, DataShredsPerSet, CodingShredsPerSet, p, default);
        }
        Span<byte> slab = destination[..SetBufferSize];
        FecSetCoder.EncodeParity(slab, Stride, DataShredsPerSet, CodingShredsPerSet);
        Hash chained = _chainedRoot;
        Hash root = FecSetMerkle.Seal(slab, Stride, ShredsPerSet, _leader);
        _chainedRoot = root;
        _setsWritten++;
        return new ShreddedFecSet(_slot, fecSetIndex, DataShredsPerSet, CodingShredsPerSet, chained, root, isLastInSlot);
    }

    /// <summary>Makes room for <paramref name="count"/> more pending bytes: compacts first, grows (doubling) only when that is not enough.</summary>
    private void EnsureRoom(int count)
    {
        if (_pendingEnd + count <= _pending.Length) return;
        int pending = PendingBytes;
        if (pending + count > _pending.Length)
        {
            byte[] grown = new byte[Math.Max(_pending.Length * 2, pending + count)];
            _pending.AsSpan(_pendingStart, pending).CopyTo(grown);
            _pending = grown;
        }
        else
        {
            _pending.AsSpan(_pendingStart, pending).CopyTo(_pending);
        }
        _pendingStart = 0;
        _pendingEnd = pending;
    }
}
