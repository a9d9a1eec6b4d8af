using System.Buffers.Binary;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Exec;
using Fast.Node.Validator;
using Fast.Testing;
using Xunit;

namespace Fast.Node.Tests.Validator;

/// <summary>
/// The recent-signature index behind getSignatureStatuses and `transfer --wait`: no status is lost
/// while it matters (colliding signature bytes, more statuses than a fixed table holds), and
/// statuses past mattering are released so memory stays bounded.
/// </summary>
public class SignatureIndexTests
{
    /// <summary>A signature whose first <paramref name="sharedPrefix"/> bytes are the same for every <paramref name="i"/>.</summary>
    private static Signature Ground(int i, int sharedPrefix)
    {
        byte[] bytes = new byte[Signature.Size];
        new Random(i).NextBytes(bytes);
        bytes.AsSpan(0, sharedPrefix).Fill(0xA5);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(60), i);
        return new Signature(bytes);
    }

    private static SignatureLocation Location(int i, ulong slot) => new(slot, i, i % 7 == 0 ? TransactionError.InsufficientFunds : TransactionError.None, 0, 5000);

    [Fact]
    public void Signatures_ground_to_share_their_first_bytes_are_all_still_found()
    {
        SignatureIndex index = new();
        // Same first 32 bytes (the Schnorr nonce point a sender controls): today's 8-entry window keyed by
        // the first bytes held 8 of them and evicted the rest.
        const int count = 5_000;
        for (int i = 0; i < count; i++) index.Add(Ground(i, sharedPrefix: 32), Location(i, 10 + (ulong)i / 1000));
        for (int i = 0; i < count; i++)
        {
            Assert.True(index.TryGet(Ground(i, sharedPrefix: 32), out SignatureLocation found), $"signature {i} of {count} was evicted");
            Assert.Equal(Location(i, 10 + (ulong)i / 1000), found);
        }
        Assert.False(index.TryGet(Ground(count, sharedPrefix: 32), out _));
    }

    [Fact]
    public void More_statuses_than_the_old_fixed_table_held_within_the_blockhash_age_are_all_still_found()
    {
        SignatureIndex index = new();
        // 600 k statuses within 150 slots (the blockhash age); the old fixed table held 2^19 = 524 k in all.
        const int perSlot = 4_000, slots = 150;
        int total = perSlot * slots;
        Assert.True(total > 1 << 19);
        for (int i = 0; i < total; i++) index.Add(Ground(i, sharedPrefix: 0), Location(i, 1 + (ulong)(i / perSlot)));
        int missing = 0;
        for (int i = 0; i < total; i++)
        {
            if (!index.TryGet(Ground(i, sharedPrefix: 0), out SignatureLocation found) || found != Location(i, 1 + (ulong)(i / perSlot))) missing++;
        }
        Assert.True(missing == 0, $"{missing} of {total} landed transactions are reported as never landed");
    }

    [Fact]
    public void Statuses_are_released_once_rooted_and_past_the_blockhash_age_and_memory_stays_bounded()
    {
        const int segmentLog2 = 8, perSlot = 100;
        const ulong rootDistance = 31;
        SignatureIndex index = new(segmentLog2);
        long bound = (TransactionLimits.BlockhashMaxAgeSlots + (long)rootDistance + 2) * perSlot + 2L * index.SegmentCapacity;
        int i = 0;
        long most = 0;
        for (ulong slot = 1; slot <= 2_000; slot++)
        {
            for (int k = 0; k < perSlot; k++, i++) index.Add(Ground(i, sharedPrefix: 4), Location(i, slot));
            if (slot > rootDistance) index.Release(slot - rootDistance);
            most = Math.Max(most, (long)index.Segments * index.SegmentCapacity);
            if (slot % 97 != 0) continue;
            // Everything not yet past mattering (slot ≥ root − 150) is still there.
            ulong root = slot > rootDistance ? slot - rootDistance : 0;
            ulong keepFrom = root > TransactionLimits.BlockhashMaxAgeSlots ? root - TransactionLimits.BlockhashMaxAgeSlots : 1;
            for (int j = (int)(keepFrom - 1) * perSlot; j < i; j += 13)
            {
                Assert.True(index.TryGet(Ground(j, sharedPrefix: 4), out SignatureLocation found), $"status of slot {1 + j / perSlot} released at root {root}");
                Assert.Equal(Location(j, 1 + (ulong)(j / perSlot)), found);
            }
        }
        Assert.True(most <= bound, $"the index grew to {most} entries; the bound is {bound}");
        Assert.False(index.TryGet(Ground(0, sharedPrefix: 4), out _)); // slot 1: rooted and expired long ago
        Assert.True(index.Count <= bound);
    }

    [Fact]
    public async Task Readers_racing_the_writer_never_see_a_wrong_status()
    {
        SignatureIndex index = new(10);
        const int total = 200_000;
        int written = 0;
        using CancellationTokenSource stop = new();
        long wrong = 0, seen = 0;
        int started = 0;
        Task[] readers = [.. Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            Random random = new(r);
            Interlocked.Increment(ref started);
            while (!stop.IsCancellationRequested)
            {
                int upTo = Volatile.Read(ref written);
                if (upTo == 0) continue;
                int j = random.Next(upTo);
                if (!index.TryGet(Ground(j, sharedPrefix: 8), out SignatureLocation found)) continue; // released, or not yet visible
                Interlocked.Increment(ref seen);
                if (found != Location(j, 1 + (ulong)(j / 1000))) Interlocked.Increment(ref wrong);
            }
        }))];
        // The readers must be running before the writer starts (a starved thread pool may start them late).
        Assert.True(Wait.Until(() => Volatile.Read(ref started) == readers.Length, 30_000), "the readers did not start");
        for (int i = 0; i < total; i++)
        {
            index.Add(Ground(i, sharedPrefix: 8), Location(i, 1 + (ulong)(i / 1000)));
            Volatile.Write(ref written, i + 1);
            if (i % 1000 == 999 && i / 1000 > 40) index.Release((ulong)(i / 1000) - 40 + 150);
        }
        Wait.Until(() => Interlocked.Read(ref seen) > 1000, 30_000); // and read what is still held
        stop.Cancel();
        await Task.WhenAll(readers);
        Assert.Equal(0, wrong);
        Assert.True(seen > 0);
    }

    [Fact]
    public void Recording_a_status_and_looking_it_up_allocate_nothing_on_the_banking_path()
    {
        SignatureIndex index = new(12);
        SlotStatusBuffer statuses = new();
        Signature[] signatures = [.. Enumerable.Range(0, 1024).Select(i => Ground(i, sharedPrefix: 0))];
        ulong[] balances = [1_000_000, 0, 1, 995_000, 0, 1];
        TransactionResult failed = new(TransactionError.InsufficientFunds, 0, 5000);
        int next = 0;
        long bytes = Allocations.Measure(1000, () =>
        {
            int i = next++ % signatures.Length;
            statuses.Add(failed, balances);
            index.Add(signatures[i], Location(i, 5));
            if (!index.TryGet(signatures[i], out _)) throw new InvalidOperationException("lost");
            if (statuses.Count == 512) statuses.Clear();
        });
        Assert.Equal(0, bytes);
    }
}
