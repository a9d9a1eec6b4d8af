using Fast.Core.Codec;
using Fast.Core.Ledger;
using Fast.Core.Primitives;

namespace Fast.Core.Poh;

/// <summary>
/// An entry the generator produced: <see cref="NumHashes"/> hashes since the previous entry ending on
/// <see cref="Hash"/>, with the record's transactions (a tick has none). <see cref="Slot"/> is the slot
/// the entry belongs to and <see cref="TickHeight"/> the tick height after it (a slot's last tick has
/// <c>TickHeight == (Slot + 1) × ticksPerSlot</c>). The broadcaster serialises it with
/// <see cref="WriteTo"/> (the <see cref="EntryView"/> wire format); <see cref="Transactions"/> is the
/// record's buffer, not a copy (see <see cref="PohRecord"/> for who returns it).
/// </summary>
public readonly record struct PohEntry(
    ulong Slot,
    ulong TickHeight,
    ulong NumHashes,
    Hash Hash,
    Hash Mixin,
    int TransactionCount,
    ReadOnlyMemory<byte> Transactions,
    long RecordId)
{
    public bool IsTick => TransactionCount == 0;

    /// <summary>Bytes <see cref="WriteTo"/> writes.</summary>
    public int EncodedLength => EntryWriter.EncodedLength(TransactionCount, Transactions.Length);

    /// <summary>Writes the entry in the wire format of <see cref="EntryView"/>.</summary>
    public void WriteTo(ref SpanWriter writer) => EntryWriter.Write(ref writer, NumHashes, Hash, TransactionCount, Transactions.Span);

    /// <summary>The compact form the verifier checks.</summary>
    public PohSegment ToSegment() => IsTick ? PohSegment.Tick(NumHashes, Hash) : PohSegment.WithMixin(NumHashes, Hash, Mixin);
}

/// <summary>
/// A slot's final tick was produced: the slot ended on <see cref="LastTickHash"/> at tick height
/// <see cref="TickHeight"/>. <see cref="Abandoned"/>: part of the slot never reached the ledger, so
/// the slot is dead (never confirmed) and the next slot builds on this one's parent.
/// </summary>
public readonly record struct PohSlotEnd(ulong Slot, ulong TickHeight, Hash LastTickHash, bool Abandoned = false);
