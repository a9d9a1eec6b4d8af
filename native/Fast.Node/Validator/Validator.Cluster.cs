using CoreGenesis = Fast.Core.Genesis.GenesisConfig;
using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Node.Cluster;
using Fast.Validator.Forks;
using Fast.Validator.Leader;
using Fast.Validator.Machines;

namespace Fast.Node.Validator;

/// <summary>
/// A validator in a cluster (a genesis with more than one validator): the gossip / TVU / repair
/// network thread (<see cref="ClusterNetwork"/>), the broadcaster the ledger writer feeds, and the
/// banking thread's leader slot controller and fork tree (<see cref="ClusterContext"/>). The fork
/// tree starts at the newest block recovery replayed whose block id the Blockstore holds (the genesis
/// block on a new ledger); a restarted node warms up before leading on anything but the previous
/// slot, and never leads a slot at or below the last one it started (a durable file beside the ledger).
/// </summary>
public sealed partial class Validator
{
    private ClusterNetwork? _network;

    /// <summary>True when the genesis has more than one validator: the node leads only its scheduled slots and replays the others'.</summary>
    public bool IsCluster => Genesis.Config.Validators.Count > 1;

    /// <summary>The cluster network (null on a single node): peers for RPC, counters for /metrics.</summary>
    public ClusterNetwork? Network => _network;

    private const string LastLeaderSlotFileName = "last-leader-slot";

    private ClusterContext StartCluster(int slotMs)
    {
        CoreGenesis config = Genesis.Config;
        ushort shredVersion = CoreGenesis.ComputeShredVersion(Genesis.Hash);
        (Pubkey, ulong)[] stakes = [.. config.Validators.Select(v => (v.Identity, v.StakeLamports))];
        BlockRef root = ForkTreeRoot();
        // Each thread its own schedule cache (they are not thread-safe); the same rule and stakes.
        LeaderScheduleCache networkSchedule = new(Genesis.Hash, config.SlotsPerEpoch, _ => stakes);
        LeaderScheduleCache bankingSchedule = new(Genesis.Hash, config.SlotsPerEpoch, _ => stakes);
        ClusterConfig network = new()
        {
            BindAddress = _options.BindAddress,
            AdvertisedAddress = _options.AdvertisedAddress,
            GossipPort = _options.GossipPort,
            TvuPort = _options.TvuPort,
            RepairPort = _options.RepairPort,
            Entrypoint = _options.Entrypoint,
            TurbineFanout = _options.TurbineFanout,
            ParentGraceMs = _options.ParentGraceMs,
        };
        _network = new ClusterNetwork(network, _identityKeypair, Genesis.Hash, shredVersion, config.CreationTimeUnixMs, slotMs, stakes, networkSchedule, root,
            _options.TpuPort, _options.RpcPort, _log);
        string lastLeaderPath = Path.Combine(_options.LedgerPath, LastLeaderSlotFileName);
        ulong? lastLeaderSlot = ClusterContext.ReadLastLeaderSlot(lastLeaderPath);
        bool restarted = _forks.RecoveredFromCheckpoint || root.Slot > 0;
        var now = NodeTime.FromMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        LeaderSlotController leader = new(Identity, bankingSchedule, lastLeaderSlot, (long)_options.ParentGraceMs * 1_000_000, now,
            warmupNs: restarted ? 8L * slotMs * 1_000_000 : 0);
        ForkTree forks = new(root);
        _log.WriteLine($"cluster: {config.Validators.Count} validators, shred version {shredVersion}, gossip {_network.GossipEndPoint}, tvu {_network.TvuEndPoint}, repair {_network.RepairEndPoint}" +
                       $"{(_options.Entrypoint is { } e ? $", entrypoint {e}" : ", first node")}; fork tree from slot {root.Slot}" +
                       $"{(lastLeaderSlot is ulong l ? $", never leads slot {l} or below again" : "")}");
        return new ClusterContext
        {
            Network = _network,
            Broadcaster = new BlockBroadcaster(_identityKeypair, shredVersion, _network),
            Leader = leader,
            Forks = forks,
            LeaderOf = bankingSchedule.LeaderAt,
            GenesisUnixMs = config.CreationTimeUnixMs,
            SlotMs = slotMs,
            TicksPerSlot = config.TicksPerSlot,
            HashesPerTick = config.HashesPerTick,
            LastLeaderSlotPath = lastLeaderPath,
        };
    }

    /// <summary>
    /// The newest replayed block the fork tree can start from: recovery's last bank if its block id is
    /// stored, else the newest ancestor with one, else the genesis block (slot 0, id = genesis hash).
    /// </summary>
    private BlockRef ForkTreeRoot()
    {
        for (Bank? bank = _forks[_startParent] ?? _forks.Root; bank is not null; bank = bank.Parent)
        {
            if (bank.Slot == 0) break;
            if (_blockstore.BlockId(bank.Slot) is byte[] id) return new BlockRef(bank.Slot, new Hash(id));
        }
        return new BlockRef(0, Genesis.Hash);
    }
}
