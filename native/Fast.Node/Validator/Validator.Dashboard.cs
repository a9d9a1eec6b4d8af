using Fast.Node.Rpc;
using Fast.Node.Rpc.Dashboard;
using Fast.Node.Rpc.PubSub;

namespace Fast.Node.Validator;

/// <summary>
/// The live dashboard's feed (served by RPC at <c>GET /</c>, see <see cref="DashboardSite"/>): a timer
/// records one history point a second (slots by commitment, TPS from the committed count, the slots
/// confirmed in that second and their latency, measured by <see cref="ConfirmationLatency"/> from
/// <see cref="ChainState.Events"/>), the drop counters are read from the /metrics writer itself (with
/// their own rate baseline, so Prometheus' rates are not disturbed), and a cluster node polls its peers'
/// slots while a page is open. The timer runs on the thread pool; the pipeline threads only see the
/// latency listener's interlocked updates.
/// </summary>
public sealed partial class Validator
{
    /// <summary>Period of the dashboard's history points.</summary>
    public const int DashboardPeriodMs = 1000;

    private readonly MetricsRateBase _dashboardRates = new();
    private DashboardHistory? _dashboardHistory;
    private ConfirmationLatency? _confirmationLatency;
    private Timer? _dashboardTimer;
    private PeerSlots? _peerSlots;

    private DashboardSite StartDashboard(IRpcBackend backend, JsonRpcProcessor processor)
    {
        DashboardHistory history = _dashboardHistory = new DashboardHistory();
        ConfirmationLatency latency = _confirmationLatency = new ConfirmationLatency(() => Environment.TickCount64, SlotStartToFreezeMs);
        Chain.Events = ChainEventsFanOut.Of(Chain.Events, latency);
        PeerSlots? peers = null;
        if (IsCluster)
        {
            peers = _peerSlots = new PeerSlots(backend.ClusterNodes, Identity);
            peers.Start();
        }
        DashboardState state = new(backend, history, () => ReadDrops(processor), node => peers?.SlotOf(node), () => Environment.TickCount64);
        _dashboardTimer = new Timer(_ => RecordDashboardPoint(backend), null, 0, DashboardPeriodMs);
        return new DashboardSite(state);
    }

    /// <summary>
    /// How long ago <paramref name="slot"/> started, as it freezes: in a cluster, since its scheduled
    /// start (slots follow the wall clock from genesis, so a replayed block counts the leader's time and the
    /// shreds' travel too); a single node's slots follow PoH instead, so there it is the block's own duration.
    /// </summary>
    private double SlotStartToFreezeMs(ulong slot)
    {
        if (_banking?.Cluster is { } cluster) return DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - cluster.SlotStartUnixMs(slot);
        return Chain.Get(slot)?.DurationMs ?? 0;
    }

    private void RecordDashboardPoint(IRpcBackend backend)
    {
        if (_dashboardHistory is not { } history || _confirmationLatency is not { } latency) return;
        try
        {
            history.Record(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Environment.TickCount64,
                backend.Slot(Commitment.Processed), backend.Slot(Commitment.Confirmed), backend.Slot(Commitment.Finalized),
                Chain.ProcessedTransactions, latency.TakeBucket());
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            // A timer thread's exception would end the process: a point that cannot be read (the node is
            // stopping) is left out, and the chart shows the gap.
        }
    }

    /// <summary>The fast_dropped_total counters, from the same code that writes them to /metrics.</summary>
    private List<DropCount> ReadDrops(JsonRpcProcessor processor)
    {
        PrometheusText text = new(keepSamples: true);
        WriteMetrics(text, processor, _dashboardRates);
        List<DropCount> drops = [];
        foreach (PrometheusSample sample in text.Samples)
        {
            if (sample.Name != "fast_dropped_total" || sample.Label("stage") is not string stage || sample.Label("reason") is not string reason) continue;
            drops.Add(new DropCount(stage, reason, (long)sample.Value));
        }
        return drops;
    }

    private async ValueTask StopDashboardAsync()
    {
        if (_dashboardTimer is not null) await _dashboardTimer.DisposeAsync().ConfigureAwait(false);
        if (_peerSlots is not null) await _peerSlots.DisposeAsync().ConfigureAwait(false);
    }
}
