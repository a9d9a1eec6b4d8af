using Fast.Core.Codec;
using Fast.Core.Ledger;
using Fast.Core.Primitives;
using Fast.Core.Tests.Transactions;
using Fast.Crypto;
using Fast.Testing;
using Xunit;

namespace Fast.Core.Tests.Ledger;

/// <summary>
/// Each way an entry can be malformed. Layout: 0 num_hashes | 8 hash | 40 transaction count | 41 transactions
/// (the sample transfer inside is 215 bytes, its program index at 198 of its own bytes).
/// </summary>
public class EntryRejectionTests
{
    private static byte[] Entry(int transactions, ulong numHashes = 5)
    {
        byte[] tx = TestTransactions.Transfer(Keypair.Generate(), TestTransactions.RandomKey(new Random(21)), 1, default);
        byte[] all = [.. Enumerable.Repeat(tx, transactions).SelectMany(t => t)];
        byte[] entry = new byte[EntryWriter.EncodedLength(transactions, all.Length)];
        SpanWriter writer = new(entry);
        EntryWriter.Write(ref writer, numHashes, Hash.Compute([7]), transactions, all);
        return entry;
    }

    [Fact]
    public void Decoding_an_entry_cut_before_its_transaction_count_reports_Truncated_at_offset_40()
    {
        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, 40), EntryView.TryParse(Entry(0)[..40], out _));
    }

    [Fact]
    public void Decoding_an_entry_cut_inside_its_hash_reports_Truncated_at_offset_8()
    {
        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, 8), EntryView.TryParse(Entry(0)[..20], out _));
    }

    [Fact]
    public void Decoding_an_entry_cut_inside_its_second_transaction_reports_Truncated_at_that_transactions_offset()
    {
        byte[] entry = Entry(2);
        // The second transaction starts at 41 + 215 = 256; cut inside its signature (at 256 + 1).
        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, 257), EntryView.TryParse(entry.AsSpan(0, 300), out _));
    }

    [Fact]
    public void Decoding_an_entry_claiming_4097_transactions_reports_LengthTooLarge_at_offset_40()
    {
        byte[] entry = [.. Entry(0)[..40], 0x81, 0x20];
        Assert.Equal(new DecodeResult(DecodeStatus.LengthTooLarge, 40), EntryView.TryParse(entry, out _));
    }

    [Fact]
    public void Decoding_an_entry_with_an_overlong_transaction_count_reports_NonCanonicalLength_at_offset_41()
    {
        byte[] entry = [.. Entry(0)[..40], 0x80, 0x00];
        Assert.Equal(new DecodeResult(DecodeStatus.NonCanonicalLength, 41), EntryView.TryParse(entry, out _));
    }

    [Fact]
    public void Decoding_an_entry_whose_transaction_has_an_out_of_range_program_reports_IndexOutOfRange_at_offset_239()
    {
        byte[] entry = Entry(1);
        entry[41 + 198] = 9;
        Assert.Equal(new DecodeResult(DecodeStatus.IndexOutOfRange, 239), EntryView.TryParse(entry, out _));
    }

    [Fact]
    public void Decoding_an_entry_with_one_extra_byte_reports_TrailingBytes_at_its_end()
    {
        byte[] entry = [.. Entry(1), 0];
        Assert.Equal(new DecodeResult(DecodeStatus.TrailingBytes, 256), EntryView.TryParse(entry, out _));
    }

    [Fact]
    public void Decoding_an_entry_with_transactions_and_zero_hashes_reports_InvalidValue_at_offset_0()
    {
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 0), EntryView.TryParse(Entry(1, numHashes: 0), out _));
    }

    [Fact]
    public void The_PoH_rule_refuses_a_transaction_entry_of_zero_hashes_instead_of_hashing_forever()
    {
        Assert.Throws<ArgumentException>(() => EntryHashing.NextHash(Hash.Zero, 0, Hash.Compute([1]), isTick: false));
        Assert.Equal(Hash.Zero, EntryHashing.NextHash(Hash.Zero, 0, default, isTick: true));
    }

    [Fact]
    public void Decoding_an_entry_and_walking_its_transactions_allocates_nothing()
    {
        byte[] entry = Entry(3);
        long allocated = Allocations.Measure(5_000, () =>
        {
            EntryView.TryParse(entry, out EntryView view);
            foreach (Fast.Core.Transactions.TransactionView tx in view.Transactions) _ = tx.FeePayer;
        });
        Assert.Equal(0, allocated);
    }
}
