using Fast.Core.Collections;
using Fast.Core.Platform;
using Fast.Core.Poh;
using Fast.Core.Primitives;

namespace Fast.Node.Pipeline;

/// <summary>
/// The PoH clock's thread. Owns a <see cref="PohGenerator"/> on one named thread ("fast-poh"),
/// pinned to <see cref="PohConfig.Core"/>; hashes in batches of <see cref="PohConfig.HashesPerBatch"/>
/// (one native call each), mixes in records from <see cref="Records"/> between batches, and
/// publishes into bounded queues: <see cref="Entries"/> (entries and ticks, for the broadcaster),
/// <see cref="SlotEnds"/> (for the leader's slot logic) and <see cref="RecordOutcomes"/> (for the
/// banking stage). It never waits on another stage: a full queue drops and counts.
/// <para>
/// The ledger never misses an entry it was promised: a record is mixed in only when its entry has
/// room in <see cref="Entries"/> (PoH is that queue's only producer, so the room stays there), with
/// room kept for the slot's remaining ticks; otherwise it is answered
/// <see cref="PohRecordStatus.LedgerBehind"/> and nothing is hashed. A tick cannot wait, so when one
/// cannot be queued its slot is abandoned: nothing more of that slot is published, records for it
/// are answered <see cref="PohRecordStatus.SlotAbandoned"/>, its <see cref="PohSlotEnd"/> says
/// <see cref="PohSlotEnd.Abandoned"/>, and the next slot's chain restarts from the hash the abandoned
/// slot started from (its parent's last tick), so the next block verifies on that parent.
/// </para>
/// <para>
/// Ticks are paced to the wall clock: tick k is due <c>k × slotMs / ticksPerSlot</c> after start.
/// In the default mode the thread hashes flat out and, when a tick comes early, spins (taking
/// records) until it is due — the core is PoH's anyway. In <see cref="PohConfig.LowPower"/> mode it
/// sleeps until a tick is due or a record comes (the record queue rings a <see cref="Doorbell"/>)
/// and only then hashes the tick's few hashes, so many validators can share two cores; idle between
/// a cluster node's blocks it sleeps until a record, a reset or a block start rings.
/// </para>
/// Threads: construct, <see cref="Start"/>, <see cref="Stop"/>, <see cref="TryReset"/> and the
/// counters from any thread; the generator only on the PoH thread.
/// </summary>
public sealed partial class PohService : IDisposable
{
    private readonly PohConfig _config;
    private readonly PohGenerator _generator;
    private readonly TimeProvider _time;
    private readonly BoundedQueue<PohReset> _resets = new(16);
    private readonly Doorbell _doorbell = new(); // rung by Records and _resets: a sleeping PoH thread wakes for them
    private readonly Func<bool> _hasWork;
    private readonly double _timestampsPerTick;
    private Thread? _thread;
    private volatile bool _stopping;

    // Written by the PoH thread only; read from anywhere.
    private long _hashes;
    private long _ticks;
    private long _slot;
    private long _entriesPublished;
    private long _entriesDropped;
    private long _slotEndsDropped;
    private long _outcomesDropped;
    private long _recordsRecorded;
    private long _recordsRejected;
    private long _lateTicks;
    private long _slotsAbandoned;
    private long _recordsLedgerBehind;
    private int _pinErrno;

    // Abandonment (PoH thread only): the hash and tick height the current block's chain started from
    // (its parent's last tick), the newest abandoned slot, and whether the chain must restart from
    // there once the abandoned slot's final tick is out.
    private Hash _slotStartHash;
    private ulong _slotStartTickHeight;
    private ulong _abandonedSlot = ulong.MaxValue;
    private bool _restartChain;

    // The block being produced when it spans more than its own slot (PoH thread only): every entry up to
    // its final tick is labelled _blockSlot (a block on parent P for slot S carries the ticks of the
    // skipped slots P+1 .. S-1 too: docs/block-validity.md), and with _idleAfterBlock the thread stops
    // hashing after that final tick until the next block starts (a cluster node leads only its slots).
    private ulong _blockSlot = ulong.MaxValue;
    private bool _idleAfterBlock;
    private bool _idle;
    private PohRecord _pendingRecord;
    private bool _hasPendingRecord;

    // The pacing anchor: the timestamp at which tick height _anchorTickHeight was reached (PoH thread only).
    private long _anchorTimestamp;
    private ulong _anchorTickHeight;

    /// <param name="config">Timing, core, queue bounds (validated; an invalid config throws <see cref="ArgumentException"/> with <see cref="PohConfig.Validate"/>'s text).</param>
    /// <param name="start">The hash the chain starts from.</param>
    /// <param name="tickHeight">Ticks before <paramref name="start"/>.</param>
    /// <param name="time">The wall clock (tests may pass their own).</param>
    /// <param name="idle">Start idle: hash nothing until <see cref="TryStartBlock"/> (a cluster node, which leads only its own slots).</param>
    public PohService(PohConfig config, in Hash start, ulong tickHeight, TimeProvider? time = null, bool idle = false)
    {
        string? error = config.Validate();
        if (error is not null) throw new ArgumentException(error, nameof(config));
        _config = config;
        _time = time ?? TimeProvider.System;
        _generator = new PohGenerator(start, tickHeight, config.HashesPerTick, config.TicksPerSlot);
        _slotStartHash = start;
        _slotStartTickHeight = tickHeight;
        _slot = (long)(tickHeight / (ulong)config.TicksPerSlot);
        _idle = idle;
        _timestampsPerTick = config.TickNanoseconds * (_time.TimestampFrequency / 1e9);
        Records = new BoundedQueue<PohRecord>(config.RecordQueueCapacity);
        Entries = new BoundedQueue<PohEntry>(config.EntryQueueCapacity);
        SlotEnds = new BoundedQueue<PohSlotEnd>(config.SlotEndQueueCapacity);
        RecordOutcomes = new BoundedQueue<PohRecordOutcome>(config.OutcomeQueueCapacity);
        Records.Waker = _doorbell;
        _resets.Waker = _doorbell;
        _hasWork = HasWork;
    }

    public PohConfig Config => _config;

    /// <summary>In: records from the banking stage.</summary>
    public BoundedQueue<PohRecord> Records { get; }

    /// <summary>
    /// Out: entries and ticks for the ledger, in chain order. Every recorded entry is in it; a slot
    /// whose tick could not be queued stops there (it is abandoned: its final tick never comes).
    /// </summary>
    public BoundedQueue<PohEntry> Entries { get; }

    /// <summary>Out: one item per completed slot.</summary>
    public BoundedQueue<PohSlotEnd> SlotEnds { get; }

    /// <summary>Out: one item per record taken (recorded or refused).</summary>
    public BoundedQueue<PohRecordOutcome> RecordOutcomes { get; }

    /// <summary>The slot PoH is producing (after the last tick; the block's slot while it hashes the ticks of the slots a block skips over).</summary>
    public ulong Slot => (ulong)Volatile.Read(ref _slot);

    public long Hashes => Volatile.Read(ref _hashes);
    public long Ticks => Volatile.Read(ref _ticks);
    public long EntriesPublished => Volatile.Read(ref _entriesPublished);
    public long EntriesDropped => Volatile.Read(ref _entriesDropped);
    public long SlotEndsDropped => Volatile.Read(ref _slotEndsDropped);
    public long OutcomesDropped => Volatile.Read(ref _outcomesDropped);
    public long RecordsRecorded => Volatile.Read(ref _recordsRecorded);
    public long RecordsRejected => Volatile.Read(ref _recordsRejected);

    /// <summary>Slots abandoned because one of their ticks found <see cref="Entries"/> full.</summary>
    public long SlotsAbandoned => Volatile.Read(ref _slotsAbandoned);

    /// <summary>Records refused (<see cref="PohRecordStatus.LedgerBehind"/>) because their entry had no room in <see cref="Entries"/>.</summary>
    public long RecordsLedgerBehind => Volatile.Read(ref _recordsLedgerBehind);

    /// <summary>Ticks produced more than a quarter tick after they were due (the machine does not sustain <see cref="PohConfig.HashesPerTick"/>).</summary>
    public long LateTicks => Volatile.Read(ref _lateTicks);

    /// <summary>The errno of a failed pin (0 when pinned or not asked to pin).</summary>
    public int PinErrno => Volatile.Read(ref _pinErrno);

    public bool IsRunning => _thread is { IsAlive: true };

    /// <summary>Starts the PoH thread (once).</summary>
    public void Start()
    {
        if (_thread is not null) throw new InvalidOperationException("the PoH service was already started");
        _thread = new Thread(Run) { Name = "fast-poh", IsBackground = true };
        _thread.Start();
    }

    /// <summary>Stops the PoH thread and waits for it.</summary>
    public void Stop()
    {
        _stopping = true;
        _doorbell.Wake();
        _thread?.Join();
    }

    public void Dispose() => Stop();

    /// <summary>Asks the PoH thread to restart the chain from <paramref name="hash"/> at <paramref name="tickHeight"/> (the fork choice moved); false when too many resets are queued.</summary>
    public bool TryReset(in Hash hash, ulong tickHeight) => _resets.TryEnqueue(new PohReset(hash, tickHeight, ulong.MaxValue, 0, false));

    private void Run()
    {
        if (_config.Core is int core && !CpuAffinity.TryPinCurrentThread(core, out int errno)) Volatile.Write(ref _pinErrno, errno);
        Publisher sink = new(this);
        Anchor();
        if (_config.LowPower) RunLowPower(ref sink);
        else RunFlatOut(ref sink);
    }

    private void RunFlatOut(ref Publisher sink)
    {
        ulong batch = (ulong)_config.HashesPerBatch;
        while (!_stopping)
        {
            ApplyResets();
            if (WaitWhileIdle(ref sink)) continue;
            DrainRecords(ref sink);
            ulong height = _generator.TickHeight;
            HashBatch(batch, ref sink);
            Volatile.Write(ref _hashes, (long)_generator.TotalHashes);
            if (_generator.TickHeight == height) continue;

            // A tick: if it came early, hold (taking records) until it is due.
            long due = DueTimestamp(_generator.TickHeight);
            long now = _time.GetTimestamp();
            if (now - due > _timestampsPerTick / 4 && !CatchingUp) Volatile.Write(ref _lateTicks, _lateTicks + 1);
            while (now < due && !_stopping)
            {
                DrainRecords(ref sink);
                Thread.SpinWait(32);
                now = _time.GetTimestamp();
            }
        }
    }

    private void RunLowPower(ref Publisher sink)
    {
        ulong batch = (ulong)_config.HashesPerBatch;
        while (!_stopping)
        {
            ApplyResets();
            if (WaitWhileIdle(ref sink)) continue;
            DrainRecords(ref sink);
            long due = DueTimestamp(_generator.TickHeight + 1);
            long now = _time.GetTimestamp();
            if (now < due)
            {
                // Sleep until the tick is due or a record or reset rings. Whole milliseconds, at least one:
                // a shorter wait would round to a yield and spin (a tick is at most ~1 ms late instead).
                _doorbell.Wait(Math.Max(1, (int)((due - now) * 1000 / _time.TimestampFrequency)), _hasWork);
                continue;
            }

            // The tick is due: hash what is left of its period (records keep coming in between batches).
            ulong height = _generator.TickHeight;
            while (_generator.TickHeight == height && !_stopping)
            {
                HashBatch(batch, ref sink);
                DrainRecords(ref sink);
            }
            Volatile.Write(ref _hashes, (long)_generator.TotalHashes);
            if (_time.GetTimestamp() - due > _timestampsPerTick / 4 && !CatchingUp) Volatile.Write(ref _lateTicks, _lateTicks + 1);
        }
    }

    /// <summary>Whether a sleeping PoH thread has something to do before its next tick: a record it can take (not one waiting behind a record held for the tick), a reset, or a stop.</summary>
    private bool HasWork() => (!_hasPendingRecord && !Records.IsEmpty) || !_resets.IsEmpty || _stopping;

    private void ApplyResets()
    {
        bool reset = false;
        PohReset last = default;
        while (_resets.TryDequeue(out PohReset request))
        {
            _generator.Reset(request.Hash, request.TickHeight);
            _slotStartHash = request.Hash;
            _slotStartTickHeight = request.TickHeight;
            _abandonedSlot = ulong.MaxValue;
            _restartChain = false;
            reset = true;
            last = request;
        }
        if (!reset) return;
        if (last.BlockSlot == ulong.MaxValue)
        {
            _blockSlot = ulong.MaxValue;
            _idleAfterBlock = false;
            Anchor();
        }
        else
        {
            BeginBlock(last.BlockSlot, last.EndTimestamp, last.IdleAfter);
        }
        Volatile.Write(ref _idle, false);
    }

    private void Anchor()
    {
        _anchorTimestamp = _time.GetTimestamp();
        _anchorTickHeight = _generator.TickHeight;
    }

    /// <summary>When the tick that brings the height to <paramref name="tickHeight"/> is due.</summary>
    private long DueTimestamp(ulong tickHeight) => _anchorTimestamp + (long)(((long)tickHeight - (long)_anchorTickHeight) * _timestampsPerTick);

    /// <summary>One batch of hashes; when it ended an abandoned slot, the chain restarts from the slot's start hash before anything else is mixed in.</summary>
    private void HashBatch(ulong batch, ref Publisher sink)
    {
        _generator.HashBatch(batch, ref sink);
        if (!_restartChain) return;
        _restartChain = false;
        if (_idle) return; // a cluster node's abandoned block: its next block starts from what the fork choice says
        // The abandoned slot's ticks never all reached the ledger, so the next slot's block carries them
        // again from its parent's last tick (a block holds the ticks of every slot since its parent:
        // PohRule). They are hashed at the normal pace from now, not in a burst the lagging ledger
        // could not take: that block spans the time of both slots.
        _generator.Reset(_slotStartHash, _slotStartTickHeight);
        _blockSlot = _abandonedSlot + 1;
        Anchor();
    }

    /// <summary>
    /// <see cref="PohGenerator.DrainRecords{TSink}"/> with the ledger's admission in front: up to
    /// <see cref="PohConfig.MaxRecordsPerDrain"/> records (the one waiting for a tick first), each
    /// refused without hashing when its slot was abandoned or its entry has no room.
    /// </summary>
    private void DrainRecords(ref Publisher sink)
    {
        int taken = 0;
        while (true)
        {
            PohRecord record;
            if (_hasPendingRecord)
            {
                record = _pendingRecord;
            }
            else
            {
                if (taken == _config.MaxRecordsPerDrain || !Records.TryDequeue(out record)) break;
                taken++;
            }

            PohRecordStatus status = Admit(record);
            if (status == PohRecordStatus.Recorded) status = _generator.Record(record, ref sink);
            if (status == PohRecordStatus.TickDue)
            {
                _pendingRecord = record;
                _hasPendingRecord = true;
                break;
            }
            _hasPendingRecord = false;
            _pendingRecord = default;
            if (status == PohRecordStatus.LedgerBehind) Volatile.Write(ref _recordsLedgerBehind, _recordsLedgerBehind + 1);
            if (status != PohRecordStatus.Recorded) PublishRejection(record, status);
        }
    }

    /// <summary>Whether a record for the current slot may be mixed in now (<see cref="PohRecordStatus.Recorded"/>: yes; records for other slots are the generator's to judge).</summary>
    private PohRecordStatus Admit(in PohRecord record)
    {
        ulong slot = _generator.Slot;
        // A record for the block being produced waits while PoH hashes the ticks of the slots it skips over.
        if (record.Slot == _blockSlot && slot < _blockSlot) return PohRecordStatus.TickDue;
        if (record.Slot != slot) return PohRecordStatus.Recorded;
        if (slot == _abandonedSlot) return PohRecordStatus.SlotAbandoned;
        // Room for this entry and for the slot's remaining ticks: a record never costs its slot a tick.
        ulong ticksLeft = _blockSlot != ulong.MaxValue
            ? (_blockSlot + 1) * (ulong)_config.TicksPerSlot - _generator.TickHeight // the rest of a block that spans skipped slots
            : (ulong)_config.TicksPerSlot - _generator.TickHeight % (ulong)_config.TicksPerSlot;
        int reserve = (int)Math.Min(ticksLeft, (ulong)(Entries.Capacity / 2));
        return Entries.Capacity - Entries.Count > reserve ? PohRecordStatus.Recorded : PohRecordStatus.LedgerBehind;
    }

    private readonly record struct PohReset(Hash Hash, ulong TickHeight, ulong BlockSlot, long EndTimestamp, bool IdleAfter);
}
