using Fast.Core.Gossip;
using Fast.Core.Primitives;
using Fast.Crypto;
using Fast.Testing;
using Fast.Validator.Gossip;
using Fast.Validator.Machines;
using Fast.Validator.Net;
using Xunit;

namespace Fast.Validator.Tests.Gossip;

/// <summary>
/// One gossip machine against hand-written packets (<see cref="GossipOutsider"/>): freshness rules, the
/// ping/pong handshake, pull answers, table bounds, the drop counters, and no allocation per packet.
/// </summary>
public sealed class GossipMachineTests
{
    private static readonly PeerAddress OutsiderAddress = PeerAddress.FromOctets(192, 168, 0, 10, 9000);

    /// <summary>A sink that drops every send (for the allocation test).</summary>
    private readonly struct NullSink : ISendActions
    {
        public void Send(PeerAddress to, ReadOnlySpan<byte> packet)
        {
        }
    }

    private static ulong Wallclock(GossipTestNetwork network) => GossipTestNetwork.WallclockAtZeroMs + (ulong)network.Now.Milliseconds;

    /// <summary>A one-node network and an outsider the node has verified (it pushed, was pinged, answered).</summary>
    private static (GossipTestNetwork Network, GossipMachine Node, GossipOutsider Outsider) NodeWithVerifiedOutsider(GossipOptions? options = null)
    {
        var network = new GossipTestNetwork();
        GossipMachine node = network.AddNode(1, entrypoint: null, options: options);
        var outsider = new GossipOutsider(network, 10, OutsiderAddress);
        network.RunUntil(NodeTime.FromMilliseconds(20));
        network.Inject(outsider.Address, network.Addresses[0], outsider.Values(GossipMessageKind.Push, outsider.SignedValue(outsider.Info(Wallclock(network)))));
        network.RunUntil(network.Now.AddMilliseconds(20));
        Assert.Equal(1, node.Counters.FromUnpingedPeer);
        Assert.Equal(1, outsider.AnswerPings());
        network.RunUntil(network.Now.AddMilliseconds(20));
        Assert.True(node.IsVerified(outsider.Address, outsider.Identity, network.Now));
        Assert.Equal(0, node.PeerCount); // the first push came before the pong: dropped, not stored
        return (network, node, outsider);
    }

    private static void Deliver(GossipTestNetwork network, GossipOutsider from, byte[] packet)
    {
        network.Inject(from.Address, network.Addresses[0], packet);
        network.RunUntil(network.Now.AddMilliseconds(20)); // delivered, and any answer delivered back
    }

    [Fact]
    public void A_newer_wall_clock_replaces_an_older_or_equal_one_is_stale_or_duplicate_and_one_too_far_ahead_or_behind_is_dropped()
    {
        (GossipTestNetwork network, GossipMachine node, GossipOutsider a) = NodeWithVerifiedOutsider();
        var b = new GossipOutsider(network, 11, PeerAddress.FromOctets(192, 168, 0, 11, 9000));
        ulong t = Wallclock(network);

        Deliver(network, a, a.Values(GossipMessageKind.Push, b.SignedValue(b.Info(t + 10))));
        Assert.True(node.TryGetPeer(b.Identity, out ContactInfo held));
        Assert.Equal(t + 10, held.WallclockMs);

        Deliver(network, a, a.Values(GossipMessageKind.Push, b.SignedValue(b.Info(t + 5))));
        Assert.Equal(1, node.Counters.Stale);
        Deliver(network, a, a.Values(GossipMessageKind.Push, b.SignedValue(b.Info(t + 10))));
        Assert.Equal(1, node.Counters.DuplicateValues);
        Deliver(network, a, a.Values(GossipMessageKind.Push, b.SignedValue(b.Info(t + 10) with { Tpu = new Ipv4Endpoint(1, 2) })));
        Assert.Equal(2, node.Counters.Stale); // same wall clock, other content: the first held wins

        ulong ahead = Wallclock(network) + (ulong)node.Options.MaxFutureDriftMs + 1_000;
        Deliver(network, a, a.Values(GossipMessageKind.Push, b.SignedValue(b.Info(ahead))));
        Assert.Equal(1, node.Counters.FromTheFuture);
        var c = new GossipOutsider(network, 12, PeerAddress.FromOctets(192, 168, 0, 12, 9000));
        ulong behind = Wallclock(network) - (ulong)node.Options.PeerExpiryMs - 1_000;
        Deliver(network, a, a.Values(GossipMessageKind.Push, c.SignedValue(c.Info(behind))));
        Assert.Equal(3, node.Counters.Stale);
        Assert.False(node.TryGetPeer(c.Identity, out _));

        Deliver(network, a, a.Values(GossipMessageKind.Push, b.SignedValue(b.Info(t + 20))));
        Assert.True(node.TryGetPeer(b.Identity, out held));
        Assert.Equal(t + 20, held.WallclockMs);
        Assert.Equal(0, node.Counters.BadSignature);
    }

    [Fact]
    public void Values_of_another_cluster_relayed_by_a_verified_peer_are_dropped_by_reason_and_never_stored()
    {
        (GossipTestNetwork network, GossipMachine node, GossipOutsider a) = NodeWithVerifiedOutsider();
        var b = new GossipOutsider(network, 11, PeerAddress.FromOctets(192, 168, 0, 11, 9000));
        var c = new GossipOutsider(network, 12, PeerAddress.FromOctets(192, 168, 0, 12, 9000));
        var d = new GossipOutsider(network, 13, PeerAddress.FromOctets(192, 168, 0, 13, 9000));
        ulong t = Wallclock(network);
        Deliver(network, a, a.Values(GossipMessageKind.Push,
            b.SignedValue(b.Info(t, genesis: Hash.Compute("another chain"u8))),
            c.SignedValue(c.Info(t, shredVersion: GossipTestNetwork.ShredVersion + 1)),
            d.SignedValue(d.Info(t))));
        Assert.Equal(1, node.Counters.WrongGenesis);
        Assert.Equal(1, node.Counters.WrongShredVersion);
        Assert.False(node.TryGetPeer(b.Identity, out _));
        Assert.False(node.TryGetPeer(c.Identity, out _));
        Assert.True(node.TryGetPeer(d.Identity, out _)); // the good value in the same packet is kept
    }

    [Fact]
    public void Pongs_that_answer_no_ping_or_carry_a_bad_signature_verify_nobody_and_are_counted()
    {
        var network = new GossipTestNetwork();
        GossipMachine node = network.AddNode(1, entrypoint: null);
        var x = new GossipOutsider(network, 10, OutsiderAddress);
        network.RunUntil(NodeTime.FromMilliseconds(20));

        // Never pinged: any pong is unexpected.
        Deliver(network, x, x.SignedPing(GossipMessageKind.Pong, Hash.Compute("guess"u8).Span));
        Assert.Equal(1, node.Counters.UnexpectedPong);

        // Pinged (after an unpinged push), then answered with the wrong hash, then with a forged signature.
        Deliver(network, x, x.Values(GossipMessageKind.Push, x.SignedValue(x.Info(Wallclock(network)))));
        SentPacket ping = Assert.Single(x.Received(GossipMessageKind.Ping));
        Assert.True(GossipMessageView.TryParse(ping.Bytes, out GossipMessageView pingView).IsOk);
        Assert.Equal(node.Identity, pingView.From);
        Deliver(network, x, x.SignedPing(GossipMessageKind.Pong, pingView.Token)); // the token, not its hash
        Assert.Equal(2, node.Counters.UnexpectedPong);
        byte[] forged = x.SignedPing(GossipMessageKind.Pong, Hash.Compute(pingView.Token).Span);
        forged[^1] ^= 1;
        Deliver(network, x, forged);
        Assert.Equal(1, node.Counters.BadSignature);
        Assert.False(node.IsVerified(x.Address, x.Identity, network.Now));

        // The right answer verifies the (address, identity) pair, and only that pair.
        Deliver(network, x, x.SignedPing(GossipMessageKind.Pong, Hash.Compute(pingView.Token).Span));
        Assert.True(node.IsVerified(x.Address, x.Identity, network.Now));
        Assert.False(node.IsVerified(PeerAddress.FromOctets(192, 168, 0, 99, 9000), x.Identity, network.Now));
        // A replay of the same pong is unexpected: the pending ping was used up.
        Deliver(network, x, x.SignedPing(GossipMessageKind.Pong, Hash.Compute(pingView.Token).Span));
        Assert.Equal(3, node.Counters.UnexpectedPong);
    }

    [Fact]
    public void Ping_tokens_differ_per_ping_and_per_node_seed()
    {
        var network = new GossipTestNetwork();
        network.AddNode(1, entrypoint: null);
        network.AddNode(2, entrypoint: null);
        var x = new GossipOutsider(network, 10, OutsiderAddress);
        network.RunUntil(NodeTime.FromMilliseconds(20));
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < 2; i++) network.Inject(x.Address, network.Addresses[i], x.Values(GossipMessageKind.Push, x.SignedValue(x.Info(Wallclock(network)))));
            network.RunUntil(network.Now.AddMilliseconds(1_100)); // past PingRetryMs
        }
        string[] tokens = [.. x.Received(GossipMessageKind.Ping).Select(p => Convert.ToHexString(p.Bytes, GossipMessageView.TokenOffset, 32))];
        Assert.Equal(6, tokens.Length);
        Assert.Equal(6, tokens.Distinct().Count());
    }

    [Fact]
    public void A_ping_is_answered_with_a_signed_pong_of_its_token_hash_within_the_per_address_budget()
    {
        var network = new GossipTestNetwork();
        GossipMachine node = network.AddNode(1, entrypoint: null);
        var x = new GossipOutsider(network, 10, OutsiderAddress);
        network.RunUntil(NodeTime.FromMilliseconds(20));
        byte[] token = Hash.Compute("my token"u8).Span.ToArray();
        for (int i = 0; i < 10; i++) network.Inject(x.Address, network.Addresses[0], x.SignedPing(GossipMessageKind.Ping, token));
        byte[] badlySigned = x.SignedPing(GossipMessageKind.Ping, token);
        badlySigned[70] ^= 1;
        network.Inject(PeerAddress.FromOctets(192, 168, 0, 50, 9000), network.Addresses[0], badlySigned);
        network.RunUntil(network.Now.AddMilliseconds(20));

        SentPacket[] pongs = [.. x.Received(GossipMessageKind.Pong)];
        Assert.Equal(node.Options.MaxPingsPerWindow, pongs.Length);
        Assert.Equal(10 - node.Options.MaxPingsPerWindow, node.Counters.RateLimited);
        Assert.Equal(1, node.Counters.BadSignature);
        Assert.True(GossipMessageView.TryParse(pongs[0].Bytes, out GossipMessageView pong).IsOk);
        Assert.Equal(node.Identity, pong.From);
        Assert.Equal(Hash.Compute(token).Span.ToArray(), pong.Token.ToArray());
        byte[] message = new byte[GossipMessageView.PingSigningMessageLength];
        pong.WritePingSigningMessage(message);
        Assert.True(Schnorr.Verify(node.Identity.Span, message, pong.PingSignatureBytes));
    }

    [Fact]
    public void A_ping_from_a_table_peer_at_its_gossip_address_is_pinged_back_but_a_stranger_only_gets_a_pong()
    {
        (GossipTestNetwork network, GossipMachine node, GossipOutsider a) = NodeWithVerifiedOutsider();
        var b = new GossipOutsider(network, 11, PeerAddress.FromOctets(192, 168, 0, 11, 9000));
        var stranger = new GossipOutsider(network, 12, PeerAddress.FromOctets(192, 168, 0, 12, 9000));
        Deliver(network, a, a.Values(GossipMessageKind.Push, b.SignedValue(b.Info(Wallclock(network)))));
        Assert.True(node.TryGetPeer(b.Identity, out _));

        byte[] token = Hash.Compute("hello"u8).Span.ToArray();
        Deliver(network, b, b.SignedPing(GossipMessageKind.Ping, token));
        Deliver(network, stranger, stranger.SignedPing(GossipMessageKind.Ping, token));

        Assert.Single(b.Received(GossipMessageKind.Pong));
        Assert.Single(b.Received(GossipMessageKind.Ping));
        Assert.Single(stranger.Received(GossipMessageKind.Pong));
        Assert.Empty(stranger.Received(GossipMessageKind.Ping));
    }

    [Fact]
    public void A_pull_is_answered_with_exactly_the_values_missing_from_the_requester_filter_except_its_own()
    {
        (GossipTestNetwork network, GossipMachine node, GossipOutsider a) = NodeWithVerifiedOutsider();
        GossipOutsider[] others = [.. Enumerable.Range(0, 4).Select(i => new GossipOutsider(network, 20 + i, PeerAddress.FromOctets(192, 168, 1, (byte)i, 9000)))];
        byte[][] values = [.. others.Select(o => o.SignedValue(o.Info(Wallclock(network))))];
        Deliver(network, a, a.Values(GossipMessageKind.Push, [a.SignedValue(a.Info(Wallclock(network))), .. values]));
        Assert.Equal(5, node.PeerCount);

        byte[] request = a.PullRequest(Wallclock(network), words: 16, Hash.Compute(values[0]), Hash.Compute(values[1]));
        Deliver(network, a, request);
        SentPacket[] answers = [.. a.Received(GossipMessageKind.PullResponse)];
        SentPacket answer = Assert.Single(answers);
        Assert.True(answer.Bytes.Length <= 2 * request.Length);
        Assert.True(GossipMessageView.TryParse(answer.Bytes, out GossipMessageView response).IsOk);
        var received = new List<Pubkey>();
        for (int i = 0; i < response.ValueCount; i++) received.Add(response.GetValue(i).Identity);
        Pubkey[] origins = [.. received.Order()];
        Pubkey[] expected = [.. new[] { node.Identity, others[2].Identity, others[3].Identity }.Order()];
        Assert.Equal(expected, origins);
    }

    [Fact]
    public void A_pull_answer_stops_at_twice_the_request_size()
    {
        (GossipTestNetwork network, GossipMachine node, GossipOutsider a) = NodeWithVerifiedOutsider();
        GossipOutsider[] others = [.. Enumerable.Range(0, 20).Select(i => new GossipOutsider(network, 20 + i, PeerAddress.FromOctets(192, 168, 1, (byte)i, 9000)))];
        for (int first = 0; first < others.Length; first += 5)
        {
            Deliver(network, a, a.Values(GossipMessageKind.Push, [.. others.Skip(first).Take(5).Select(o => o.SignedValue(o.Info(Wallclock(network))))]));
        }
        Assert.Equal(20, node.PeerCount);

        byte[] small = a.PullRequest(Wallclock(network), words: 1);
        Deliver(network, a, small);
        SentPacket[] smallAnswer = [.. a.Received(GossipMessageKind.PullResponse)];
        Assert.Equal(GossipMessageWriter.ValuesMessageLength(2), Assert.Single(smallAnswer).Bytes.Length); // 2 x 200 bytes buys 2 values

        byte[] large = a.PullRequest(Wallclock(network), words: BloomFilter.MaxWords);
        Deliver(network, a, large);
        SentPacket[] largeAnswer = [.. a.Received(GossipMessageKind.PullResponse).Skip(1)];
        Assert.Equal(2, largeAnswer.Length); // 2 x 1,216 bytes buys two full packets of 6 values
        Assert.True(largeAnswer.Sum(p => p.Bytes.Length) <= 2 * large.Length);
        Assert.All(largeAnswer, p => Assert.Equal(GossipMessageWriter.ValuesMessageLength(6), p.Bytes.Length));
    }

    [Fact]
    public void A_push_flood_from_a_verified_peer_is_processed_up_to_its_budget_and_the_rest_counted()
    {
        (GossipTestNetwork network, GossipMachine node, GossipOutsider a) = NodeWithVerifiedOutsider();
        byte[] push = a.Values(GossipMessageKind.Push, a.SignedValue(a.Info(Wallclock(network))));
        for (int i = 0; i < 100; i++) network.Inject(a.Address, network.Addresses[0], push);
        network.RunUntil(network.Now.AddMilliseconds(20));
        int budget = node.Options.MaxValuePacketsPerWindow;
        Assert.Equal(100 - budget, node.Counters.RateLimited);
        Assert.Equal(1, node.Counters.ValuesInserted);
        Assert.Equal(budget - 1, node.Counters.DuplicateValues);

        // The next window has a fresh budget.
        network.RunUntil(network.Now.AddMilliseconds(node.Options.RateWindowMs));
        Deliver(network, a, push);
        Assert.Equal(budget, node.Counters.DuplicateValues);
    }

    [Fact]
    public void New_origins_beyond_the_table_capacity_are_dropped_and_counted()
    {
        (GossipTestNetwork network, GossipMachine node, GossipOutsider a) = NodeWithVerifiedOutsider(new GossipOptions { MaxTableEntries = 3 });
        GossipOutsider[] others = [.. Enumerable.Range(0, 4).Select(i => new GossipOutsider(network, 20 + i, PeerAddress.FromOctets(192, 168, 1, (byte)i, 9000)))];
        Deliver(network, a, a.Values(GossipMessageKind.Push, [.. others.Select(o => o.SignedValue(o.Info(Wallclock(network))))]));
        Assert.Equal(2, node.PeerCount); // self + 2
        Assert.Equal(2, node.Counters.TableFull);
    }

    [Fact]
    public void Undecodable_packets_are_counted_as_decode_errors()
    {
        var network = new GossipTestNetwork();
        GossipMachine node = network.AddNode(1, entrypoint: null);
        var x = new GossipOutsider(network, 10, OutsiderAddress);
        Deliver(network, x, []);
        Deliver(network, x, [9, 9, 9]);
        Deliver(network, x, new byte[1300]);
        Assert.Equal(3, node.Counters.DecodeErrors);
        Assert.Equal(3, node.Counters.Dropped);
    }

    [Fact]
    public void Handling_pushes_pings_pulls_and_garbage_allocates_nothing_per_packet_in_steady_state()
    {
        (GossipTestNetwork network, GossipMachine node, GossipOutsider a) = NodeWithVerifiedOutsider();
        ulong wallclock = Wallclock(network);
        byte[] own = a.SignedValue(a.Info(wallclock));
        byte[] push = a.Values(GossipMessageKind.Push, own);
        Deliver(network, a, push);
        Assert.Equal(1, node.PeerCount);
        byte[] ping = a.SignedPing(GossipMessageKind.Ping, Hash.Compute("t"u8).Span);
        byte[] pull = a.PullRequest(wallclock, words: 1); // carries the same value as the push
        byte[] garbage = [2, 1, 2, 3];
        var sink = new NullSink();
        NodeTime now = network.Now;
        long allocated = Allocations.Measure(2_000, () =>
        {
            now = now.AddMilliseconds(1);
            node.OnPacket(a.Address, push, now, ref sink);   // a duplicate value: hashed, not stored
            node.OnPacket(a.Address, ping, now, ref sink);   // a pong signed and sent (until rate-limited)
            node.OnPacket(a.Address, pull, now, ref sink);   // answered with a pull response (until rate-limited)
            node.OnPacket(a.Address, garbage, now, ref sink);
            node.OnTick(now, ref sink);
        });
        Assert.Equal(0, allocated);
        // Both the served paths and the rate-limited ones ran (2 s of packets: two or three 1 s windows).
        Assert.True(node.Counters.PongsSent > 8, $"{node.Counters.PongsSent} pongs");
        Assert.True(node.Counters.PullResponsePacketsSent > 4, $"{node.Counters.PullResponsePacketsSent} pull responses");
        Assert.True(node.Counters.DuplicateValues > 64, $"{node.Counters.DuplicateValues} duplicates");
        Assert.True(node.Counters.RateLimited > 2_000, $"{node.Counters.RateLimited} rate-limited");
        Assert.True(node.Counters.DecodeErrors > 2_000);
    }
}
