using System.Net;
using Fast.Node.LoadGen;
using Xunit;

namespace Fast.Node.Tests.LoadGen;

/// <summary>bench-tps's routing (LeaderTpus): a transfer goes to its slot's leader, to the next leader too at the end of a turn, and to the node's own TPU where no leader is known.</summary>
public class LeaderTpusTests
{
    private static readonly IPEndPoint Node = new(IPAddress.Loopback, 9000);
    private static readonly IPEndPoint A = new(IPAddress.Loopback, 9001);
    private static readonly IPEndPoint B = new(IPAddress.Loopback, 9002);

    private static IPEndPoint[] Targets(LeaderTpus leaders, ulong slot)
    {
        var targets = new IPEndPoint[2];
        return targets[..leaders.Targets(slot, targets)];
    }

    [Fact]
    public void A_transfer_goes_to_its_slots_leader_and_also_to_the_next_leader_only_in_the_last_slot_of_a_turn()
    {
        LeaderTpus leaders = new(Node);
        leaders.Set(100, [A, A, A, A, B, B, B, B, null]);
        Assert.Equal([A], Targets(leaders, 100));
        Assert.Equal([A], Targets(leaders, 102));
        Assert.Equal([A, B], Targets(leaders, 103)); // A's last slot: B leads next
        Assert.Equal([B], Targets(leaders, 104));
        Assert.Equal([B, Node], Targets(leaders, 107)); // slot 108's leader has no known TPU: the node forwards
        Assert.Equal(107UL + 1, leaders.KnownUntil);
        Assert.Equal(2, leaders.DistinctLeaders);
    }

    [Fact]
    public void Slots_outside_the_known_schedule_go_to_the_node()
    {
        LeaderTpus leaders = new(Node);
        Assert.Equal([Node], Targets(leaders, 5)); // nothing known yet
        leaders.Set(100, [A, A]);
        Assert.Equal([Node], Targets(leaders, 50));
        Assert.Equal([A, Node], Targets(leaders, 101));
        Assert.Equal([Node], Targets(leaders, 500));
    }
}
