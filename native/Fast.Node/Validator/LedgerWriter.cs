using Fast.Core.Codec;
using Fast.Core.Platform;
using Fast.Core.Poh;
using Fast.Node.Pipeline;
using Fast.Storage.Blocks;

namespace Fast.Node.Validator;

/// <summary>What the ledger writer did. Written by its thread, read by /metrics.</summary>
public sealed class LedgerCounters
{
    public long Entries;
    public long Ticks;
    public long Appends;
    public long SlotsCompleted;
    public long AppendFailures;
    /// <summary>Slots that cannot be confirmed because PoH dropped some of their entries (the writer fell behind).</summary>
    public long SlotsWithGaps;
}

/// <summary>
/// Persists what PoH produced: one named thread ("fast-ledger") takes entries and ticks in chain
/// order, serialises them (the entry wire format) into the slot's pending bytes, appends them to
/// the Blockstore (when the buffer fills, and always at the slot's final tick, which completes the
/// slot and commits it: durable), then tells <see cref="ChainState"/> the slot is durable — half
/// of "confirmed". Releases each entry's transaction buffer once written. A slot in which PoH
/// dropped entries (this writer fell behind) is never marked durable.
/// </summary>
public sealed class LedgerWriter : IDisposable
{
    private readonly PohService _poh;
    private readonly Blockstore _blockstore;
    private readonly ChainState _chain;
    private readonly int _ticksPerSlot;
    private readonly int? _core;
    private readonly Thread _thread;
    private readonly byte[] _pending;
    private int _pendingBytes;
    private int _pendingEntries;
    private ulong _slot = ulong.MaxValue;
    private bool _slotHasGap;
    private long _droppedSeen;
    private volatile bool _stopping;

    public LedgerWriter(PohService poh, Blockstore blockstore, ChainState chain, int ticksPerSlot, int? core = null)
    {
        _poh = poh;
        _blockstore = blockstore;
        _chain = chain;
        _ticksPerSlot = ticksPerSlot;
        _core = core;
        _pending = new byte[Math.Min(blockstore.Options.MaxAppendBytes, 8 << 20)];
        _thread = new Thread(Run) { Name = "fast-ledger", IsBackground = true };
    }

    public LedgerCounters Counters { get; } = new();

    public Exception? Failure { get; private set; }

    public void Start() => _thread.Start();

    private void Run()
    {
        if (_core is int core) CpuAffinity.TryPinCurrentThread(core, out _);
        try
        {
            while (true)
            {
                bool any = false;
                while (_poh.Entries.TryDequeue(out PohEntry entry))
                {
                    Write(entry);
                    any = true;
                }
                if (!any)
                {
                    if (_stopping) break;
                    Thread.Sleep(1);
                }
            }
            Flush(complete: false);
        }
        catch (Exception e)
        {
            Failure = e;
        }
    }

    private void Write(in PohEntry entry)
    {
        long dropped = _poh.EntriesDropped;
        if (dropped != _droppedSeen)
        {
            _droppedSeen = dropped;
            _slotHasGap = true;
        }
        if (entry.Slot != _slot)
        {
            Flush(complete: false);
            _slot = entry.Slot;
            _slotHasGap = false;
        }
        int length = entry.EncodedLength;
        if (_pendingBytes + length > _pending.Length) Flush(complete: false);
        SpanWriter writer = new(_pending.AsSpan(_pendingBytes));
        entry.WriteTo(ref writer);
        _pendingBytes += writer.Position;
        _pendingEntries++;
        if (entry.IsTick)
        {
            Counters.Ticks++;
        }
        else
        {
            Counters.Entries++;
            EntryBuffer.Of(entry.Transactions)?.Release();
        }
        if (entry.TickHeight == (entry.Slot + 1) * (ulong)_ticksPerSlot && entry.IsTick) Flush(complete: true);
    }

    private void Flush(bool complete)
    {
        if (_pendingEntries == 0 || _slot == ulong.MaxValue) return;
        ulong slot = _slot;
        AppendStatus status = _blockstore.AppendEntries(slot, _chain.ParentOf(slot), _pendingEntries, _pending.AsSpan(0, _pendingBytes), complete && !_slotHasGap);
        Counters.Appends++;
        if (status != AppendStatus.Ok) Counters.AppendFailures++;
        _pendingBytes = 0;
        _pendingEntries = 0;
        if (!complete) return;
        if (_slotHasGap || status != AppendStatus.Ok)
        {
            Counters.SlotsWithGaps++;
            return;
        }
        Counters.SlotsCompleted++;
        _chain.MarkDurable(slot);
    }

    /// <summary>Writes what PoH already produced, then stops (call after PoH stopped).</summary>
    public void Stop()
    {
        _stopping = true;
        if (_thread.IsAlive) _thread.Join();
    }

    public void Dispose() => Stop();
}
