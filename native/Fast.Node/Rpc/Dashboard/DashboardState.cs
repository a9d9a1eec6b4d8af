using System.Buffers;
using System.Text.Json;
using Fast.Core.Primitives;

namespace Fast.Node.Rpc.Dashboard;

/// <summary>One drop counter of /metrics (<c>fast_dropped_total{stage, reason}</c>).</summary>
public readonly record struct DropCount(string Stage, string Reason, long Count);

/// <summary>
/// The body of <c>GET /dashboard/state.json</c>, everything the dashboard page shows in one bounded
/// answer: the slots by commitment, the history points newer than the page's last one (TPS,
/// confirmation latency), the leaders of the next slots, the newest blocks with their transaction
/// counts, the non-zero drop counters by stage and reason, and every cluster node with its slot and
/// stake. Read from the same <see cref="IRpcBackend"/> JSON-RPC serves (so the page and the API agree),
/// plus <see cref="DashboardHistory"/>, the node's drop counters and the peers' polled slots. Runs on
/// HTTP request threads; every list has a fixed cap, and the drop counters (which cost a /metrics
/// render) are read at most once per <see cref="DropsRefreshMs"/>, however many pages poll.
/// </summary>
public sealed class DashboardState
{
    /// <summary>Leaders shown ahead of the processed slot.</summary>
    public const int LeadersAhead = 24;

    /// <summary>Newest blocks shown.</summary>
    public const int RecentBlocks = 12;

    /// <summary>Cluster nodes shown (the rest are counted).</summary>
    public const int MaxNodes = 256;

    /// <summary>Drop counters are re-read at most this often.</summary>
    public const long DropsRefreshMs = 1000;

    private readonly IRpcBackend _backend;
    private readonly DashboardHistory _history;
    private readonly Func<IReadOnlyList<DropCount>> _drops;
    private readonly Func<Pubkey, ulong?> _peerSlot;
    private readonly Func<long> _monotonicMs;
    private readonly Lock _dropsGate = new();
    private IReadOnlyList<DropCount> _dropsCache = [];
    private long _dropsReadAtMs = long.MinValue;

    /// <param name="backend">The node as JSON-RPC sees it.</param>
    /// <param name="history">The per-second points (TPS, latency, slots).</param>
    /// <param name="drops">The node's drop counters (a /metrics render: not free, so cached here).</param>
    /// <param name="peerSlot">Another node's latest known processed slot (null when unknown).</param>
    /// <param name="monotonicMs">A monotonic clock in milliseconds.</param>
    public DashboardState(IRpcBackend backend, DashboardHistory history, Func<IReadOnlyList<DropCount>> drops, Func<Pubkey, ulong?> peerSlot, Func<long> monotonicMs)
    {
        _backend = backend;
        _history = history;
        _drops = drops;
        _peerSlot = peerSlot;
        _monotonicMs = monotonicMs;
    }

    /// <summary>Writes the state, with the history points newer than <paramref name="sinceUnixMs"/> (0: all kept).</summary>
    public void Write(IBufferWriter<byte> output, long sinceUnixMs)
    {
        using Utf8JsonWriter w = new(output);
        w.WriteStartObject();
        w.WriteString("identity", _backend.Identity.ToString());
        w.WriteString("version", _backend.Version);
        ulong processed = _backend.Slot(Commitment.Processed);
        w.WriteStartObject("slots");
        w.WriteNumber("processed", processed);
        w.WriteNumber("confirmed", _backend.Slot(Commitment.Confirmed));
        w.WriteNumber("finalized", _backend.Slot(Commitment.Finalized));
        w.WriteEndObject();
        w.WriteNumber("transactionCount", _backend.TransactionCount(Commitment.Processed));
        w.WriteNumber("slotsPerEpoch", _backend.SlotsPerEpoch);
        _history.WriteSince(w, sinceUnixMs);
        WriteLeaders(w, processed);
        WriteBlocks(w);
        WriteDrops(w);
        WriteNodes(w, processed);
        w.WriteEndObject();
    }

    private void WriteLeaders(Utf8JsonWriter w, ulong processed)
    {
        Pubkey self = _backend.Identity;
        w.WriteStartArray("leaders");
        for (ulong slot = processed + 1; slot <= processed + LeadersAhead; slot++)
        {
            Pubkey leader = _backend.SlotLeader(slot);
            w.WriteStartObject();
            w.WriteNumber("slot", slot);
            w.WriteString("leader", leader.ToString());
            w.WriteBoolean("self", leader == self);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private void WriteBlocks(Utf8JsonWriter w)
    {
        IReadOnlyList<ulong> slots = _backend.RecentBlockSlots(RecentBlocks);
        w.WriteStartArray("blocks");
        for (int i = slots.Count - 1; i >= 0; i--)
        {
            ulong slot = slots[i];
            if (_backend.FrozenBank(slot) is not FrozenBankInfo bank) continue;
            w.WriteStartObject();
            w.WriteNumber("slot", slot);
            w.WriteNumber("parent", bank.ParentSlot);
            w.WriteNumber("transactions", bank.TransactionCount);
            w.WriteString("leader", _backend.SlotLeader(slot).ToString());
            w.WriteString("blockhash", bank.Blockhash.ToString());
            if (_backend.BlockTime(slot) is long time) w.WriteNumber("blockTime", time);
            else w.WriteNull("blockTime");
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private void WriteDrops(Utf8JsonWriter w)
    {
        IReadOnlyList<DropCount> drops = Drops();
        w.WriteStartArray("drops");
        foreach (DropCount d in drops)
        {
            if (d.Count == 0) continue;
            w.WriteStartObject();
            w.WriteString("stage", d.Stage);
            w.WriteString("reason", d.Reason);
            w.WriteNumber("count", d.Count);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private IReadOnlyList<DropCount> Drops()
    {
        lock (_dropsGate)
        {
            long now = _monotonicMs();
            if (_dropsReadAtMs == long.MinValue || now - _dropsReadAtMs >= DropsRefreshMs)
            {
                _dropsCache = _drops();
                _dropsReadAtMs = now;
            }
            return _dropsCache;
        }
    }

    private void WriteNodes(Utf8JsonWriter w, ulong processed)
    {
        Dictionary<Pubkey, ulong> stakes = [];
        (IReadOnlyList<VoteAccountInfo> current, IReadOnlyList<VoteAccountInfo> delinquent) = _backend.VoteAccounts();
        foreach (VoteAccountInfo v in current) stakes[v.Node] = checked(stakes.GetValueOrDefault(v.Node) + v.ActivatedStake);
        foreach (VoteAccountInfo v in delinquent) stakes[v.Node] = checked(stakes.GetValueOrDefault(v.Node) + v.ActivatedStake);
        IReadOnlyList<ClusterNode> nodes = _backend.ClusterNodes();
        Pubkey self = _backend.Identity;
        w.WriteNumber("clusterNodes", nodes.Count);
        w.WriteStartArray("nodes");
        for (int i = 0; i < nodes.Count && i < MaxNodes; i++)
        {
            ClusterNode node = nodes[i];
            bool isSelf = node.Identity == self;
            w.WriteStartObject();
            w.WriteString("identity", node.Identity.ToString());
            w.WriteBoolean("self", isSelf);
            if (node.Gossip is null) w.WriteNull("gossip");
            else w.WriteString("gossip", node.Gossip);
            if (node.Rpc is null) w.WriteNull("rpc");
            else w.WriteString("rpc", node.Rpc);
            w.WriteString("version", node.Version);
            w.WriteNumber("stake", stakes.GetValueOrDefault(node.Identity));
            if ((isSelf ? processed : _peerSlot(node.Identity)) is ulong slot) w.WriteNumber("slot", slot);
            else w.WriteNull("slot");
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
