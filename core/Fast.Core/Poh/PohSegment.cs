using Fast.Core.Codec;
using Fast.Core.Ledger;
using Fast.Core.Primitives;

namespace Fast.Core.Poh;

/// <summary>
/// One entry as the PoH verifier sees it: <see cref="NumHashes"/> hashes from the previous entry's
/// hash to <see cref="Hash"/>, the last of them <c>sha256(h ‖ Mixin)</c> when
/// <see cref="HasMixin"/> (an entry with transactions), all plain for a tick. Compact (no
/// transaction bytes), so a slot's entries fit in one array the verifier splits across cores.
/// </summary>
public readonly record struct PohSegment(ulong NumHashes, Hash Hash, Hash Mixin, bool HasMixin)
{
    public static PohSegment Tick(ulong numHashes, in Hash hash) => new(numHashes, hash, default, false);

    public static PohSegment WithMixin(ulong numHashes, in Hash hash, in Hash mixin) => new(numHashes, hash, mixin, true);

    /// <summary>The segment of a parsed entry (computes the transactions' Merkle root for the mixin).</summary>
    public static PohSegment FromEntry(in EntryView entry) =>
        entry.IsTick ? Tick(entry.NumHashes, entry.Hash) : WithMixin(entry.NumHashes, entry.Hash, EntryHashing.TransactionsHash(entry));

    /// <summary>
    /// Parses back-to-back wire-format entries into segments. Stops at the first malformed entry
    /// (its status, and the offset into <paramref name="entries"/>) or when
    /// <paramref name="destination"/> is full (<see cref="DecodeStatus.LengthTooLarge"/>).
    /// </summary>
    public static DecodeResult TryParseEntries(ReadOnlySpan<byte> entries, Span<PohSegment> destination, out int count)
    {
        count = 0;
        int offset = 0;
        while (offset < entries.Length)
        {
            if (count == destination.Length) return new DecodeResult(DecodeStatus.LengthTooLarge, offset);
            DecodeResult result = EntryView.TryParsePrefix(entries[offset..], out EntryView entry);
            if (!result.IsOk) return new DecodeResult(result.Status, offset + result.Offset);
            destination[count++] = FromEntry(entry);
            offset += entry.Length;
        }
        return DecodeResult.Success;
    }
}
