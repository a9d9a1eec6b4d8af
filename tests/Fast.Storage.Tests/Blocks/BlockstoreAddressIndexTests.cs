using Fast.Core.Codec;
using Fast.Core.Ledger;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Storage.Blocks;
using Fast.Testing;
using Xunit;

namespace Fast.Storage.Tests.Blocks;

/// <summary>The Blockstore's address → signatures index: newest first, paging, rebuilt on reopen, purged with the ledger.</summary>
public class BlockstoreAddressIndexTests
{
    private static readonly Pubkey Program = new(Enumerable.Repeat((byte)200, 32).ToArray());
    private readonly Keypair _alice = Keypair.Generate();
    private readonly Pubkey _bob = new(Enumerable.Repeat((byte)66, 32).ToArray());

    /// <summary>A signed transaction from alice naming bob (and <paramref name="other"/>), distinct per <paramref name="nonce"/>.</summary>
    private byte[] Transaction(int nonce, Pubkey? other = null)
    {
        Pubkey alice = new(_alice.PublicKey);
        TransactionBuilder builder = new(alice, Hash.Compute(BitConverter.GetBytes(nonce)));
        AccountMeta[] accounts = other is Pubkey o ? [AccountMeta.Writable(alice, signer: true), AccountMeta.Writable(_bob), AccountMeta.Writable(o)] : [AccountMeta.Writable(alice, signer: true), AccountMeta.Writable(_bob)];
        builder.AddInstruction(Program, accounts, BitConverter.GetBytes(nonce));
        return builder.Sign(_alice);
    }

    private static Signature SignatureOf(byte[] tx)
    {
        TransactionView.TryParse(tx, out TransactionView view);
        return view.FirstSignature;
    }

    /// <summary>One entry holding <paramref name="transactions"/>, then a tick.</summary>
    private static byte[] Entries(params byte[][] transactions)
    {
        byte[] joined = [.. transactions.SelectMany(t => t)];
        byte[] buffer = new byte[EntryWriter.EncodedLength(transactions.Length, joined.Length) + EntryWriter.EncodedLength(0, 0)];
        SpanWriter w = new(buffer);
        EntryWriter.Write(ref w, 1, Hash.Compute(joined), transactions.Length, joined);
        EntryWriter.WriteTick(ref w, 1, Hash.Compute("tick"u8));
        return w.Written.ToArray();
    }

    /// <summary>Slots 10..14, two batches each of two transactions; returns every signature in ledger order.</summary>
    private List<Signature> Fill(Blockstore store, Pubkey carol)
    {
        List<Signature> signatures = [];
        int nonce = 0;
        for (ulong slot = 10; slot < 15; slot++)
        {
            for (int batch = 0; batch < 2; batch++)
            {
                byte[] a = Transaction(nonce++), b = Transaction(nonce++, slot == 12 ? carol : null);
                signatures.Add(SignatureOf(a));
                signatures.Add(SignatureOf(b));
                Assert.Equal(AppendStatus.Ok, store.AppendEntries(slot, slot - 1, 2, Entries(a, b), slotComplete: batch == 1));
            }
        }
        return signatures;
    }

    private static Signature[] Signatures(IReadOnlyList<AddressSignature> found) => [.. found.Select(f => f.Signature)];

    [Fact]
    public void An_addresses_signatures_come_newest_first_with_their_slot_and_index_and_page_with_before_and_until()
    {
        using TempDir dir = new();
        using var store = Blockstore.Open(BlockstoreTests.SmallOptions(dir.Path));
        Pubkey carol = new(Enumerable.Repeat((byte)77, 32).ToArray());
        List<Signature> all = Fill(store, carol);
        Signature[] newestFirst = [.. Enumerable.Reverse(all)];
        Assert.Equal((4, 20 * 3 + 2), store.AddressIndexSize); // alice, bob, the program, carol; 3 keys a transaction, 4 in two

        IReadOnlyList<AddressSignature> bob = store.ReadAddressSignatures(_bob, ulong.MaxValue, null, null, 1000);
        Assert.Equal(newestFirst, Signatures(bob));
        Assert.Equal((14UL, 3), (bob[0].Slot, bob[0].Index));
        Assert.Equal((10UL, 0), (bob[^1].Slot, bob[^1].Index));

        IReadOnlyList<AddressSignature> page1 = store.ReadAddressSignatures(_bob, ulong.MaxValue, null, null, 7);
        IReadOnlyList<AddressSignature> page2 = store.ReadAddressSignatures(_bob, ulong.MaxValue, page1[^1].Signature, null, 7);
        IReadOnlyList<AddressSignature> page3 = store.ReadAddressSignatures(_bob, ulong.MaxValue, page2[^1].Signature, null, 7);
        Assert.Equal(newestFirst, (Signature[])[.. Signatures(page1), .. Signatures(page2), .. Signatures(page3)]);
        Assert.Equal(6, page3.Count);

        Assert.Equal(newestFirst[..5], Signatures(store.ReadAddressSignatures(_bob, ulong.MaxValue, null, newestFirst[5], 1000)));
        Assert.Equal(newestFirst[3..5], Signatures(store.ReadAddressSignatures(_bob, ulong.MaxValue, newestFirst[2], newestFirst[5], 1000)));
        Assert.Equal(newestFirst[8..], Signatures(store.ReadAddressSignatures(_bob, 12, null, null, 1000))); // nothing past slot 12

        Assert.Equal([all[11], all[9]], Signatures(store.ReadAddressSignatures(carol, ulong.MaxValue, null, null, 1000)));
        Assert.Equal(newestFirst, Signatures(store.ReadAddressSignatures(Program, ulong.MaxValue, null, null, 1000)));
        Assert.Empty(store.ReadAddressSignatures(new Pubkey(Enumerable.Repeat((byte)1, 32).ToArray()), ulong.MaxValue, null, null, 1000));

        // An unknown `before` starts from the newest, as Solana's does.
        Assert.Equal(newestFirst[..2], Signatures(store.ReadAddressSignatures(_bob, ulong.MaxValue, new Signature(new byte[64]), null, 2)));
    }

    [Fact]
    public void The_index_is_rebuilt_from_the_log_when_the_blockstore_reopens()
    {
        using TempDir dir = new();
        Pubkey carol = new(Enumerable.Repeat((byte)77, 32).ToArray());
        List<Signature> all;
        using (var store = Blockstore.Open(BlockstoreTests.SmallOptions(dir.Path)))
        {
            all = Fill(store, carol);
            store.Commit();
        }
        using var reopened = Blockstore.Open(BlockstoreTests.SmallOptions(dir.Path));
        Assert.Equal([.. Enumerable.Reverse(all)], Signatures(reopened.ReadAddressSignatures(_bob, ulong.MaxValue, null, null, 1000)));
        Assert.Equal([all[11], all[9]], Signatures(reopened.ReadAddressSignatures(carol, ulong.MaxValue, null, null, 1000)));
    }

    [Fact]
    public void Signatures_whose_index_entries_were_spilled_to_disk_read_back_the_same_before_and_after_a_reopen()
    {
        using TempDir dir = new();
        BlockstoreOptions options = BlockstoreTests.SmallOptions(dir.Path) with { AddressIndexResidentChunks = 1 };
        List<Signature> all = [];
        const int PerBatch = 400, Batches = 4;
        int nonce = 0;
        using (var store = Blockstore.Open(options))
        {
            // 44,800 transactions naming alice, bob and the program: 134,400 entries, past two 65,536-entry chunks.
            for (ulong slot = 1; slot <= 28; slot++)
            {
                for (int batch = 0; batch < Batches; batch++)
                {
                    byte[][] txs = [.. Enumerable.Range(0, PerBatch).Select(_ => Transaction(nonce++))];
                    all.AddRange(txs.Select(SignatureOf));
                    Assert.Equal(AppendStatus.Ok, store.AppendEntries(slot, slot - 1, 1, Entries(txs), slotComplete: batch == Batches - 1));
                }
            }
            store.Commit();
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(dir.Path, Blockstore.AddressIndexFolder)));
            CheckPages(store);
        }
        using var reopened = Blockstore.Open(options);
        CheckPages(reopened);

        void CheckPages(Blockstore store)
        {
            Signature[] newestFirst = [.. Enumerable.Reverse(all)];
            Assert.Equal(newestFirst[..1000], Signatures(store.ReadAddressSignatures(_bob, ulong.MaxValue, null, null, 1000)));
            // Deep in the spilled entries: the oldest page, and one that crosses from disk into memory.
            Assert.Equal(newestFirst[^500..], Signatures(store.ReadAddressSignatures(_bob, ulong.MaxValue, newestFirst[^501], null, 1000)));
            int inMemory = all.Count * 3 % AddressSignatureIndex.ChunkSize / 3; // the newest transactions, whose entries fill the resident chunk
            int crossing = inMemory - 500;
            Assert.Equal(newestFirst[(crossing + 1)..(crossing + 1001)], Signatures(store.ReadAddressSignatures(_bob, ulong.MaxValue, newestFirst[crossing], null, 1000)));
            Assert.Equal(newestFirst[^3..], Signatures(store.ReadAddressSignatures(Program, ulong.MaxValue, newestFirst[^4], null, 1000)));
        }
    }

    [Fact]
    public void Purging_the_ledger_drops_the_purged_slots_signatures_from_the_index()
    {
        using TempDir dir = new();
        using var store = Blockstore.Open(BlockstoreTests.SmallOptions(dir.Path));
        Pubkey carol = new(Enumerable.Repeat((byte)77, 32).ToArray());
        List<Signature> all = Fill(store, carol);
        store.PurgeBefore(13);
        IReadOnlyList<AddressSignature> bob = store.ReadAddressSignatures(_bob, ulong.MaxValue, null, null, 1000);
        Assert.Equal([.. Enumerable.Reverse(all).Take(8)], Signatures(bob));
        Assert.All(bob, b => Assert.True(b.Slot >= 13));
        Assert.Empty(store.ReadAddressSignatures(carol, ulong.MaxValue, null, null, 1000));
    }

    [Fact]
    public void The_limit_is_capped_at_Solanas_1000()
    {
        using TempDir dir = new();
        using var store = Blockstore.Open(BlockstoreTests.SmallOptions(dir.Path));
        byte[][] many = [.. Enumerable.Range(0, 1100).Select(i => Transaction(i))];
        for (int i = 0; i < many.Length; i += 100) Assert.Equal(AppendStatus.Ok, store.AppendEntries(5, 4, 2, Entries(many[i..(i + 100)]), slotComplete: i + 100 == many.Length));
        Assert.Equal(1000, store.ReadAddressSignatures(_bob, ulong.MaxValue, null, null, 5000).Count);
        Assert.Equal(1099, store.ReadAddressSignatures(_bob, ulong.MaxValue, null, null, 1).Single().Index);
    }

    [Fact]
    public void A_late_slot_below_the_purge_floor_does_not_hide_newer_signatures()
    {
        using TempDir dir = new();
        using var store = Blockstore.Open(BlockstoreTests.SmallOptions(dir.Path));
        byte[] newer = Transaction(1), late = Transaction(2);
        Assert.Equal(AppendStatus.Ok, store.AppendEntries(20, 19, 2, Entries(newer), slotComplete: true));
        Assert.Equal(AppendStatus.Ok, store.AppendEntries(5, 4, 2, Entries(late), slotComplete: true)); // appended after slot 20
        store.PurgeBefore(10);
        Assert.Equal([SignatureOf(newer)], Signatures(store.ReadAddressSignatures(_bob, ulong.MaxValue, null, null, 1000)));
    }
}
