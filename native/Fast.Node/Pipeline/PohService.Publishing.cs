using Fast.Core.Poh;

namespace Fast.Node.Pipeline;

/// <summary>
/// PoH's output side: entries, slot ends and record outcomes published into the service's bounded
/// queues for the ledger writer and banking (a tick that cannot be queued abandons its slot). PoH
/// thread only.
/// </summary>
public sealed partial class PohService
{
    private void PublishEntry(in PohEntry produced)
    {
        PohEntry entry = _blockSlot != ulong.MaxValue && produced.Slot < _blockSlot ? produced with { Slot = _blockSlot } : produced;
        if (entry.IsTick)
        {
            Volatile.Write(ref _ticks, _ticks + 1);
            Volatile.Write(ref _slot, (long)(entry.TickHeight == (entry.Slot + 1) * (ulong)_config.TicksPerSlot ? entry.Slot + 1 : entry.Slot));
            if (entry.Slot == _abandonedSlot) return; // the rest of an abandoned slot is not published
            if (Entries.TryEnqueue(entry))
            {
                Volatile.Write(ref _entriesPublished, _entriesPublished + 1);
                return;
            }
            Volatile.Write(ref _entriesDropped, _entriesDropped + 1);
            Abandon(entry.Slot);
            return;
        }

        if (entry.Slot != _abandonedSlot && Entries.TryEnqueue(entry))
        {
            Volatile.Write(ref _entriesPublished, _entriesPublished + 1);
            Volatile.Write(ref _recordsRecorded, _recordsRecorded + 1);
            PublishOutcome(new PohRecordOutcome(entry.RecordId, entry.Slot, PohRecordStatus.Recorded, entry.Hash, entry.TickHeight));
            return;
        }
        // Not reached while this thread is the queue's only producer (Admit saw the room). Were it
        // reached, the chain already holds the entry, so its slot can never be completed: abandon it.
        Volatile.Write(ref _entriesDropped, _entriesDropped + 1);
        Abandon(entry.Slot);
        Volatile.Write(ref _recordsRejected, _recordsRejected + 1);
        PublishOutcome(new PohRecordOutcome(entry.RecordId, entry.Slot, PohRecordStatus.SlotAbandoned, default, 0));
    }

    private void Abandon(ulong slot)
    {
        if (slot == _abandonedSlot) return;
        _abandonedSlot = slot;
        Volatile.Write(ref _slotsAbandoned, _slotsAbandoned + 1);
    }

    private void PublishSlotEnd(in PohSlotEnd slotEnd)
    {
        if (_blockSlot != ulong.MaxValue)
        {
            if (slotEnd.Slot < _blockSlot) return; // a skipped slot's end: its ticks are the block's
            _blockSlot = ulong.MaxValue;
            if (_idleAfterBlock) Volatile.Write(ref _idle, true);
        }
        bool abandoned = slotEnd.Slot == _abandonedSlot;
        if (abandoned)
        {
            _restartChain = true; // the next slot builds on this one's parent
        }
        else
        {
            _slotStartHash = slotEnd.LastTickHash;
            _slotStartTickHeight = slotEnd.TickHeight;
        }
        if (!SlotEnds.TryEnqueue(slotEnd with { Abandoned = abandoned })) Volatile.Write(ref _slotEndsDropped, _slotEndsDropped + 1);
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

    /// <summary>The generator's sink on the PoH thread: publishes into the service's queues (no virtual calls, no allocation).</summary>
    private readonly struct Publisher(PohService service) : IPohSink
    {
        public void OnEntry(in PohEntry entry) => service.PublishEntry(entry);

        public void OnSlotEnded(in PohSlotEnd slotEnd) => service.PublishSlotEnd(slotEnd);

        public void OnRecordRejected(in PohRecord record, PohRecordStatus status) => service.PublishRejection(record, status);
    }
}
