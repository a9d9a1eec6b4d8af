using Fast.Core.Primitives;
using Fast.Core.Repair;
using Fast.Core.Shreds;
using Fast.Crypto;
using Fast.Validator.Forks;
using Fast.Validator.Leader;
using Fast.Validator.Machines;
using Fast.Validator.Net;
using Fast.Validator.Repair;
using Fast.Validator.Signing;
using Fast.Validator.Tvu;
using Xunit;

namespace Fast.Validator.Tests.Repair;

public sealed class RepairMachineTests
{
    private static readonly PeerAddress From = PeerAddress.FromOctets(10, 0, 0, 2, 8002);

    private sealed class Store : IShredStore
    {
        public readonly byte[] Shred = MakeShred();

        public int ReadDataShred(ulong slot, uint index, Span<byte> destination)
        {
            if (slot != 5 || index != 3) return 0;
            Shred.CopyTo(destination);
            return Shred.Length;
        }

        public long HighestDataIndex(ulong slot) => slot == 5 ? 3 : -1;

        private static byte[] MakeShred()
        {
            Shredder shredder = new(Keypair.Generate(), 1);
            shredder.BeginSlot(5, 4, default);
            shredder.TryAppend(new byte[100]);
            byte[] buffer = new byte[Shredder.SetBufferSize];
            ShreddedFecSet set = shredder.FinishSlot(buffer);
            return set.Shred(buffer, 3).ToArray();
        }
    }

    private sealed class Sent
    {
        public readonly List<(PeerAddress To, byte[] Bytes)> Packets = [];
    }

    private readonly struct Sink(Sent sent) : ISendActions
    {
        public void Send(PeerAddress to, ReadOnlySpan<byte> packet) => sent.Packets.Add((to, packet.ToArray()));
    }

    private static byte[] Request(Keypair requester, Pubkey recipient, RepairKind kind, ulong slot, uint index, uint nonce, Keypair? signWith = null)
    {
        byte[] request = new byte[RepairRequestView.Size];
        RepairWire.WriteUnsigned(request, kind, new Pubkey(requester.PublicKey), recipient, slot, index, nonce);
        byte[] signed = new byte[SigningDomains.TagSize + RepairRequestView.Size];
        int n = SigningDomains.Write(SigningDomain.RepairRequest, request.AsSpan(RepairRequestView.SignedOffset), signed);
        (signWith ?? requester).Sign(signed.AsSpan(0, n), request.AsSpan(0, 64));
        return request;
    }

    private static (RepairMachine Server, Keypair ServerKey, Keypair Peer) Setup(int perSecond = 2_000)
    {
        Keypair serverKey = Keypair.Generate(), peer = Keypair.Generate();
        RepairMachine server = new(new KeypairSigner(serverKey), SchnorrSignatureVerifier.Instance, 1, new RepairOptions { ServePerPeerPerSecond = perSecond });
        server.SetPeers([new RepairPeer(new Pubkey(peer.PublicKey), From)]);
        return (server, serverKey, peer);
    }

    [Fact]
    public void A_signed_request_from_a_known_peer_gets_the_original_shred_and_its_nonce_and_nothing_larger_than_five_requests()
    {
        (RepairMachine server, Keypair serverKey, Keypair peer) = Setup();
        Store store = new();
        Sent sent = new();
        Sink sink = new(sent);
        server.OnRequest(From, Request(peer, new Pubkey(serverKey.PublicKey), RepairKind.Shred, 5, 3, 0xABCD), NodeTime.Zero, store, ref sink);
        server.OnRequest(From, Request(peer, new Pubkey(serverKey.PublicKey), RepairKind.HighestShred, 5, 2, 7), NodeTime.Zero, store, ref sink);
        server.OnRequest(From, Request(peer, new Pubkey(serverKey.PublicKey), RepairKind.Orphan, 5, 0, 8), NodeTime.Zero, store, ref sink);
        Assert.Equal(3, sent.Packets.Count);
        foreach ((PeerAddress to, byte[] bytes) in sent.Packets)
        {
            Assert.Equal(From, to);
            Assert.True(RepairWire.TrySplitResponse(bytes, out ReadOnlySpan<byte> shred, out _));
            Assert.True(shred.SequenceEqual(store.Shred));
            Assert.True(bytes.Length <= 5 * RepairRequestView.Size);
        }
        Assert.True(RepairWire.TrySplitResponse(sent.Packets[0].Bytes, out _, out uint nonce));
        Assert.Equal(0xABCDu, nonce);
        Assert.Equal(3, server.Counters.Served);
    }

    [Fact]
    public void Forged_misaddressed_unknown_malformed_unheld_and_flooding_requests_are_dropped_and_counted()
    {
        (RepairMachine server, Keypair serverKey, Keypair peer) = Setup(perSecond: 10);
        Pubkey me = new(serverKey.PublicKey);
        Store store = new();
        Sent sent = new();
        Sink sink = new(sent);
        server.OnRequest(From, Request(peer, me, RepairKind.Shred, 5, 3, 1, signWith: Keypair.Generate()), NodeTime.Zero, store, ref sink);
        server.OnRequest(From, Request(peer, new Pubkey(Keypair.Generate().PublicKey), RepairKind.Shred, 5, 3, 1), NodeTime.Zero, store, ref sink);
        server.OnRequest(From, Request(Keypair.Generate(), me, RepairKind.Shred, 5, 3, 1), NodeTime.Zero, store, ref sink);
        byte[] padded = Request(peer, me, RepairKind.Shred, 5, 3, 1);
        padded[200] = 1;
        server.OnRequest(From, padded, NodeTime.Zero, store, ref sink);
        server.OnRequest(From, new byte[17], NodeTime.Zero, store, ref sink);
        server.OnRequest(From, Request(peer, me, RepairKind.Shred, 9, 0, 1), NodeTime.Zero, store, ref sink);
        Assert.Empty(sent.Packets);
        for (int i = 0; i < 50; i++) server.OnRequest(From, Request(peer, me, RepairKind.Shred, 5, 3, (uint)i), NodeTime.Zero, store, ref sink);
        RepairCounters c = server.Counters;
        Assert.Equal(1, c.DroppedBadSignature);
        Assert.Equal(1, c.DroppedWrongRecipient);
        Assert.Equal(1, c.DroppedUnknownRequester);
        Assert.Equal(2, c.DroppedMalformed);
        Assert.Equal(1, c.NotHeld);
        Assert.InRange(c.Served, 8, 10);
        Assert.Equal(50, c.Served + c.DroppedRateLimited);
        Assert.Equal(c.Served, sent.Packets.Count);
        // A second later the peer's rate is back.
        server.OnRequest(From, Request(peer, me, RepairKind.Shred, 5, 3, 99), NodeTime.FromMilliseconds(1_000), store, ref sink);
        Assert.Equal(c.Served + 1, server.Counters.Served);
    }

    private sealed class Leaf : IRetransmitRoutes
    {
        public int MaxChildren => 1;

        public int ChildrenOf(ulong slot, in Pubkey leader, uint index, bool isData, Span<PeerAddress> children) => 0;
    }

    private readonly struct TvuSink : ITvuActions
    {
        public void Send(PeerAddress to, ReadOnlySpan<byte> packet) { }

        public void Retransmit(ReadOnlySpan<PeerAddress> children, ReadOnlySpan<byte> shred) { }

        public void DataShredHeld(ulong slot, uint index, ReadOnlySpan<byte> shred, bool recovered) { }

        public void SlotFull(ulong slot, ulong parentSlot, in Hash blockId, in Hash parentBlockId, uint dataShreds) { }

        public void Equivocation(ulong slot, in Pubkey leader, ReadOnlySpan<byte> evidence) { }
    }

    private static byte[] FirstDataShred(Keypair leader, ulong slot, ulong parentSlot)
    {
        Shredder shredder = new(leader, 1);
        shredder.BeginSlot(slot, parentSlot, default);
        shredder.TryAppend(new byte[100]);
        byte[] buffer = new byte[Shredder.SetBufferSize];
        ShreddedFecSet set = shredder.FinishSlot(buffer);
        return set.Shred(buffer, 0).ToArray();
    }

    [Fact]
    public void A_slot_being_received_gets_its_unknown_parent_asked_for_at_once_while_a_parent_being_received_or_held_is_not()
    {
        // A restarted node hears slot 15 (parent 12) and 12 (parent 9) but holds nothing of 9; 7 (parent 3) has its parent in the tree.
        var leader = Keypair.Generate();
        Pubkey leaderKey = new(leader.PublicKey);
        LeaderScheduleCache schedule = new(new Hash(new byte[32]), 64, _ => [(leaderKey, 1UL)]);
        ShredReceiver receiver = new(1, schedule, new Leaf(), SchnorrSignatureVerifier.Instance);
        receiver.OnSlot(20);
        TvuSink tvu = default;
        receiver.OnShred(FirstDataShred(leader, 15, 12), ref tvu);
        receiver.OnShred(FirstDataShred(leader, 12, 9), ref tvu);
        receiver.OnShred(FirstDataShred(leader, 7, 3), ref tvu);
        ForkTree forks = new(new BlockRef(0, default));
        Assert.Equal(ForkAddStatus.Connected, forks.Add(new BlockRef(3, new Hash([.. Enumerable.Repeat((byte)3, 32)])), new BlockRef(0, default)));
        var peer = Keypair.Generate();
        RepairMachine requester = new(new KeypairSigner(Keypair.Generate()), SchnorrSignatureVerifier.Instance, 1);
        requester.SetPeers([new RepairPeer(new Pubkey(peer.PublicKey), From)]);
        Sent sent = new();
        Sink sink = new(sent);

        // The first tick: no slot has stalled yet, so the only request is the walk back past 12.
        requester.OnTick(NodeTime.FromMilliseconds(1_000), receiver, forks, ref sink);
        List<(RepairKind Kind, ulong Slot)> asked = [];
        foreach ((PeerAddress to, byte[] bytes) in sent.Packets)
        {
            Assert.Equal(From, to);
            Assert.True(RepairRequestView.TryParse(bytes, out RepairRequestView request).IsOk);
            asked.Add((request.Kind, request.Slot));
        }
        Assert.Equal([(RepairKind.Orphan, 9UL)], asked);
    }
}

