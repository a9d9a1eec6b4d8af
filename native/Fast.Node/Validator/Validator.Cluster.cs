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
    private ReplayPreverifier? _preverifier;

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
        (BlockRef root, List<(BlockRef Block, BlockRef Parent)> above) = RecoveredForkTree();
        // Each thread its own schedule cache (they are not thread-safe) over the banks' record of the stakes (docs/cluster.md "Leader schedule").
        LeaderScheduleCache networkSchedule = new(Genesis.Hash, config.SlotsPerEpoch, _scheduleStakes);
        LeaderScheduleCache bankingSchedule = new(Genesis.Hash, config.SlotsPerEpoch, _scheduleStakes);
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
        if (_options.ReplayPreverify)
        {
            _preverifier = new ReplayPreverifier(new Fast.Exec.Validity.VerifiedTransactions());
            _network.Prefixes = new SlotEntryPrefixes(_preverifier);
        }
        string lastLeaderPath = Path.Combine(_options.LedgerPath, LastLeaderSlotFileName);
        ulong? lastLeaderSlot = ClusterContext.ReadLastLeaderSlot(lastLeaderPath);
        bool restarted = _forks.RecoveredFromCheckpoint || root.Slot > 0;
        var now = NodeTime.FromMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        LeaderSlotController leader = new(Identity, bankingSchedule, lastLeaderSlot, (long)_options.ParentGraceMs * 1_000_000, now,
            warmupNs: restarted ? 8L * slotMs * 1_000_000 : 0);
        ForkTree forks = new(root);
        foreach ((BlockRef block, BlockRef parent) in above.TakeLast(200))
        {
            forks.Add(block, parent);
            _network.OwnBlocks.TryEnqueue(new OwnBlock(block.Slot, parent.Slot, block.Id, parent.Id));
        }
        Chain.SetBest(forks.Best.Slot);
        Chain.SetProcessed(forks.Best.Slot);
        _log.WriteLine($"cluster: {config.Validators.Count} validators, shred version {shredVersion}, gossip {_network.GossipEndPoint}, tvu {_network.TvuEndPoint}, repair {_network.RepairEndPoint}" +
                       $"{(_options.Entrypoint is { } e ? $", entrypoint {e}" : ", first node")}; fork tree from slot {root.Slot} to {forks.Best.Slot}" +
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
            Preverifier = _preverifier,
        };
    }

    /// <summary>
    /// Where the fork trees start after recovery: the lowest block of the recovered chain (root .. tip)
    /// whose block id the Blockstore holds (the genesis block, slot 0 with the genesis hash as id, on a
    /// new ledger or when the root is slot 0), and the chain's blocks above it, in order, up to the
    /// first without a stored id (a node killed between a block and its id's commit).
    /// </summary>
    private (BlockRef Root, List<(BlockRef Block, BlockRef Parent)> Above) RecoveredForkTree()
    {
        List<Bank> chain = [];
        for (Bank? bank = _forks[_startParent] ?? _forks.Root; bank is not null; bank = bank.Parent)
        {
            chain.Add(bank);
            if (bank == _forks.Root) break;
        }
        chain.Reverse();
        BlockRef? root = null;
        List<(BlockRef, BlockRef)> above = [];
        foreach (Bank bank in chain)
        {
            BlockRef? block = bank.Slot == 0 ? new BlockRef(0, Genesis.Hash)
                : _blockstore.BlockId(bank.Slot) is byte[] id ? new BlockRef(bank.Slot, new Hash(id)) : null;
            if (root is null)
            {
                root = block;
                continue;
            }
            if (block is null) break;
            above.Add((block.Value, above.Count == 0 ? root.Value : above[^1].Item1));
        }
        return (root ?? new BlockRef(0, Genesis.Hash), above);
    }
}
