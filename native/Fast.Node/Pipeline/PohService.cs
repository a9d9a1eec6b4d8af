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
/// Ticks are paced to the wall clock: tick k is due <c>k × slotMs / ticksPerSlot</c> after start.
/// In the default mode the thread hashes flat out and, when a tick comes early, spins (taking
/// records) until it is due — the core is PoH's anyway. In <see cref="PohConfig.LowPower"/> mode it
/// sleeps until a tick is due and only then hashes the tick's few hashes, so many validators can
/// share two cores.
/// </para>
/// Threads: construct, <see cref="Start"/>, <see cref="Stop"/>, <see cref="TryReset"/> and the
/// counters from any thread; the generator only on the PoH thread.
/// </summary>
public sealed class PohService : IDisposable
{
    private readonly PohConfig _config;
    private readonly PohGenerator _generator;
    private readonly TimeProvider _time;
    private readonly BoundedQueue<PohReset> _resets = new(16);
    private readonly double _timestampsPerTick;
    private Thread? _thread;
    private volatile bool _stopping;

    // Written by the PoH thread only; read from anywhere.
    private long _hashes;
    private long _ticks;
    private long _entriesPublished;
    private long _entriesDropped;
    private long _slotEndsDropped;
    private long _outcomesDropped;
    private long _recordsRecorded;
    private long _recordsRejected;
    private long _lateTicks;
    private int _pinErrno;

    // The pacing anchor: the timestamp at which tick height _anchorTickHeight was reached (PoH thread only).
    private long _anchorTimestamp;
    private ulong _anchorTickHeight;

    /// <param name="config">Timing, core, queue bounds (validated; an invalid config throws <see cref="ArgumentException"/> with <see cref="PohConfig.Validate"/>'s text).</param>
    /// <param name="start">The hash the chain starts from.</param>
    /// <param name="tickHeight">Ticks before <paramref name="start"/>.</param>
    /// <param name="time">The wall clock (tests may pass their own).</param>
    public PohService(PohConfig config, in Hash start, ulong tickHeight, TimeProvider? time = null)
    {
        string? error = config.Validate();
        if (error is not null) throw new ArgumentException(error, nameof(config));
        _config = config;
        _time = time ?? TimeProvider.System;
        _generator = new PohGenerator(start, tickHeight, config.HashesPerTick, config.TicksPerSlot);
        _timestampsPerTick = config.TickNanoseconds * (_time.TimestampFrequency / 1e9);
        Records = new BoundedQueue<PohRecord>(config.RecordQueueCapacity);
        Entries = new BoundedQueue<PohEntry>(config.EntryQueueCapacity);
        SlotEnds = new BoundedQueue<PohSlotEnd>(config.SlotEndQueueCapacity);
        RecordOutcomes = new BoundedQueue<PohRecordOutcome>(config.OutcomeQueueCapacity);
    }

    public PohConfig Config => _config;

    /// <summary>In: records from the banking stage.</summary>
    public BoundedQueue<PohRecord> Records { get; }

    /// <summary>Out: every entry and tick, in chain order (a gap means <see cref="EntriesDropped"/> grew).</summary>
    public BoundedQueue<PohEntry> Entries { get; }

    /// <summary>Out: one item per completed slot.</summary>
    public BoundedQueue<PohSlotEnd> SlotEnds { get; }

    /// <summary>Out: one item per record taken (recorded or refused).</summary>
    public BoundedQueue<PohRecordOutcome> RecordOutcomes { get; }

    public long Hashes => Volatile.Read(ref _hashes);
    public long Ticks => Volatile.Read(ref _ticks);
    public long EntriesPublished => Volatile.Read(ref _entriesPublished);
    public long EntriesDropped => Volatile.Read(ref _entriesDropped);
    public long SlotEndsDropped => Volatile.Read(ref _slotEndsDropped);
    public long OutcomesDropped => Volatile.Read(ref _outcomesDropped);
    public long RecordsRecorded => Volatile.Read(ref _recordsRecorded);
    public long RecordsRejected => Volatile.Read(ref _recordsRejected);

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
        _thread?.Join();
    }

    public void Dispose() => Stop();

    /// <summary>Asks the PoH thread to restart the chain from <paramref name="hash"/> at <paramref name="tickHeight"/> (the fork choice moved); false when too many resets are queued.</summary>
    public bool TryReset(in Hash hash, ulong tickHeight) => _resets.TryEnqueue(new PohReset(hash, tickHeight));

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
            _generator.DrainRecords(Records, _config.MaxRecordsPerDrain, ref sink);
            ulong height = _generator.TickHeight;
            _generator.HashBatch(batch, ref sink);
            Volatile.Write(ref _hashes, (long)_generator.TotalHashes);
            if (_generator.TickHeight == height) continue;

            // A tick: if it came early, hold (taking records) until it is due.
            long due = DueTimestamp(_generator.TickHeight);
            long now = _time.GetTimestamp();
            if (now - due > _timestampsPerTick / 4) Volatile.Write(ref _lateTicks, _lateTicks + 1);
            while (now < due && !_stopping)
            {
                _generator.DrainRecords(Records, _config.MaxRecordsPerDrain, ref sink);
                Thread.SpinWait(32);
                now = _time.GetTimestamp();
            }
        }
    }

    private void RunLowPower(ref Publisher sink)
    {
        ulong batch = (ulong)_config.HashesPerBatch;
        long pollTimestamps = _config.LowPowerPollMs * _time.TimestampFrequency / 1000;
        while (!_stopping)
        {
            ApplyResets();
            _generator.DrainRecords(Records, _config.MaxRecordsPerDrain, ref sink);
            long due = DueTimestamp(_generator.TickHeight + 1);
            long now = _time.GetTimestamp();
            if (now < due)
            {
                // Whole milliseconds, at least one: a shorter sleep would round to a yield and spin (a tick is at most ~1 ms late instead).
                long wait = Math.Min(due - now, pollTimestamps);
                Thread.Sleep(Math.Max(1, (int)(wait * 1000 / _time.TimestampFrequency)));
                continue;
            }

            // The tick is due: hash what is left of its period (records keep coming in between batches).
            ulong height = _generator.TickHeight;
            while (_generator.TickHeight == height && !_stopping)
            {
                _generator.HashBatch(batch, ref sink);
                _generator.DrainRecords(Records, _config.MaxRecordsPerDrain, ref sink);
            }
            Volatile.Write(ref _hashes, (long)_generator.TotalHashes);
            if (_time.GetTimestamp() - due > _timestampsPerTick / 4) Volatile.Write(ref _lateTicks, _lateTicks + 1);
        }
    }

    private void ApplyResets()
    {
        bool reset = false;
        while (_resets.TryDequeue(out PohReset request))
        {
            _generator.Reset(request.Hash, request.TickHeight);
            reset = true;
        }
        if (reset) Anchor();
    }

    private void Anchor()
    {
        _anchorTimestamp = _time.GetTimestamp();
        _anchorTickHeight = _generator.TickHeight;
    }

    /// <summary>When the tick that brings the height to <paramref name="tickHeight"/> is due.</summary>
    private long DueTimestamp(ulong tickHeight) => _anchorTimestamp + (long)((tickHeight - _anchorTickHeight) * _timestampsPerTick);

    private void PublishEntry(in PohEntry entry)
    {
        if (Entries.TryEnqueue(entry)) Volatile.Write(ref _entriesPublished, _entriesPublished + 1);
        else Volatile.Write(ref _entriesDropped, _entriesDropped + 1);

        if (entry.IsTick)
        {
            Volatile.Write(ref _ticks, _ticks + 1);
            return;
        }
        Volatile.Write(ref _recordsRecorded, _recordsRecorded + 1);
        PublishOutcome(new PohRecordOutcome(entry.RecordId, entry.Slot, PohRecordStatus.Recorded, entry.Hash, entry.TickHeight));
    }

    private void PublishSlotEnd(in PohSlotEnd slotEnd)
    {
        if (!SlotEnds.TryEnqueue(slotEnd)) Volatile.Write(ref _slotEndsDropped, _slotEndsDropped + 1);
    }

    private void PublishRejection(in PohRecord record, PohRecordStatus status)
    {
        Volatile.Write(ref _recordsRejected, _recordsRejected + 1);
        PublishOutcome(new PohRecordOutcome(record.Id, record.Slot, status, default, 0));
    }

    private void PublishOutcome(in PohRecordOutcome outcome)
    {
        if (!RecordOutcomes.TryEnqueue(outcome)) Volatile.Write(ref _outcomesDropped, _outcomesDropped + 1);
    }

    private readonly record struct PohReset(Hash Hash, ulong TickHeight);

    /// <summary>The generator's sink on the PoH thread: publishes into the service's queues (no virtual calls, no allocation).</summary>
    private readonly struct Publisher(PohService service) : IPohSink
    {
        public void OnEntry(in PohEntry entry) => service.PublishEntry(entry);

        public void OnSlotEnded(in PohSlotEnd slotEnd) => service.PublishSlotEnd(slotEnd);

        public void OnRecordRejected(in PohRecord record, PohRecordStatus status) => service.PublishRejection(record, status);
    }
}
