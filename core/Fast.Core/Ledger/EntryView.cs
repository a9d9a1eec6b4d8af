using Fast.Core.Codec;
using Fast.Core.Primitives;
using Fast.Core.Transactions;

namespace Fast.Core.Ledger;

/// <summary>
/// One entry of the PoH record, read in place: how many hashes since the previous entry, the
/// hash it ends on, and the transactions mixed in (none = a tick). Wire layout:
/// <code>
/// u64 num_hashes | hash(32) | shortvec t | t × transaction (each self-delimiting)
/// </code>
/// An entry with transactions has num_hashes ≥ 1 (the last hash is the mixin of their hash).
/// </summary>
public readonly ref struct EntryView
{
    /// <summary>Bytes before the transaction count: num_hashes (8) + hash (32). The count's shortvec (1–3 bytes) follows.</summary>
    public const int HeaderSize = 8 + Hash.Size;

    /// <summary>An entry holds at most this many transactions (a banking batch is far smaller).</summary>
    public const int MaxTransactions = 4096;

    private EntryView(ReadOnlySpan<byte> bytes, ulong numHashes, Hash hash, int transactionCount, int transactionsOffset)
    {
        Bytes = bytes;
        NumHashes = numHashes;
        Hash = hash;
        TransactionCount = transactionCount;
        TransactionsOffset = transactionsOffset;
    }

    /// <summary>The whole entry, exactly.</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    public int Length => Bytes.Length;

    public ulong NumHashes { get; }

    public Hash Hash { get; }

    public int TransactionCount { get; }

    public bool IsTick => TransactionCount == 0;

    private int TransactionsOffset { get; }

    /// <summary>The concatenated transactions.</summary>
    public ReadOnlySpan<byte> TransactionBytes => Bytes[TransactionsOffset..];

    /// <summary>Walks the (already validated) transactions without allocating.</summary>
    public EntryTransactionEnumerator Transactions => new(TransactionBytes, TransactionCount);

    /// <summary>Parses a buffer that must hold exactly one entry.</summary>
    public static DecodeResult TryParse(ReadOnlySpan<byte> buffer, out EntryView entry)
    {
        DecodeResult result = TryParsePrefix(buffer, out entry);
        if (result.IsOk && entry.Length != buffer.Length)
        {
            int end = entry.Length;
            entry = default;
            return new DecodeResult(DecodeStatus.TrailingBytes, end);
        }
        return result;
    }

    /// <summary>Parses one entry at the start of <paramref name="buffer"/>; <see cref="Length"/> is what it took.</summary>
    public static DecodeResult TryParsePrefix(ReadOnlySpan<byte> buffer, out EntryView entry)
    {
        entry = default;
        SpanReader reader = new(buffer);
        reader.TryReadU64(out ulong numHashes);
        reader.TryReadHash(out Hash hash);
        reader.TryReadShortVec(out int count, MaxTransactions);
        if (!reader.IsOk) return reader.Result;
        if (count > 0 && numHashes == 0) return new DecodeResult(DecodeStatus.InvalidValue, 0);

        int transactionsOffset = reader.Position;
        int position = transactionsOffset;
        for (int i = 0; i < count; i++)
        {
            DecodeResult tx = TransactionView.TryParsePrefix(buffer[position..], out TransactionView view);
            if (!tx.IsOk) return new DecodeResult(tx.Status, position + tx.Offset);
            position += view.Length;
        }
        entry = new EntryView(buffer[..position], numHashes, hash, count, transactionsOffset);
        return DecodeResult.Success;
    }
}

/// <summary>Walks an entry's transactions (validated when the entry was parsed).</summary>
public ref struct EntryTransactionEnumerator
{
    private readonly ReadOnlySpan<byte> _bytes;
    private int _remaining;
    private int _position;

    internal EntryTransactionEnumerator(ReadOnlySpan<byte> bytes, int count)
    {
        _bytes = bytes;
        _remaining = count;
        _position = 0;
        Current = default;
    }

    public TransactionView Current { get; private set; }

    public readonly EntryTransactionEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_remaining == 0) return false;
        _remaining--;
        TransactionView.TryParsePrefix(_bytes[_position..], out TransactionView view);
        Current = view;
        _position += view.Length;
        return true;
    }
}
