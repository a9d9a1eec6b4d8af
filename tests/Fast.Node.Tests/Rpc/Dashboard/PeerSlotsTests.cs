using System.Diagnostics;
using System.Net;
using Fast.Core.Primitives;
using Fast.Node.Rpc;
using Fast.Node.Rpc.Dashboard;
using Fast.Node.Tests.Infrastructure;
using Xunit;

namespace Fast.Node.Tests.Rpc.Dashboard;

public class PeerSlotsTests
{
    private static readonly Pubkey Self = new(Enumerable.Repeat((byte)1, 32).ToArray());
    private static readonly Pubkey Peer = new(Enumerable.Repeat((byte)2, 32).ToArray());
    private static readonly Pubkey Silent = new(Enumerable.Repeat((byte)3, 32).ToArray());
    private static readonly Pubkey Elsewhere = new(Enumerable.Repeat((byte)4, 32).ToArray());

    [Fact]
    public async Task While_the_dashboard_is_watched_each_peer_s_slot_is_read_from_its_gossiped_RPC_address_and_a_silent_or_foreign_one_has_none()
    {
        FakeRpcBackend peerBackend = new() { ProcessedSlot = 4242 };
        await using RpcServer peerRpc = new(new IPEndPoint(IPAddress.Loopback, 0), new JsonRpcProcessor(peerBackend), _ => { }, () => null);
        await peerRpc.StartAsync();
        ClusterNode[] nodes =
        [
            new(Self, "127.0.0.1:2", null, null, "127.0.0.1:1", "0.1.0", 1),
            new(Peer, "127.0.0.1:3", null, null, peerRpc.LocalEndPoint!.ToString(), "0.1.0", 1),
            // Nobody listens on port 9 of loopback (discard; not run here): the poll fails and the peer shows no slot.
            new(Silent, "127.0.0.1:4", null, null, "127.0.0.1:9", "0.1.0", 1),
            // An RPC address on another host than the node's gossip address is never asked.
            new(Elsewhere, "127.0.0.2:5", null, null, peerRpc.LocalEndPoint!.ToString(), "0.1.0", 1),
        ];
        await using PeerSlots peers = new(() => nodes, Self);
        peers.Start();

        Assert.Null(peers.SlotOf(Peer)); // marks the dashboard watched; nothing polled yet
        var clock = Stopwatch.StartNew();
        while (peers.SlotOf(Peer) is null && clock.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(100);

        Assert.Equal(4242UL, peers.SlotOf(Peer));
        Assert.Null(peers.SlotOf(Silent));
        Assert.Null(peers.SlotOf(Elsewhere));
        Assert.Null(peers.SlotOf(Self));
        Assert.True(peers.Answers >= 1);
    }

    [Fact]
    public async Task Nobody_is_polled_while_no_dashboard_asked_for_slots()
    {
        FakeRpcBackend peerBackend = new() { ProcessedSlot = 7 };
        await using RpcServer peerRpc = new(new IPEndPoint(IPAddress.Loopback, 0), new JsonRpcProcessor(peerBackend), _ => { }, () => null);
        await peerRpc.StartAsync();
        ClusterNode[] nodes = [new(Peer, "127.0.0.1:3", null, null, peerRpc.LocalEndPoint!.ToString(), "0.1.0", 1)];
        await using PeerSlots peers = new(() => nodes, Self);
        peers.Start();

        await Task.Delay(PeerSlots.PeriodMs * 2 + 500);
        Assert.Equal(0, peers.Answers);
    }
}
