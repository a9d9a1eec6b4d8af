using Fast.Core.Codec;
using Fast.Core.Ledger;
using Fast.Core.Primitives;
using Fast.Core.Transactions;

namespace Fast.Fuzz.Targets;

/// <summary>EntryView.TryParse, re-encoded with <see cref="EntryWriter"/> and each transaction with <see cref="TransactionWriter"/>.</summary>
public readonly struct EntryTarget : IFuzzTarget
{
    public string Name => "entry";

    public int MaxInputLength => 4 * TransactionLimits.MaxTransactionSize;

    public DecodeStatus Check(ReadOnlySpan<byte> input, Span<byte> scratch, out bool canonical)
    {
        canonical = false;
        DecodeResult result = EntryView.TryParse(input, out EntryView entry);
        if (!result.IsOk) return result.Status;
        SpanWriter writer = new(scratch);
        EntryWriter.Write(ref writer, entry.NumHashes, entry.Hash, entry.TransactionCount, default);
        int walked = 0;
        foreach (TransactionView tx in entry.Transactions)
        {
            TransactionWriter.Write(ref writer, tx);
            walked++;
        }
        canonical = !writer.Overflowed && walked == entry.TransactionCount && writer.Written.SequenceEqual(input);
        return DecodeStatus.Ok;
    }

    public IReadOnlyList<FuzzSeed> CreateSeeds() => Seeds.Value;

    private static readonly Lazy<IReadOnlyList<FuzzSeed>> Seeds = new(Build);

    private static List<FuzzSeed> Build()
    {
        Random random = new(4);
        List<byte[]> txs = TransactionTarget.SampleTransactions(random);
        var hash = Hash.Compute([1, 2, 3]);
        List<FuzzSeed> seeds = [Entry(12_500, hash, [])];
        seeds.Add(Entry(1, hash, [txs[0]]));
        seeds.Add(Entry(7, hash, [txs[0], txs[1], txs[2]]));
        seeds.Add(Entry(300, hash, [txs[1], txs[4], txs[0], txs[0]]));
        seeds.Add(Entry(2, hash, [txs[3], txs[0]]));
        return seeds;
    }

    private static FuzzSeed Entry(ulong numHashes, Hash hash, byte[][] txs)
    {
        byte[] all = [.. txs.SelectMany(t => t)];
        byte[] entry = new byte[EntryWriter.EncodedLength(txs.Length, all.Length)];
        SpanWriter writer = new(entry);
        EntryWriter.Write(ref writer, numHashes, hash, txs.Length, all);
        List<int> fields = [0, EntryView.HeaderSize];
        int at = EntryView.HeaderSize + ShortVec.EncodedLength(txs.Length);
        foreach (byte[] tx in txs)
        {
            fields.AddRange(TransactionTarget.LengthFields(tx, at));
            at += tx.Length;
        }
        return new FuzzSeed(entry, [.. fields]);
    }
}
