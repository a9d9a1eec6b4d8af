using Fast.Core.Primitives;
using Fast.Core.Rng;
using Fast.Core.Shreds;
using Fast.Crypto;
using Fast.Validator.Leader;
using Fast.Validator.Net;
using Fast.Validator.Signing;
using Fast.Validator.Tvu;
using Xunit;

namespace Fast.Validator.Tests.Tvu;

public sealed class ShredReceiverTests
{
    private const ushort Version = 77;
    private static readonly Keypair Leader = Keypair.Generate();
    private static readonly Pubkey LeaderKey = new(Leader.PublicKey);

    private sealed class FixedChildren(int count) : IRetransmitRoutes
    {
        public int MaxChildren => Math.Max(count, 1);

        public int ChildrenOf(ulong slot, in Pubkey leader, uint index, bool isData, Span<PeerAddress> children)
        {
            for (int i = 0; i < count; i++) children[i] = PeerAddress.FromOctets(10, 0, 0, (byte)(i + 1), 8001);
            return count;
        }
    }

    private sealed class Log
    {
        public readonly List<(ulong Slot, uint Index, bool Recovered)> Held = [];
        public readonly List<(ulong Slot, ulong Parent, Hash BlockId, Hash ParentId)> Full = [];
        public readonly List<(ulong Slot, Pubkey Leader, byte[] Evidence)> Evidence = [];
        public int Retransmits;
        public readonly HashSet<(bool, uint)> Retransmitted = [];
    }

    private readonly struct Sink(Log log) : ITvuActions
    {
        public void Send(PeerAddress to, ReadOnlySpan<byte> packet) => throw new InvalidOperationException("the receiver only retransmits");

        public void Retransmit(ReadOnlySpan<PeerAddress> children, ReadOnlySpan<byte> shred)
        {
            log.Retransmits += children.Length;
            Assert.True(ShredView.TryParse(shred, out ShredView v).IsOk);
            Assert.True(log.Retransmitted.Add((v.IsData, v.Index)), "a shred was retransmitted twice");
        }

        public void DataShredHeld(ulong slot, uint index, ReadOnlySpan<byte> shred, bool recovered) => log.Held.Add((slot, index, recovered));

        public void SlotFull(ulong slot, ulong parentSlot, in Hash blockId, in Hash parentBlockId, uint dataShreds) => log.Full.Add((slot, parentSlot, blockId, parentBlockId));

        public void Equivocation(ulong slot, in Pubkey leader, ReadOnlySpan<byte> evidence) => log.Evidence.Add((slot, leader, evidence.ToArray()));
    }

    private static ShredReceiver NewReceiver(int children = 0)
    {
        LeaderScheduleCache schedule = new(new Hash(new byte[32]), 64, _ => [(LeaderKey, 1UL)]);
        ShredReceiver r = new(Version, schedule, new FixedChildren(children), SchnorrSignatureVerifier.Instance);
        r.OnSlot(10);
        return r;
    }

    /// <summary>A block of <paramref name="bytes"/> entry bytes for <paramref name="slot"/> as its shreds, set by set.</summary>
    private static (List<List<byte[]>> Sets, Hash BlockId) Block(ulong slot, int bytes, byte fill = 1, Keypair? signer = null, ushort version = Version)
    {
        Shredder shredder = new(signer ?? Leader, version);
        shredder.BeginSlot(slot, slot - 1, new Hash([.. Enumerable.Repeat((byte)9, 32)]));
        byte[] data = new byte[bytes];
        Array.Fill(data, fill);
        Assert.True(shredder.TryAppend(data));
        byte[] buffer = new byte[Shredder.SetBufferSize];
        List<List<byte[]>> sets = [];
        while (shredder.TryTakeFullSet(buffer, out ShreddedFecSet set)) sets.Add(Copy(buffer, set));
        ShreddedFecSet last = shredder.FinishSlot(buffer);
        sets.Add(Copy(buffer, last));
        return (sets, last.Root);
    }

    private static List<byte[]> Copy(byte[] buffer, ShreddedFecSet set)
    {
        List<byte[]> shreds = [];
        for (int leaf = 0; leaf < set.ShredCount; leaf++) shreds.Add(set.Shred(buffer, leaf).ToArray());
        return shreds;
    }

    [Fact]
    public void A_block_with_up_to_half_of_every_set_lost_is_rebuilt_and_reported_full_with_its_block_id()
    {
        (List<List<byte[]>> sets, Hash blockId) = Block(slot: 5, bytes: 100_000);
        Assert.True(sets.Count >= 3);
        ShredReceiver receiver = NewReceiver(children: 2);
        Log log = new();
        Sink sink = new(log);
        var rng = DeterministicRng.FromSeed(3);
        foreach (List<byte[]> set in sets)
        {
            byte[][] order = [.. set];
            rng.Shuffle(order.AsSpan());
            foreach (byte[] shred in order.AsSpan(0, 32)) receiver.OnShred(shred, ref sink);
        }
        Assert.Single(log.Full);
        Assert.Equal((5UL, 4UL, blockId), (log.Full[0].Slot, log.Full[0].Parent, log.Full[0].BlockId));
        Assert.Equal(new Hash([.. Enumerable.Repeat((byte)9, 32)]), log.Full[0].ParentId);
        int dataShreds = sets.Count * 32;
        Assert.Equal(Enumerable.Range(0, dataShreds).Select(i => (uint)i), log.Held.Select(h => h.Index).Order());
        Assert.Contains(log.Held, h => h.Recovered);
        Assert.Equal(sets.Count, receiver.Counters.SetsRecovered + receiver.Counters.SetsCompletedByReceipt);
        // Every shred of every set reached the children once: received ones as they came, rebuilt ones once rebuilt.
        Assert.Equal(sets.Count * 64, log.Retransmitted.Count);
        Assert.Equal(2 * sets.Count * 64, log.Retransmits);
    }

    [Fact]
    public void Wrong_versions_forged_sets_far_slots_duplicates_and_garbage_are_dropped_and_counted()
    {
        ShredReceiver receiver = NewReceiver();
        Log log = new();
        Sink sink = new(log);
        (List<List<byte[]>> good, _) = Block(slot: 6, bytes: 5_000);
        (List<List<byte[]>> wrongVersion, _) = Block(slot: 6, bytes: 5_000, version: Version + 1);
        (List<List<byte[]>> forged, _) = Block(slot: 7, bytes: 5_000, signer: Keypair.Generate());
        (List<List<byte[]>> farFuture, _) = Block(slot: 10 + 65, bytes: 5_000);

        receiver.OnShred(wrongVersion[0][0], ref sink);
        receiver.OnShred(forged[0][0], ref sink);
        receiver.OnShred(farFuture[0][0], ref sink);
        receiver.OnShred(good[0][0], ref sink);
        receiver.OnShred(good[0][0], ref sink);
        TvuCounters c = receiver.Counters;
        Assert.Equal(1, c.DroppedWrongVersion);
        Assert.Equal(1, c.DroppedBadSignature);
        Assert.Equal(1, c.DroppedOutOfRange);
        Assert.Equal(1, c.DroppedDuplicate);
        Assert.Equal(1, c.Accepted);

        var rng = DeterministicRng.FromSeed(11);
        byte[] garbage = new byte[1232];
        for (int i = 0; i < 2000; i++)
        {
            int length = rng.NextInt(garbage.Length + 1);
            for (int j = 0; j < length; j++) garbage[j] = (byte)rng.NextUInt64();
            receiver.OnShred(garbage.AsSpan(0, length), ref sink);
        }
        c = receiver.Counters;
        Assert.Equal(1, c.Accepted);
        Assert.Equal(c.Received, c.Accepted + c.DroppedMalformed + c.DroppedWrongVersion + c.DroppedOutOfRange + c.DroppedDuplicate + c.DroppedBadSignature);
        Assert.Empty(log.Full);
    }

    [Fact]
    public void Two_signed_versions_of_a_slot_are_reported_once_as_equivocation_with_both_signed_roots()
    {
        ShredReceiver receiver = NewReceiver();
        Log log = new();
        Sink sink = new(log);
        (List<List<byte[]>> a, _) = Block(slot: 8, bytes: 5_000, fill: 1);
        (List<List<byte[]>> b, _) = Block(slot: 8, bytes: 5_000, fill: 2);
        receiver.OnShred(a[0][0], ref sink);
        receiver.OnShred(b[0][1], ref sink);
        receiver.OnShred(b[0][2], ref sink);
        (ulong slot, Pubkey leader, byte[] evidence) = Assert.Single(log.Evidence);
        Assert.Equal((8UL, LeaderKey), (slot, leader));
        // The evidence stands on its own: anyone who knows the slot's leader can check it.
        Assert.Equal(EvidenceVerdict.Proven, DuplicateShredEvidence.Verify(LeaderKey, evidence, out _));
        Assert.NotEqual(EvidenceVerdict.Proven, DuplicateShredEvidence.Verify(new Pubkey(Keypair.Generate().PublicKey), evidence, out _));
        Assert.True(receiver.IsDuplicate(8));
        Assert.Equal(2, receiver.Counters.DroppedConflictingVersion);
    }

    [Fact]
    public void Slots_at_or_below_the_root_are_dropped_and_forgotten()
    {
        ShredReceiver receiver = NewReceiver();
        Log log = new();
        Sink sink = new(log);
        (List<List<byte[]>> a, _) = Block(slot: 3, bytes: 5_000);
        receiver.OnShred(a[0][0], ref sink);
        Assert.Equal(1, receiver.SlotsInProgress);
        receiver.SetRoot(3);
        Assert.Equal(0, receiver.SlotsInProgress);
        receiver.OnShred(a[0][1], ref sink);
        Assert.Equal(1, receiver.Counters.DroppedOutOfRange);
    }
}
