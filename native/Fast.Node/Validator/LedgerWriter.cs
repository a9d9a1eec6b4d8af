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
    /// <summary>Slots PoH abandoned (this writer fell behind and a tick found the queue full): written in part, never complete, never confirmed.</summary>
    public long SlotsAbandoned;
}

/// <summary>
/// Persists what PoH produced: one named thread ("fast-ledger") takes entries and ticks in chain
/// order, serialises them (the entry wire format) into the slot's pending bytes, appends them to
/// the Blockstore (when the buffer fills, and always at the slot's final tick, which completes the
/// slot and commits it: durable), then tells <see cref="ChainState"/> that slot is durable — half
/// of "confirmed". Releases each entry's transaction buffer once written. PoH queues every entry it
/// recorded and stops publishing a slot at the first tick it could not queue (the slot is
/// abandoned), so a slot is complete exactly when its final tick arrives; an abandoned slot is left
/// incomplete, and the next slot's parent is the last slot that completed (PoH restarted its chain
/// there). Optionally stalled before each append (<see cref="StallMilliseconds"/>, tests only).
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
    private ulong _parent;
    private bool _slotCompleted = true;
    private ulong? _lastCompletedSlot;
    private volatile bool _stopping;
    private readonly Doorbell _doorbell = new();
    private readonly Func<bool> _hasEntries;

    public LedgerWriter(PohService poh, Blockstore blockstore, ChainState chain, int ticksPerSlot, int? core = null)
    {
        _poh = poh;
        _poh.Entries.Waker = _doorbell; // the writer sleeps on it while PoH has published nothing
        _hasEntries = () => !_poh.Entries.IsEmpty || _stopping;
        _blockstore = blockstore;
        _chain = chain;
        _ticksPerSlot = ticksPerSlot;
        _core = core;
        _pending = new byte[Math.Min(blockstore.Options.MaxAppendBytes, 8 << 20)];
        _thread = new Thread(Run) { Name = "fast-ledger", IsBackground = true };
    }

    public LedgerCounters Counters { get; } = new();

    public Exception? Failure { get; private set; }

    /// <summary>Fault injection for tests (<c>--test-stall-ledger-writer-ms</c>): sleep this long before every append, as a slow or stuck disk would.</summary>
    public int StallMilliseconds { get; init; }

    /// <summary>A cluster node's broadcaster: every entry of the node's own blocks is shredded and sent as it is written; null on a single node.</summary>
    public Cluster.BlockBroadcaster? Broadcaster { get; init; }

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
                    _doorbell.Wait(100, _hasEntries);
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
        if (entry.Slot != _slot) BeginSlot(entry.Slot);
        int length = entry.EncodedLength;
        if (_pendingBytes + length > _pending.Length) Flush(complete: false);
        SpanWriter writer = new(_pending.AsSpan(_pendingBytes));
        entry.WriteTo(ref writer);
        Broadcaster?.Append(_pending.AsSpan(_pendingBytes, writer.Position));
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
        if (entry.IsTick && entry.TickHeight == (entry.Slot + 1) * (ulong)_ticksPerSlot)
        {
            Flush(complete: true);
            if (Broadcaster?.Finish() is Cluster.OwnBlock own && _blockstore.AppendBlockId(own.Slot, own.BlockId.Span))
            {
                _blockstore.Commit(); // the id with the block: a restart needs it to connect the blocks built on this one
            }
            _slotCompleted = true;
            _lastCompletedSlot = _slot; // PoH's chain goes on from this slot's final tick: it is the next slot's parent
        }
    }

    /// <summary>Closes the previous slot (left incomplete when PoH abandoned it) and opens <paramref name="slot"/> on the last completed slot.</summary>
    private void BeginSlot(ulong slot)
    {
        Flush(complete: false);
        if (!_slotCompleted) Counters.SlotsAbandoned++;
        _slot = slot;
        _slotCompleted = false;
        // A cluster node's block builds on the parent banking chose (the fork choice); a single node's on its last complete slot.
        _parent = Broadcaster is not null ? Broadcaster.BeginSlot(slot) ?? _chain.ParentOf(slot) : _lastCompletedSlot ?? _chain.ParentOf(slot);
    }

    private void Flush(bool complete)
    {
        if (_pendingEntries == 0 || _slot == ulong.MaxValue) return;
        if (StallMilliseconds > 0) Thread.Sleep(StallMilliseconds);
        ulong slot = _slot;
        AppendStatus status = _blockstore.AppendEntries(slot, _parent, _pendingEntries, _pending.AsSpan(0, _pendingBytes), complete);
        Counters.Appends++;
        _pendingBytes = 0;
        _pendingEntries = 0;
        if (status != AppendStatus.Ok)
        {
            Counters.AppendFailures++;
            return;
        }
        if (!complete) return;
        Counters.SlotsCompleted++;
        _chain.MarkDurable(slot);
    }

    /// <summary>Writes what PoH already produced, then stops (call after PoH stopped).</summary>
    public void Stop()
    {
        _stopping = true;
        _doorbell.Wake();
        if (_thread.IsAlive) _thread.Join();
    }

    public void Dispose() => Stop();
}
