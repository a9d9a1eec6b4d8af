using System.Buffers.Binary;
using Fast.Core.Ledger;
using Fast.Core.Primitives;
using Fast.Core.Rng;
using Fast.Core.Turbine;
using Fast.Crypto;
using Fast.Exec.Banking;
using Fast.Exec.Scheduling;
using Fast.Storage.Accounts;
using Fast.Validator.Forks;
using Fast.Validator.Leader;
using Fast.Validator.Machines;
using Fast.Validator.Turbine;

namespace Fast.Simulation;

/// <summary>
/// N validators in one process on one virtual clock (ARCHITECTURE.md rule 1, issue 11 item 10): builds
/// the cluster from the seed (keys, stakes, genesis hash, leader schedule), schedules slot starts,
/// node ticks, crashes and partitions, runs the event heap to the end and measures the run
/// (<see cref="SimulationReport"/>). Everything that decides is seeded or ordered, so the same options
/// give the same report byte for byte; wall-clock time goes to stderr only. Every node has its own
/// accounts store in a temporary folder (deleted by <see cref="Dispose"/>); genesis funds the payers of
/// the producer's transfers and the validators.
/// </summary>
internal sealed class Simulation : IDisposable
{
    public const ushort ShredVersion = 4242;

    /// <summary>The simulated wall clock at virtual time zero (gossip values carry wall-clock milliseconds).</summary>
    public const ulong WallclockAtZeroMs = 1_800_000_000_000;

    /// <summary>Virtual time before slot 1 starts: gossip spreads the cluster's addresses first (a real cluster boots the same way).</summary>
    public long WarmupNs => 5_000_000_000;
    public const ulong SlotsPerEpoch = 64;
    private const long TickNs = 20_000_000;
    private const int Payers = 64;

    /// <summary>Each payer's genesis balance: far more than 1,000 slots of transfers and fees take.</summary>
    public const ulong PayerLamports = 1_000_000_000_000;

    /// <summary>Each validator identity's genesis balance (its account collects its slots' fees).</summary>
    public const ulong ValidatorLamports = 1_000_000_000;

    public Simulation(SimulationOptions options)
    {
        Options = options;
        SlotNs = (long)options.SlotMs * 1_000_000;
        Events = new EventQueue(-1);
        Network = new VirtualNetwork(options, options.Seed);
        Workers = new NodeWorkers(Math.Min(options.Threads, options.Validators));
        Phases = new PhaseClock(Workers.Groups);
        _groupCpuNs = new long[Workers.Groups];
        Span<byte> seed = stackalloc byte[16];
        "fastsim:"u8.CopyTo(seed);
        BinaryPrimitives.WriteUInt64LittleEndian(seed[8..], options.Seed);
        GenesisHash = Hash(seed);

        // Keys and stakes from the seed; node order is index order (the network's addressing).
        DeterministicRng rng = new(seed);
        var keys = new Keypair[options.Validators];
        var stakes = new List<(Pubkey Identity, ulong Stake)>(options.Validators);
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = KeyFrom(rng.NextUInt64(), rng.NextUInt64());
            stakes.Add((new Pubkey(keys[i].PublicKey), (1 + rng.NextBelow(100)) * 1_000_000_000));
        }
        var payers = new Keypair[Payers];
        for (int i = 0; i < payers.Length; i++) payers[i] = KeyFrom(rng.NextUInt64(), rng.NextUInt64());
        Keypair unfunded = KeyFrom(rng.NextUInt64(), rng.NextUInt64());
        List<(Pubkey, Account)> accounts = [];
        foreach (Keypair payer in payers) accounts.Add((new Pubkey(payer.PublicKey), new Account(PayerLamports, Pubkey.Zero, false, null)));
        foreach ((Pubkey identity, ulong _) in stakes) accounts.Add((identity, new Account(ValidatorLamports, Pubkey.Zero, false, null)));
        Genesis = new GenesisConfig(GenesisHash, accounts);
        _storeRoot = Path.Combine(Path.GetTempPath(), $"fast-sim-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Schedule = new LeaderScheduleCache(GenesisHash, SlotsPerEpoch, _ => stakes);
        TurbineNode[] turbineNodes = [.. stakes.Select(s => new TurbineNode(s.Identity, s.Stake))];
        // One schedule, one Turbine tree and one shuffle cache per node group (its thread's memos of the same pure
        // functions): a TurbineTree draws its shuffles in its own scratch array, so two groups' threads must never share one.
        _groupSchedules = new LeaderScheduleCache[Workers.Groups];
        var shuffles = new TurbineShuffleCache[Workers.Groups];
        for (int g = 0; g < Workers.Groups; g++)
        {
            _groupSchedules[g] = new LeaderScheduleCache(GenesisHash, SlotsPerEpoch, _ => stakes);
            shuffles[g] = new TurbineShuffleCache(new TurbineTree(turbineNodes, options.TurbineFanout));
        }

        BlockRef genesis = new(0, GenesisHash);
        Nodes = new SimNode[options.Validators];
        for (int i = 0; i < Nodes.Length; i++)
        {
            Pubkey id = stakes[i].Identity;
            LeaderSlotController leader = new(id, ScheduleOf(i), lastBroadcastSlot: null, parentGraceNs: SlotNs / 3);
            TurbineRoutes routes = new(shuffles[Workers.GroupOf(i)], id, _ => default);
            Nodes[i] = new SimNode(this, i, keys[i], leader, routes, genesis);
        }
        // The byzantine leaders: the first K nodes by index (node order is a hash of the seed, not of stake).
        for (int i = 0; i < options.ByzantineLeaders; i++) Nodes[i].Byzantine = true;
        ByzantineIdentities = [.. Nodes.Take(options.ByzantineLeaders).Select(n => n.Identity)];
        // The leaders that slip an unfundable transfer into their blocks: the K most staked nodes that do not equivocate (so they lead often).
        foreach (int i in Enumerable.Range(options.ByzantineLeaders, Nodes.Length - options.ByzantineLeaders).OrderByDescending(i => stakes[i].Stake).ThenBy(i => i).Take(options.InvalidBlockLeaders))
        {
            Nodes[i].MakesInvalidBlocks = true;
        }
        Producer = new BlockProducer(this, payers, unfunded);
    }

    public SimulationOptions Options { get; }

    /// <summary>The equivocating leaders' identities (empty without --byzantine-leaders).</summary>
    public Pubkey[] ByzantineIdentities { get; private set; } = [];
    public long SlotNs { get; }
    /// <summary>The cluster's clock: slot starts, crashes and restarts, the leaders' steps (each node has its own, <see cref="SimNode.Events"/>).</summary>
    public EventQueue Events { get; }

    /// <summary>The threads the nodes run on, by group.</summary>
    public NodeWorkers Workers { get; }

    private readonly LeaderScheduleCache[] _groupSchedules;

    /// <summary>The leader schedule node <paramref name="node"/>'s machines read (its group's copy: one thread reads it at a time).</summary>
    public LeaderScheduleCache ScheduleOf(int node) => _groupSchedules[Workers.GroupOf(node)];
    public VirtualNetwork Network { get; }
    public Hash GenesisHash { get; }
    public LeaderScheduleCache Schedule { get; }
    public SimNode[] Nodes { get; }
    public BlockProducer Producer { get; }
    public CachedSignatureVerifier Verifier { get; } = new();

    /// <summary>The accounts every node's bank chain starts from.</summary>
    public GenesisConfig Genesis { get; }

    /// <summary>
    /// The executor the leaders' own blocks run on (the event thread, between steps); replayed blocks run
    /// on each node's own (<see cref="SimNode.Scheduler"/>), on its group's thread. It holds no bank state between calls.
    /// </summary>
    public SealevelScheduler Scheduler { get; } = new(SchedulerOptions);

    /// <summary>The leaders' executor and each node's replay executor: one worker, the calling thread.</summary>
    public static SchedulerOptions SchedulerOptions => new() { Workers = 1, FreezeOnWorkers = false, PreloadAfterDiskReads = 0 };

    /// <summary>Block signature answers shared by all nodes (a pure function of the block's bytes).</summary>
    public CachedBlockSignatures BlockSignatures { get; } = new();

    private readonly string _storeRoot;

    /// <summary>The folder of node <paramref name="index"/>'s accounts store.</summary>
    public string StoreDirectory(int index) => Path.Combine(_storeRoot, "node-" + index.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public void Dispose()
    {
        Workers.Dispose();
        foreach (SimNode node in Nodes) node?.CloseBanks();
        Scheduler.Dispose();
        BlockSignatures.Dispose();
        if (Directory.Exists(_storeRoot)) Directory.Delete(_storeRoot, recursive: true);
    }

    /// <summary>The last slot the run produces; the run continues two slots past it so the last blocks arrive.</summary>
    public ulong LastSlot => Options.Slots;

    /// <summary>
    /// Runs the cluster to the end in steps. A step starts at the earliest event anywhere: first the
    /// cluster's events at that instant run on this thread (slot starts, crashes, the leaders'
    /// production), then every node runs its own events up to the step's end on its group's thread
    /// (<see cref="NodeWorkers"/>), then the packets sent join their targets' clocks. A step ends before
    /// the next cluster event and lasts at most the shortest packet delay, so no packet sent in a
    /// step is due within it, and a node's events in a step depend on nothing another node does in it.
    /// </summary>
    public SimulationReport Run()
    {
        for (ulong slot = 1; slot <= LastSlot + 2; slot++) Events.At(SlotStartNs(slot), new SimEvent(SimEventKind.SlotStart, -1, slot));
        if (Options.CrashSlots is SlotWindow crash)
        {
            // The crashed nodes: the last K by index, so they are not the byzantine ones.
            for (int i = Nodes.Length - Options.CrashNodes; i < Nodes.Length; i++)
            {
                Events.At(SlotStartNs(crash.From), new SimEvent(SimEventKind.Crash, i));
                Events.At(SlotStartNs(crash.To), new SimEvent(SimEventKind.Restart, i));
            }
        }
        Events.At(TickNs, new SimEvent(SimEventKind.ProducerStep, -1));
        foreach (SimNode node in Nodes) node.Events.At(TickNs, new SimEvent(SimEventKind.Tick, node.Index));
        long end = SlotStartNs(LastSlot + 2);
        Action<int> runGroup = RunGroup;
        while (NextEventTime() is long now && now <= end)
        {
            foreach (SimNode node in Nodes) node.Events.AdvanceTo(now);
            Events.AdvanceTo(now);
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            long cpu = Fast.Exec.Scheduling.ThreadClock.NowNanoseconds();
            while (Events.TryNextBefore(now + 1, out SimEvent e)) DispatchCluster(e);
            Network.DeliverOutboxes(Nodes);
            Phases.Add(0, SimPhase.Cluster, start);
            ClusterCpuNs += Fast.Exec.Scheduling.ThreadClock.NowNanoseconds() - cpu;
            _stepEnd = Math.Min(end + 1, now + Network.ShortestDelayNs);
            if (Events.TryPeekTime(out long nextCluster)) _stepEnd = Math.Min(_stepEnd, nextCluster);
            start = System.Diagnostics.Stopwatch.GetTimestamp();
            Workers.RunGroups(runGroup);
            Network.DeliverOutboxes(Nodes);
            Phases.Add(0, SimPhase.NodeSteps, start);
            Steps++;
            long longest = 0;
            foreach (long groupCpu in _groupCpuNs)
            {
                NodeCpuNs += groupCpu;
                longest = Math.Max(longest, groupCpu);
            }
            NodeCriticalCpuNs += longest;
        }
        return SimulationReport.Measure(this);
    }

    private long _stepEnd;
    private readonly long[] _groupCpuNs;

    /// <summary>CPU time of the cluster's events between steps (event thread; stderr only).</summary>
    public long ClusterCpuNs { get; private set; }

    /// <summary>CPU time the node groups took in the steps, summed over the groups (stderr only).</summary>
    public long NodeCpuNs { get; private set; }

    /// <summary>The steps' CPU time counting only each step's costliest group: what the steps take with a core per group (stderr only).</summary>
    public long NodeCriticalCpuNs { get; private set; }

    /// <summary>Parallel steps run (stderr only).</summary>
    public long Steps { get; private set; }

    private long? NextEventTime()
    {
        long next = Events.TryPeekTime(out long t) ? t : long.MaxValue;
        foreach (SimNode node in Nodes)
        {
            if (node.Events.TryPeekTime(out long n) && n < next) next = n;
        }
        return next == long.MaxValue ? null : next;
    }

    /// <summary>One group's nodes run their events before the step's end (on the group's thread).</summary>
    private void RunGroup(int group)
    {
        long cpu = Fast.Exec.Scheduling.ThreadClock.NowNanoseconds();
        for (int i = group; i < Nodes.Length; i += Workers.Groups)
        {
            SimNode node = Nodes[i];
            while (node.Events.TryNextBefore(_stepEnd, out SimEvent e)) DispatchNode(node, e);
        }
        _groupCpuNs[group] = Fast.Exec.Scheduling.ThreadClock.NowNanoseconds() - cpu;
    }

    /// <summary>Where the nodes' time went (stderr only; summed over the node threads).</summary>
    public PhaseClock Phases { get; private set; } = null!;

    private void DispatchNode(SimNode node, in SimEvent e)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        long now = node.Events.Now;
        int group = 1 + Workers.GroupOf(node.Index);
        switch (e.Kind)
        {
            case SimEventKind.Deliver:
                if (node.Down) break;
                if (e.ToPort == SimNode.TvuPort)
                {
                    node.OnShred(e.Packet!, e.Length);
                    Phases.Add(group, SimPhase.Shreds, start);
                }
                else if (e.ToPort == SimNode.GossipPort)
                {
                    node.OnGossipPacket(e.FromNode, e.Packet!, e.Length, new NodeTime(now));
                    Phases.Add(group, SimPhase.Gossip, start);
                }
                else if (e.ToPort == SimNode.RepairPort)
                {
                    node.OnRepairPacket(e.FromNode, e.Packet!, e.Length, new NodeTime(now));
                    Phases.Add(group, SimPhase.Repair, start);
                }
                break;
            case SimEventKind.Tick:
                if (!node.Down)
                {
                    node.OnTick(new NodeTime(now));
                    Phases.Add(group, SimPhase.NodeTicks, start);
                    if (now % PeerRefreshNs < TickNs)
                    {
                        start = System.Diagnostics.Stopwatch.GetTimestamp();
                        node.RefreshPeersFromGossip();
                        Phases.Add(group, SimPhase.PeerRefresh, start);
                    }
                }
                node.Events.After(TickNs, e);
                break;
        }
    }

    private void DispatchCluster(in SimEvent e)
    {
        switch (e.Kind)
        {
            case SimEventKind.ProducerStep:
                Producer.Step(Events.Now);
                Events.After(TickNs, e);
                break;
            case SimEventKind.SlotStart:
                StartSlot(e.Slot);
                break;
            case SimEventKind.Crash:
                Nodes[e.Node].Down = true;
                Network.SetDown(e.Node, true);
                break;
            case SimEventKind.Restart:
                Nodes[e.Node].Down = false;
                Network.SetDown(e.Node, false);
                Nodes[e.Node].Restart();
                break;
        }
    }

    /// <summary>When <paramref name="slot"/> starts on the virtual clock (slot 0 ends when the warm-up does).</summary>
    public long SlotStartNs(ulong slot) => WarmupNs + (long)slot * SlotNs - SlotNs;

    private const long PeerRefreshNs = 500_000_000;

    /// <summary>Called at every slot start (the command line prints wall-clock progress to stderr from it; never part of the report).</summary>
    public Action<ulong>? SlotStarted { get; set; }

    /// <summary>
    /// Per crashed node: the first slot start after its restart at which its replayed tip had reached the
    /// lowest replayed tip of the nodes that never crashed (absent while it had not).
    /// </summary>
    public SortedDictionary<int, ulong> CaughtUpAtSlot { get; } = [];

    /// <summary>True when node <paramref name="index"/> is one of the --crash nodes (the last K by index).</summary>
    public bool Crashes(int index) => Options.CrashSlots is not null && index >= Nodes.Length - Options.CrashNodes;

    private void NoteCatchUp(ulong slot)
    {
        if (Options.CrashSlots is not SlotWindow window || slot <= window.To) return;
        int firstCrashed = Nodes.Length - Options.CrashNodes;
        ulong lowestTip = ulong.MaxValue;
        for (int i = 0; i < firstCrashed; i++) lowestTip = Math.Min(lowestTip, Nodes[i].Forks.Best.Slot);
        for (int i = firstCrashed; i < Nodes.Length; i++)
        {
            if (!CaughtUpAtSlot.ContainsKey(i) && Nodes[i].Forks.Best.Slot >= lowestTip) CaughtUpAtSlot[i] = slot;
        }
    }

    private void StartSlot(ulong slot)
    {
        SlotStarted?.Invoke(slot);
        NoteCatchUp(slot);
        Producer.Finish(slot - 1);
        if (Options.PartitionSlots is SlotWindow cut) Network.SetPartitioned(cut.Contains(slot));
        if (slot > LastSlot) return;
        NodeTime now = new(Events.Now);
        NodeTime slotEnd = now.Add(SlotNs);
        foreach (SimNode node in Nodes)
        {
            if (!node.Down) node.OnSlotStart(slot, now, slotEnd);
        }
    }

    /// <summary>How many entries a block holds (false when they do not parse, or there are none).</summary>
    public static bool TryCountEntries(ReadOnlySpan<byte> entries, out int count)
    {
        count = 0;
        EntryStream stream = new(entries);
        while (stream.MoveNext()) count++;
        return count > 0 && stream.Result.IsOk;
    }

    private static Fast.Core.Primitives.Hash Hash(ReadOnlySpan<byte> bytes)
    {
        Span<byte> digest = stackalloc byte[32];
        Sha256Kernel.Hash(bytes, digest);
        return new Fast.Core.Primitives.Hash(digest);
    }

    private static Keypair KeyFrom(ulong a, ulong b)
    {
        Span<byte> secret = stackalloc byte[32];
        Span<byte> input = stackalloc byte[24];
        for (ulong counter = 0; ; counter++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(input, a);
            BinaryPrimitives.WriteUInt64LittleEndian(input[8..], b);
            BinaryPrimitives.WriteUInt64LittleEndian(input[16..], counter);
            Sha256Kernel.Hash(input, secret);
            // Deterministic signatures: a run's bytes (gossip values, shred roots, transfers) must repeat for its seed.
            if (Keypair.TryFromSecretKey(secret, out Keypair? key)) return key.AsDeterministic();
        }
    }
}
