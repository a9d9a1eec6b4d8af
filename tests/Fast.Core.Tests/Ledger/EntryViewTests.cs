using Fast.Core.Codec;
using Fast.Core.Ledger;
using Fast.Core.Primitives;
using Fast.Core.Tests.Transactions;
using Fast.Core.Transactions;
using Fast.Crypto;
using Xunit;

namespace Fast.Core.Tests.Ledger;

public class EntryViewTests
{
    [Fact]
    public void An_entry_with_transactions_round_trips_and_its_PoH_hash_checks()
    {
        Random random = new(5);
        byte[][] txs = [.. Enumerable.Range(0, 3).Select(i => TestTransactions.Transfer(Keypair.Generate(), TestTransactions.RandomKey(random), (ulong)i, default))];
        byte[] concatenated = [.. txs.SelectMany(t => t)];

        Hash start = TestTransactions.RandomHash(random);
        byte[] provisional = new byte[EntryWriter.EncodedLength(3, concatenated.Length)];
        SpanWriter w = new(provisional);
        EntryWriter.Write(ref w, 10, default, 3, concatenated);
        Assert.False(w.Overflowed);
        EntryView.TryParse(provisional, out EntryView draft);
        Hash end = EntryHashing.NextHash(start, 10, EntryHashing.TransactionsHash(draft), isTick: false);

        byte[] bytes = new byte[provisional.Length];
        SpanWriter w2 = new(bytes);
        EntryWriter.Write(ref w2, 10, end, 3, concatenated);
        Assert.Equal(DecodeStatus.Ok, EntryView.TryParse(bytes, out EntryView entry).Status);
        Assert.Equal(10UL, entry.NumHashes);
        Assert.Equal(end, entry.Hash);
        Assert.Equal(3, entry.TransactionCount);
        int i = 0;
        foreach (TransactionView tx in entry.Transactions) Assert.True(tx.Bytes.SequenceEqual(txs[i++]));
        Assert.Equal(end, EntryHashing.NextHash(start, entry.NumHashes, EntryHashing.TransactionsHash(entry), entry.IsTick));
    }

    [Fact]
    public void A_tick_is_forty_one_bytes_and_a_transaction_entry_with_zero_hashes_is_invalid()
    {
        byte[] tick = new byte[41];
        SpanWriter w = new(tick);
        EntryWriter.WriteTick(ref w, 12500, default);
        Assert.Equal(41, w.Position);
        Assert.True(EntryView.TryParse(tick, out EntryView entry).IsOk);
        Assert.True(entry.IsTick);

        byte[] tx = TestTransactions.Transfer(Keypair.Generate(), TestTransactions.RandomKey(new Random(1)), 1, default);
        byte[] bad = new byte[EntryWriter.EncodedLength(1, tx.Length)];
        SpanWriter w2 = new(bad);
        EntryWriter.Write(ref w2, 0, default, 1, tx);
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 0), EntryView.TryParse(bad, out _));
    }
}
