using System.Buffers;
using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Node.Rpc;
using Fast.Node.Rpc.Dashboard;
using Fast.Node.Tests.Infrastructure;
using Xunit;

namespace Fast.Node.Tests.Rpc.Dashboard;

public class DashboardStateTests
{
    private long _nowMs = 1_000;
    private int _dropReads;

    private static readonly Pubkey Peer = new(Enumerable.Repeat((byte)9, 32).ToArray());

    private DashboardState State(FakeRpcBackend backend, DashboardHistory? history = null) =>
        new(backend, history ?? new DashboardHistory(), () =>
        {
            _dropReads++;
            return [new DropCount("sigverify", "invalid_signature", 7), new DropCount("banking", "blockhash", 0)];
        }, node => node == Peer ? 77UL : null, () => _nowMs);

    private static JsonDocument Write(DashboardState state, long since = 0)
    {
        ArrayBufferWriter<byte> output = new();
        state.Write(output, since);
        return JsonDocument.Parse(output.WrittenMemory);
    }

    [Fact]
    public void The_state_shows_slots_by_commitment_leaders_ahead_and_the_newest_blocks_first_with_their_transaction_counts()
    {
        FakeRpcBackend backend = new() { ProcessedSlot = 100 };
        backend.RecentSlots.AddRange([97, 98, 99]);
        foreach (ulong slot in backend.RecentSlots) backend.FrozenBanks[slot] = new FrozenBankInfo(slot, slot - 1, Hash.Compute("bank"u8), Hash.Compute("block"u8), slot, (int)slot * 10);

        using JsonDocument doc = Write(State(backend));
        JsonElement root = doc.RootElement;
        Assert.Equal(100UL, root.GetProperty("slots").GetProperty("processed").GetUInt64());
        Assert.Equal(99UL, root.GetProperty("slots").GetProperty("confirmed").GetUInt64());
        Assert.Equal(68UL, root.GetProperty("slots").GetProperty("finalized").GetUInt64());
        JsonElement leaders = root.GetProperty("leaders");
        Assert.Equal(DashboardState.LeadersAhead, leaders.GetArrayLength());
        Assert.Equal(101UL, leaders[0].GetProperty("slot").GetUInt64());
        Assert.Equal(Pubkey.Zero.ToString(), leaders[0].GetProperty("leader").GetString());
        Assert.False(leaders[0].GetProperty("self").GetBoolean());
        Assert.Equal([99UL, 98, 97], root.GetProperty("blocks").EnumerateArray().Select(b => b.GetProperty("slot").GetUInt64()));
        Assert.Equal([990, 980, 970], root.GetProperty("blocks").EnumerateArray().Select(b => b.GetProperty("transactions").GetInt32()));
        Assert.Equal(98UL, root.GetProperty("blocks")[0].GetProperty("parent").GetUInt64());
    }

    [Fact]
    public void Only_non_zero_drops_are_shown_and_the_counters_are_read_at_most_once_per_refresh_period()
    {
        FakeRpcBackend backend = new();
        DashboardState state = State(backend);

        using (JsonDocument doc = Write(state))
        {
            JsonElement drop = Assert.Single(doc.RootElement.GetProperty("drops").EnumerateArray());
            Assert.Equal("sigverify", drop.GetProperty("stage").GetString());
            Assert.Equal("invalid_signature", drop.GetProperty("reason").GetString());
            Assert.Equal(7, drop.GetProperty("count").GetInt64());
        }
        Write(state).Dispose();
        Write(state).Dispose();
        Assert.Equal(1, _dropReads);
        _nowMs += DashboardState.DropsRefreshMs;
        Write(state).Dispose();
        Assert.Equal(2, _dropReads);
    }

    [Fact]
    public void Every_cluster_node_is_shown_with_its_stake_and_slot_this_node_with_its_processed_slot()
    {
        FakeRpcBackend backend = new() { ProcessedSlot = 120, Identity = Pubkey.Zero };
        backend.Votes.Add(new VoteAccountInfo(new Pubkey(Enumerable.Repeat((byte)1, 32).ToArray()), Pubkey.Zero, 3_000, 0, 0));
        backend.Votes.Add(new VoteAccountInfo(new Pubkey(Enumerable.Repeat((byte)2, 32).ToArray()), Pubkey.Zero, 500, 0, 0));

        using JsonDocument doc = Write(State(backend));
        JsonElement node = Assert.Single(doc.RootElement.GetProperty("nodes").EnumerateArray());
        Assert.True(node.GetProperty("self").GetBoolean());
        Assert.Equal(3_500UL, node.GetProperty("stake").GetUInt64());
        Assert.Equal(120UL, node.GetProperty("slot").GetUInt64());
        Assert.Equal("127.0.0.1:8001", node.GetProperty("gossip").GetString());
        Assert.Equal(1, doc.RootElement.GetProperty("clusterNodes").GetInt32());
    }

    [Fact]
    public void Only_history_points_newer_than_since_are_sent()
    {
        DashboardHistory history = new();
        for (int i = 0; i < 5; i++) history.Record(1_000 * (i + 1), 1_000 * i, (ulong)i, 0, 0, 0, default);

        using JsonDocument all = Write(State(new FakeRpcBackend(), history));
        Assert.Equal(4, all.RootElement.GetProperty("history").GetProperty("t").GetArrayLength());
        using JsonDocument newer = Write(State(new FakeRpcBackend(), history), since: 4_000);
        Assert.Equal([5_000L], newer.RootElement.GetProperty("history").GetProperty("t").EnumerateArray().Select(e => e.GetInt64()));
    }
}
