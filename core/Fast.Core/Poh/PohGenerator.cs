using Fast.Core.Collections;
using Fast.Core.Ledger;
using Fast.Core.Primitives;
using Fast.Crypto;

namespace Fast.Core.Poh;

/// <summary>
/// The proof-of-history clock, as pure logic: the chain <c>h = sha256(h)</c>, records mixed in as
/// <c>h = sha256(h ‖ mixin)</c> (each one emits an entry), and a tick every
/// <see cref="HashesPerTick"/> hashes of the chain (records included, as in Agave's Poh), with
/// <see cref="TicksPerSlot"/> ticks to a slot. The last hash of every tick period is a plain hash
/// (the tick), so a record that arrives when one hash is left waits for the next period.
/// <para>
/// No thread, no clock: the owner (PohService on a pinned core; tests and benchmarks directly)
/// alternates <see cref="HashBatch{TSink}"/> — one native call per batch, never one per hash — with
/// <see cref="DrainRecords{TSink}"/>. Allocates nothing after construction. Single-threaded: only the
/// owning thread may call it (records from other threads arrive through the queue).
/// </para>
/// </summary>
public sealed class PohGenerator
{
    private readonly byte[] _hash = new byte[Primitives.Hash.Size];
    private readonly ulong _hashesPerTick;
    private readonly ulong _ticksPerSlot;
    private ulong _tickHeight;
    private ulong _hashesSinceEntry;
    private ulong _hashesUntilTick;
    private ulong _totalHashes;
    private PohRecord _pending;
    private bool _hasPending;

    /// <param name="start">The hash the chain starts from (the last tick hash of the parent bank, or genesis).</param>
    /// <param name="tickHeight">Ticks before <paramref name="start"/>; the current slot is <c>tickHeight / ticksPerSlot</c>.</param>
    /// <param name="hashesPerTick">Hashes per tick (from genesis), at least 2 so a record fits before a tick.</param>
    /// <param name="ticksPerSlot">Ticks per slot, at least 1.</param>
    public PohGenerator(in Hash start, ulong tickHeight, ulong hashesPerTick, int ticksPerSlot)
    {
        if (hashesPerTick < 2) ThrowHelper.ThrowArgument(nameof(hashesPerTick), "must be at least 2 (a record needs a hash before the tick)");
        if (ticksPerSlot < 1) ThrowHelper.ThrowArgument(nameof(ticksPerSlot), "must be at least 1");
        _hashesPerTick = hashesPerTick;
        _ticksPerSlot = (ulong)ticksPerSlot;
        Reset(start, tickHeight);
    }

    public ulong HashesPerTick => _hashesPerTick;

    public int TicksPerSlot => (int)_ticksPerSlot;

    /// <summary>The chain's current value.</summary>
    public Hash Hash => new(_hash);

    /// <summary>Ticks produced since genesis (including those before the start hash).</summary>
    public ulong TickHeight => _tickHeight;

    /// <summary>The slot records are mixed into now.</summary>
    public ulong Slot => _tickHeight / _ticksPerSlot;

    /// <summary>Hashes since the last entry (the next entry's num_hashes so far).</summary>
    public ulong HashesSinceEntry => _hashesSinceEntry;

    /// <summary>Hashes left in this tick period, the tick's own hash included (always ≥ 1).</summary>
    public ulong HashesUntilTick => _hashesUntilTick;

    /// <summary>Hashes computed since construction (plain and mixin), for rates and metrics.</summary>
    public ulong TotalHashes => _totalHashes;

    /// <summary>True while a record taken from the queue waits for the next tick period.</summary>
    public bool HasPendingRecord => _hasPending;

    /// <summary>
    /// Starts the chain over from <paramref name="hash"/> at <paramref name="tickHeight"/> (a new
    /// tick period begins; the fork choice moved the leader to another bank). A pending record
    /// stays pending and is judged against the new slot.
    /// </summary>
    public void Reset(in Hash hash, ulong tickHeight)
    {
        hash.CopyTo(_hash);
        _tickHeight = tickHeight;
        _hashesSinceEntry = 0;
        _hashesUntilTick = _hashesPerTick;
    }

    /// <summary>
    /// Hashes <c>min(maxHashes, HashesUntilTick)</c> links in one native call; when that completes
    /// the tick period, emits the tick (and the slot end when it was the slot's last). Returns the
    /// hashes done.
    /// </summary>
    public ulong HashBatch<TSink>(ulong maxHashes, ref TSink sink)
        where TSink : IPohSink
    {
        ulong count = Math.Min(maxHashes, _hashesUntilTick);
        if (count == 0) return 0;
        Sha256Kernel.Chain(_hash, count);
        _hashesSinceEntry += count;
        _hashesUntilTick -= count;
        _totalHashes += count;
        if (_hashesUntilTick == 0) EmitTick(ref sink);
        return count;
    }

    /// <summary>
    /// Mixes <paramref name="record"/> in now and emits its entry, or says why not. A
    /// <see cref="PohRecordStatus.TickDue"/> answer means "hash to the tick first, then retry"
    /// (<see cref="DrainRecords{TSink}"/> does that by keeping the record pending).
    /// </summary>
    public PohRecordStatus Record<TSink>(in PohRecord record, ref TSink sink)
        where TSink : IPohSink
    {
        PohRecordStatus status = Check(record);
        if (status != PohRecordStatus.Recorded) return status;

        Sha256Kernel.Mixin(_hash, record.Mixin.Span, _hash);
        _hashesSinceEntry++;
        _hashesUntilTick--;
        _totalHashes++;
        sink.OnEntry(new PohEntry(Slot, _tickHeight, _hashesSinceEntry, new Hash(_hash), record.Mixin, record.TransactionCount, record.Transactions, record.Id));
        _hashesSinceEntry = 0;
        return PohRecordStatus.Recorded;
    }

    /// <summary>
    /// Takes up to <paramref name="maxRecords"/> records (the pending one first) and mixes each in,
    /// reporting refusals to the sink. Stops early when the tick period has only its tick hash
    /// left: that record stays pending until the next <see cref="HashBatch{TSink}"/> produces the tick.
    /// Returns the records taken from the queue.
    /// </summary>
    public int DrainRecords<TSink>(BoundedQueue<PohRecord> records, int maxRecords, ref TSink sink)
        where TSink : IPohSink
    {
        int taken = 0;
        while (true)
        {
            PohRecord record;
            if (_hasPending)
            {
                record = _pending;
            }
            else
            {
                if (taken == maxRecords || !records.TryDequeue(out record)) break;
                taken++;
            }

            PohRecordStatus status = Record(record, ref sink);
            if (status == PohRecordStatus.TickDue)
            {
                _pending = record;
                _hasPending = true;
                break;
            }
            _hasPending = false;
            _pending = default;
            if (status != PohRecordStatus.Recorded) sink.OnRecordRejected(record, status);
        }
        return taken;
    }

    private PohRecordStatus Check(in PohRecord record)
    {
        if (record.TransactionCount < 1 || record.TransactionCount > EntryView.MaxTransactions || record.Transactions.IsEmpty) return PohRecordStatus.Invalid;
        ulong slot = Slot;
        if (record.Slot < slot) return PohRecordStatus.SlotEnded;
        if (record.Slot > slot) return PohRecordStatus.SlotNotStarted;
        return _hashesUntilTick > 1 ? PohRecordStatus.Recorded : PohRecordStatus.TickDue;
    }

    private void EmitTick<TSink>(ref TSink sink)
        where TSink : IPohSink
    {
        ulong slot = _tickHeight / _ticksPerSlot;
        _tickHeight++;
        Hash hash = new(_hash);
        sink.OnEntry(new PohEntry(slot, _tickHeight, _hashesSinceEntry, hash, default, 0, default, 0));
        _hashesSinceEntry = 0;
        _hashesUntilTick = _hashesPerTick;
        if (_tickHeight % _ticksPerSlot == 0) sink.OnSlotEnded(new PohSlotEnd(slot, _tickHeight, hash));
    }
}
