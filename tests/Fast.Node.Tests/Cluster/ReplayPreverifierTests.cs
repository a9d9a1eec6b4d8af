using System.Diagnostics;
using Fast.Core.Codec;
using Fast.Core.Ledger;
using Fast.Core.Primitives;
using Fast.Core.Shreds;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Exec.Validity;
using Fast.Node.Cluster;
using Fast.Testing;
using Xunit;

namespace Fast.Node.Tests.Cluster;

/// <summary>
/// The replay pre-verifier on a real shredded block: data shreds reach the store out of order, the
/// network thread's <see cref="SlotEntryPrefixes"/> queues each run of whole entries as the gap-free
/// prefix grows, and the <see cref="ReplayPreverifier"/> thread records every transaction whose
/// signatures all verify — never one with a bad signature — so replay skips exactly those. A slot whose
/// replay has started is not worked on.
/// </summary>
public sealed class ReplayPreverifierTests
{
    private const ulong Slot = 40;
    private static readonly Keypair Leader = Keypair.Generate();
    private static readonly Keypair[] Signers = [.. Enumerable.Range(0, 5).Select(_ => Keypair.Generate())];

    private static byte[] Signed(int i)
    {
        Keypair[] keys = [.. Enumerable.Range(0, i % 3 + 1).Select(k => Signers[(i + k) % Signers.Length])];
        TransactionBuilder builder = new(new Pubkey(keys[0].PublicKey), Hash.Compute(BitConverter.GetBytes(i)));
        builder.AddInstruction(new Pubkey(Hash.Compute("program"u8).Span), [.. keys.Select(k => AccountMeta.Writable(new Pubkey(k.PublicKey), signer: true))], BitConverter.GetBytes(i));
        return builder.Sign(keys);
    }

    /// <summary>Entries of 20 transactions each, then the block's data shreds by index.</summary>
    private static List<(uint Index, byte[] Shred)> Shreds(IReadOnlyList<byte[]> transactions, ulong slot = Slot)
    {
        Shredder shredder = new(Leader, 7);
        shredder.BeginSlot(slot, slot - 1, default);
        byte[] buffer = new byte[Shredder.SetBufferSize];
        List<(uint, byte[])> shreds = [];
        void Take(ShreddedFecSet set)
        {
            for (int leaf = 0; leaf < set.DataShreds; leaf++) shreds.Add((set.FecSetIndex + (uint)leaf, set.Shred(buffer, leaf).ToArray()));
        }
        for (int start = 0; start < transactions.Count; start += 20)
        {
            byte[][] entry = [.. transactions.Skip(start).Take(20)];
            byte[] body = [.. entry.SelectMany(t => t)];
            byte[] bytes = new byte[EntryWriter.EncodedLength(entry.Length, body.Length)];
            SpanWriter writer = new(bytes);
            EntryWriter.Write(ref writer, 1, Hash.Compute(body), entry.Length, body);
            Assert.True(shredder.TryAppend(bytes));
            while (shredder.TryTakeFullSet(buffer, out ShreddedFecSet set)) Take(set);
        }
        Take(shredder.FinishSlot(buffer));
        return shreds;
    }

    private static void WaitFor(Func<bool> done)
    {
        var clock = Stopwatch.StartNew();
        while (!done() && clock.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(10);
    }

    [Fact]
    public void Out_of_order_shreds_of_a_block_get_every_good_transaction_verified_and_never_a_bad_one()
    {
        byte[][] txs = [.. Enumerable.Range(0, 400).Select(Signed)];
        txs[123] = (byte[])txs[123].Clone();
        txs[123][1 + 7] ^= 0x04; // a bit of the first signature's r
        List<(uint Index, byte[] Shred)> shreds = Shreds(txs);
        Assert.True(shreds.Count > 32, "the block spans more than one FEC set");

        using ReplayPreverifier preverifier = new(new VerifiedTransactions());
        preverifier.Start();
        SlotEntryPrefixes prefixes = new(preverifier);
        ShredStore store = new();
        foreach ((uint index, byte[] shred) in shreds.OrderBy(_ => Random.Shared.Next()))
        {
            store.Put(Slot, index, shred);
            prefixes.DataShredHeld(Slot);
            prefixes.Advance(store);
        }
        WaitFor(() => Volatile.Read(ref preverifier.TransactionsVerified) + Volatile.Read(ref preverifier.TransactionsInvalid) >= txs.Length);

        Assert.Equal(txs.Length - 1, Volatile.Read(ref preverifier.TransactionsVerified));
        Assert.Equal(1, Volatile.Read(ref preverifier.TransactionsInvalid));
        for (int i = 0; i < txs.Length; i++) Assert.Equal(i != 123, preverifier.Known.Contains(VerifiedTransactions.KeyOf(txs[i])));
        Assert.Equal(0, Volatile.Read(ref preverifier.ChunksDroppedQueueFull));
    }

    [Fact]
    public void A_slot_whose_replay_started_is_not_verified_again()
    {
        byte[][] txs = [.. Enumerable.Range(0, 100).Select(Signed)];
        using ReplayPreverifier preverifier = new(new VerifiedTransactions());
        preverifier.Start();
        preverifier.ReplayStarted(Slot);
        SlotEntryPrefixes prefixes = new(preverifier);
        ShredStore store = new();
        foreach ((uint index, byte[] shred) in Shreds(txs))
        {
            store.Put(Slot, index, shred);
            prefixes.DataShredHeld(Slot);
            prefixes.Advance(store);
        }
        Thread.Sleep(100);

        Assert.Equal(0, Volatile.Read(ref preverifier.ChunksQueued));
        Assert.Equal(0, prefixes.SlotCount);
        Assert.Equal(0, Volatile.Read(ref preverifier.TransactionsVerified));
    }

    [Fact]
    public void Following_slots_and_verifying_their_entries_allocates_nothing_in_steady_state()
    {
        byte[][] txs = [.. Enumerable.Range(0, 300).Select(Signed)];
        const int Slots = 12;
        List<(uint Index, byte[] Shred)>[] blocks = [.. Enumerable.Range(0, Slots).Select(i => Shreds(txs, Slot + (ulong)i))];
        using ReplayPreverifier preverifier = new(new VerifiedTransactions(capacity: 4096)); // not started: drained on this thread
        SlotEntryPrefixes prefixes = new(preverifier);
        ShredStore store = new();
        for (int i = 0; i < Slots; i++)
        {
            foreach ((uint index, byte[] shred) in blocks[i]) store.Put(Slot + (ulong)i, index, shred);
        }
        int next = 0;
        long bytes = Allocations.SteadyState(3, 3, () =>
        {
            ulong slot = Slot + (ulong)next++;
            prefixes.DataShredHeld(slot);
            prefixes.Advance(store);
            preverifier.DrainOnThisThread();
            preverifier.ReplayStarted(slot); // as the node's replay does: the slot's state is reused for the next
        });

        Assert.Equal(0, bytes);
        Assert.Equal(10L * txs.Length, Volatile.Read(ref preverifier.TransactionsVerified)); // every slot's every transaction, one warm-up and 9 measured
    }

    [Fact]
    public void A_leader_block_of_garbage_entry_bytes_verifies_nothing_and_breaks_nothing()
    {
        // Shreds that pass every shred check (the leader signed them) but carry random bytes, then a good block after it.
        Shredder shredder = new(Leader, 7);
        shredder.BeginSlot(Slot, Slot - 1, default);
        byte[] garbage = new byte[40_000];
        new Random(5).NextBytes(garbage);
        Assert.True(shredder.TryAppend(garbage));
        byte[] buffer = new byte[Shredder.SetBufferSize];
        List<(uint Index, byte[] Shred)> shreds = [];
        void Take(ShreddedFecSet set)
        {
            for (int leaf = 0; leaf < set.DataShreds; leaf++) shreds.Add((set.FecSetIndex + (uint)leaf, set.Shred(buffer, leaf).ToArray()));
        }
        while (shredder.TryTakeFullSet(buffer, out ShreddedFecSet set)) Take(set);
        Take(shredder.FinishSlot(buffer));
        byte[][] txs = [.. Enumerable.Range(0, 50).Select(Signed)];

        using ReplayPreverifier preverifier = new(new VerifiedTransactions()); // not started: drained on this thread
        SlotEntryPrefixes prefixes = new(preverifier);
        ShredStore store = new();
        foreach ((uint index, byte[] shred) in shreds) store.Put(Slot, index, shred);
        foreach ((uint index, byte[] shred) in Shreds(txs, Slot + 1)) store.Put(Slot + 1, index, shred);
        prefixes.DataShredHeld(Slot);
        prefixes.DataShredHeld(Slot + 1);
        prefixes.Advance(store);
        preverifier.DrainOnThisThread();

        Assert.Null(preverifier.Failure);
        Assert.Equal(txs.Length, Volatile.Read(ref preverifier.TransactionsVerified)); // only the good block's
        Assert.All(txs, tx => Assert.True(preverifier.Known.Contains(VerifiedTransactions.KeyOf(tx))));
    }
}
