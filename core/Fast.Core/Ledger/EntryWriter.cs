using Fast.Core.Codec;
using Fast.Core.Primitives;

namespace Fast.Core.Ledger;

/// <summary>Encodes entries (the mirror of <see cref="EntryView"/>). Zero allocation.</summary>
public static class EntryWriter
{
    /// <summary>Bytes an entry takes with <paramref name="transactionCount"/> transactions of <paramref name="transactionBytes"/> total.</summary>
    public static int EncodedLength(int transactionCount, int transactionBytes) =>
        EntryView.HeaderSize + ShortVec.EncodedLength(transactionCount) + transactionBytes;

    /// <summary>
    /// Writes an entry. <paramref name="transactions"/> is the concatenation of
    /// <paramref name="transactionCount"/> wire-format transactions (not re-validated here).
    /// </summary>
    public static void Write(ref SpanWriter writer, ulong numHashes, in Hash hash, int transactionCount, scoped ReadOnlySpan<byte> transactions)
    {
        writer.WriteU64(numHashes);
        writer.WriteHash(hash);
        writer.WriteShortVec(transactionCount);
        writer.WriteBytes(transactions);
    }

    /// <summary>Writes a tick: an entry with no transactions.</summary>
    public static void WriteTick(ref SpanWriter writer, ulong numHashes, in Hash hash) => Write(ref writer, numHashes, hash, 0, default);
}
