using Fast.Core.Gossip;
using Fast.Core.Primitives;
using Fast.Testing;
using Fast.Validator.Gossip;
using Fast.Validator.Machines;
using Xunit;
using Xunit.Abstractions;

namespace Fast.Validator.Tests.Gossip;

/// <summary>
/// Gossip machines in a deterministic in-test network (<see cref="GossipTestNetwork"/>): a cluster joins
/// through one entrypoint, keeps strangers and forgeries out, counts what it drops, expires the silent
/// and does the same thing, byte for byte, from the same seed.
/// </summary>
public sealed class GossipClusterTests(ITestOutputHelper output)
{
    /// <summary>Ten nodes must all know each other within this much virtual time (measured: see the test's output).</summary>
    private const long ConvergenceBoundMs = 5_000;

    private static readonly int[] TenNodes = [.. Enumerable.Range(0, 10)];

    private static GossipTestNetwork TenNodeCluster(ulong seed)
    {
        var network = new GossipTestNetwork();
        network.AddNode(seed, entrypoint: null);
        for (int i = 1; i < 10; i++) network.AddNode(seed, GossipTestNetwork.AddressFor(0));
        return network;
    }

    [Fact]
    public void Ten_nodes_that_know_only_an_entrypoint_all_learn_all_ten_contact_infos_within_the_bound()
    {
        GossipTestNetwork network = TenNodeCluster(seed: 1);
        network.RunUntil(NodeTime.FromMilliseconds(ConvergenceBoundMs), stopWhen: () => network.AllKnowEachOther(TenNodes));
        output.WriteLine($"converged at {network.Now}, {network.Log.Count} packets sent");

        Assert.True(network.AllKnowEachOther(TenNodes), $"not converged by {network.Now}");
        for (int i = 0; i < 10; i++)
        {
            GossipMachine node = network.Nodes[i];
            Assert.Equal(9, node.PeerCount);
            // Sorted by identity, with every field as its origin signed it.
            for (int p = 1; p < node.PeerCount; p++) Assert.True(node.GetPeer(p - 1).Identity < node.GetPeer(p).Identity);
            for (int j = 0; j < 10; j++)
            {
                if (j == i) continue;
                Assert.True(node.TryGetPeer(network.Signers[j].Identity, out ContactInfo info));
                Assert.Equal(network.Nodes[j].Self with { WallclockMs = 0 }, info with { WallclockMs = 0 });
                Assert.Equal(new Ipv4Endpoint(network.Addresses[j].Ipv4, network.Addresses[j].Port), info.Gossip);
            }
            // Honest traffic: nothing forged, foreign or flooding to drop.
            Assert.Equal(0, node.Counters.BadSignature + node.Counters.WrongGenesis + node.Counters.WrongShredVersion + node.Counters.RateLimited
                + node.Counters.DecodeErrors + node.Counters.FromTheFuture);
        }
    }

    [Fact]
    public void Ten_nodes_converge_through_one_entrypoint_with_a_fifth_of_all_packets_lost()
    {
        var network = new GossipTestNetwork { LossPartsPerMillion = 200_000 };
        network.AddNode(9, entrypoint: null);
        for (int i = 1; i < 10; i++) network.AddNode(9, GossipTestNetwork.AddressFor(0));
        network.RunUntil(NodeTime.FromMilliseconds(2 * ConvergenceBoundMs), stopWhen: () => network.AllKnowEachOther(TenNodes));
        output.WriteLine($"converged at {network.Now} with 20 % loss");
        Assert.True(network.AllKnowEachOther(TenNodes), $"not converged by {network.Now}");
    }

    [Fact]
    public void Thirty_nodes_joining_through_one_entrypoint_all_learn_each_other() => LargeClusterConverges(30, boundMs: 10_000);

    /// <summary>The scale the simulator needs (about 20 s of wall time here, so a soak run: FAST_SOAK=1).</summary>
    [SoakFact]
    public void A_hundred_nodes_joining_through_one_entrypoint_all_learn_each_other() => LargeClusterConverges(100, boundMs: 30_000);

    private void LargeClusterConverges(int nodes, long boundMs)
    {
        var network = new GossipTestNetwork();
        network.AddNode(100, entrypoint: null);
        for (int i = 1; i < nodes; i++) network.AddNode(100, GossipTestNetwork.AddressFor(0));
        int[] all = [.. Enumerable.Range(0, nodes)];
        network.RunUntil(NodeTime.FromMilliseconds(boundMs), tickMs: 20, stopWhen: () => network.Now.Milliseconds % 500 == 0 && network.AllKnowEachOther(all));
        output.WriteLine($"{nodes} nodes converged at {network.Now}, {network.Log.Count} packets, {network.Log.Sum(p => (long)p.Bytes.Length)} bytes; "
            + $"pings {network.Nodes.Sum(n => n.Counters.PingsSent)}, inserted {network.Nodes.Sum(n => n.Counters.ValuesInserted)}, "
            + $"duplicates {network.Nodes.Sum(n => n.Counters.DuplicateValues)}, unpinged {network.Nodes.Sum(n => n.Counters.FromUnpingedPeer)}, "
            + $"pushes {network.Nodes.Sum(n => n.Counters.PushPacketsSent)}, pulls {network.Nodes.Sum(n => n.Counters.PullRequestsSent)}, responses {network.Nodes.Sum(n => n.Counters.PullResponsePacketsSent)}");
        Assert.True(network.AllKnowEachOther(all), $"not converged by {network.Now}");
        Assert.All(network.Nodes, n => Assert.Equal(0, n.Counters.RateLimited + n.Counters.BadSignature + n.Counters.TableFull));
    }

    [Fact]
    public void Nodes_with_the_wrong_genesis_hash_or_shred_version_are_never_admitted_and_are_counted()
    {
        var network = new GossipTestNetwork();
        network.AddNode(5, entrypoint: null);
        for (int i = 1; i < 6; i++) network.AddNode(5, GossipTestNetwork.AddressFor(0));
        GossipMachine wrongGenesis = network.AddNode(5, GossipTestNetwork.AddressFor(0), genesis: Hash.Compute("another chain"u8));
        GossipMachine wrongShredVersion = network.AddNode(5, GossipTestNetwork.AddressFor(0), shredVersion: 7);

        network.RunUntil(NodeTime.FromMilliseconds(8_000));

        int[] honest = [0, 1, 2, 3, 4, 5];
        Assert.True(network.AllKnowEachOther(honest));
        foreach (int i in honest)
        {
            Assert.Equal(5, network.Nodes[i].PeerCount);
            Assert.False(network.Nodes[i].TryGetPeer(wrongGenesis.Identity, out _));
            Assert.False(network.Nodes[i].TryGetPeer(wrongShredVersion.Identity, out _));
        }
        // The entrypoint saw their pull requests (with their contact info) and dropped them, by reason.
        Assert.True(network.Nodes[0].Counters.WrongGenesis > 0);
        Assert.True(network.Nodes[0].Counters.WrongShredVersion > 0);
        // And they learned nothing of the honest cluster (their own check runs the other way).
        Assert.Equal(0, wrongGenesis.PeerCount);
        Assert.Equal(0, wrongShredVersion.PeerCount);
    }

    [Fact]
    public void Forged_values_unpinged_senders_and_a_pull_request_flood_are_dropped_and_counted_while_the_cluster_converges()
    {
        GossipTestNetwork network = TenNodeCluster(seed: 3);
        var flooder = new GossipOutsider(network, 1, Fast.Validator.Net.PeerAddress.FromOctets(192, 168, 7, 7, 9000));
        var stranger = new GossipOutsider(network, 2, Fast.Validator.Net.PeerAddress.FromOctets(192, 168, 8, 8, 9000));
        Fast.Validator.Net.PeerAddress entrypoint = GossipTestNetwork.AddressFor(0);
        ulong now() => GossipTestNetwork.WallclockAtZeroMs + (ulong)network.Now.Milliseconds;

        // The flooder answers pings (so it is verified) and sends 20 pull requests with an empty filter every 10 ms.
        // The stranger never answers pings and pushes its own, validly signed value every 10 ms.
        // Every 100 ms the flooder also pushes forged values: node 3's value with a bumped wall clock and
        // a value for a made-up identity with a garbage signature.
        long floodRequests = 0;
        while (network.Now < NodeTime.FromMilliseconds(ConvergenceBoundMs) && !network.AllKnowEachOther(TenNodes))
        {
            flooder.AnswerPings();
            for (int i = 0; i < 20; i++)
            {
                network.Inject(flooder.Address, entrypoint, flooder.PullRequest(now(), words: 1));
                floodRequests++;
            }
            network.Inject(stranger.Address, entrypoint, stranger.Values(GossipMessageKind.Push, stranger.SignedValue(stranger.Info(now()))));
            if (network.Now.Milliseconds % 100 == 0) InjectForgeries(network, flooder, now());
            network.RunUntil(network.Now.AddMilliseconds(10));
        }
        output.WriteLine($"converged at {network.Now} under attack");
        Assert.True(network.AllKnowEachOther(TenNodes), $"not converged by {network.Now}");

        GossipCounters entry = network.Nodes[0].Counters;
        output.WriteLine($"entrypoint: {floodRequests} flood requests, rate-limited {entry.RateLimited}, unpinged {entry.FromUnpingedPeer}, bad signature {entry.BadSignature}");
        // The flood: at most 4 requests per 1 s window answered, the rest counted; each answer within 2x its request.
        long windows = network.Now.Milliseconds / 1_000 + 1;
        SentPacket[] answers = [.. flooder.Received(GossipMessageKind.PullResponse)];
        Assert.InRange(answers.Length, 1, 4 * windows);
        Assert.True(entry.RateLimited + entry.FromUnpingedPeer >= floodRequests - 4 * windows);
        Assert.True(entry.RateLimited > floodRequests / 2, $"{entry.RateLimited} rate-limited of {floodRequests}");
        int requestLength = flooder.PullRequest(now(), words: 1).Length;
        foreach (SentPacket answer in answers) Assert.True(answer.Bytes.Length <= 2 * requestLength, $"{answer.Bytes.Length} bytes answered a {requestLength}-byte request");
        // The stranger: every push dropped as unpinged, never admitted, pinged at most once per second.
        Assert.True(entry.FromUnpingedPeer > 100);
        foreach (GossipMachine node in network.Nodes) Assert.False(node.TryGetPeer(stranger.Identity, out _));
        Assert.InRange(stranger.Received(GossipMessageKind.Ping).Count(), 1, windows + 1);
        Assert.Empty(stranger.Received(GossipMessageKind.PullResponse));
        // The forgeries: counted as bad signatures once the flooder was verified, never stored.
        Assert.True(network.Nodes.Sum(n => n.Counters.BadSignature) > 0);
        foreach (GossipMachine node in network.Nodes)
        {
            Assert.False(node.TryGetPeer(ForgedIdentity, out _));
            if (node.TryGetPeer(network.Signers[3].Identity, out ContactInfo three)) Assert.NotEqual(ForgedTpuPort, three.Tpu.Port);
        }
    }

    private static readonly Pubkey ForgedIdentity = new(Hash.Compute("forged identity"u8).Span);
    private const ushort ForgedTpuPort = 6666;

    private static void InjectForgeries(GossipTestNetwork network, GossipOutsider from, ulong wallclockMs)
    {
        if (!network.Nodes[3].TryGetPeer(network.Signers[0].Identity, out _)) return;
        ContactInfo three = network.Nodes[3].Self with { WallclockMs = wallclockMs + 1, Tpu = network.Nodes[3].Self.Tpu with { Port = ForgedTpuPort } };
        byte[] tampered = new byte[GossipValueView.EncodedLength];
        GossipValueWriter.WriteSigned(tampered, network.Signers[3].Keypair, network.Nodes[3].Self);
        byte[] retimed = new byte[GossipValueView.EncodedLength];
        GossipValueWriter.WriteUnsigned(retimed, three);
        tampered.AsSpan(0, 64).CopyTo(retimed); // node 3's real signature over altered fields
        byte[] madeUp = new byte[GossipValueView.EncodedLength];
        GossipValueWriter.WriteUnsigned(madeUp, from.Info(wallclockMs) with { Identity = ForgedIdentity });
        madeUp.AsSpan(0, 64).Fill(0x5A);
        byte[] packet = from.Values(GossipMessageKind.Push, retimed, madeUp);
        for (int i = 0; i < network.Nodes.Count; i++) network.Inject(from.Address, network.Addresses[i], packet);
    }

    [Fact]
    public void Silent_peers_expire_after_the_expiry_period_and_not_before()
    {
        GossipTestNetwork network = TenNodeCluster(seed: 4);
        network.RunUntil(NodeTime.FromMilliseconds(ConvergenceBoundMs), stopWhen: () => network.AllKnowEachOther(TenNodes));
        Assert.True(network.AllKnowEachOther(TenNodes));
        network.RunUntil(network.Now.AddMilliseconds(1_000));

        NodeTime silencedAt = network.Now;
        network.Silenced.Add(5);
        Pubkey five = network.Signers[5].Identity;
        long expiry = network.Nodes[0].Options.PeerExpiryMs;
        long refresh = network.Nodes[0].Options.RefreshIntervalMs;

        // Its last value may be up to one refresh interval old when it falls silent.
        network.RunUntil(silencedAt.AddMilliseconds(expiry - refresh - 1_000));
        foreach (int i in TenNodes.Where(i => i != 5)) Assert.True(network.Nodes[i].TryGetPeer(five, out _), $"node {i} dropped node 5 early");

        network.RunUntil(silencedAt.AddMilliseconds(expiry + 1_000));
        foreach (int i in TenNodes.Where(i => i != 5))
        {
            Assert.False(network.Nodes[i].TryGetPeer(five, out _), $"node {i} still lists node 5");
            Assert.Equal(8, network.Nodes[i].PeerCount);
            Assert.True(network.Nodes[i].Counters.PeersExpired >= 1);
        }
        // The live ones kept refreshing each other.
        Assert.True(network.AllKnowEachOther([.. TenNodes.Where(i => i != 5)]));
    }

    [Fact]
    public void The_same_seed_gives_the_same_sends_byte_for_byte_and_another_seed_does_not()
    {
        static (Hash Digest, int Packets) Run(ulong seed)
        {
            GossipTestNetwork network = TenNodeCluster(seed);
            network.RunUntil(NodeTime.FromMilliseconds(3_000));
            return (network.LogDigest(), network.Log.Count);
        }
        (Hash first, int packets) = Run(21);
        (Hash second, int packetsAgain) = Run(21);
        (Hash other, _) = Run(22);
        Assert.True(packets > 200, $"only {packets} packets");
        Assert.Equal(packets, packetsAgain);
        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }
}
