using System.Net;
using Fast.Core.Collections;
using Fast.Core.Consensus;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Exec;
using Fast.Exec.Banking;
using Fast.Exec.Scheduling;
using Fast.Net.Ingest;
using Fast.Net.Packets;
using Fast.Node.Cluster;
using Fast.Node.Ledger;
using Fast.Node.Pipeline;
using Fast.Node.Rpc;
using Fast.Storage;
using Fast.Storage.Accounts;
using Fast.Storage.Blocks;
using Fast.Validator.Leader;

namespace Fast.Node.Validator;

/// <summary>
/// One validator: the pipeline of ARCHITECTURE.md on this machine. TPU ingest (UDP + TCP) →
/// sigverify → banking (Sealevel) ⇄ PoH → ledger writer → Blockstore; banks freeze per slot and root
/// 31 slots behind; JSON-RPC and /metrics read <see cref="ChainState"/>. <see cref="Open"/> loads
/// genesis and identity, opens the stores and replays what the ledger holds past the accounts
/// checkpoint; <see cref="StartAsync"/> starts the threads; <see cref="DisposeAsync"/> stops them in
/// order (ingest first, ledger last), roots and checkpoints the tip, and closes the stores.
/// </summary>
public sealed partial class Validator : IAsyncDisposable
{
    private readonly ValidatorOptions _options;
    private readonly TextWriter _log;
    private readonly FileStream _lock;
    private readonly Keypair _identityKeypair;
    private readonly AccountsDb _accounts;
    private readonly Blockstore _blockstore;
    private readonly BankForks _forks;
    private readonly SealevelScheduler _scheduler;
    private readonly PacketPool _packets;
    private readonly BoundedQueue<Packet> _sigverifyInput;
    private readonly BoundedQueue<VerifiedPacket> _bankingInput;
    private readonly IngestCounters _ingestCounters = new();
    private readonly EntryBufferPool _entryBuffers;
    private UdpIngest? _udp;
    private TcpIngest? _tcp;
    private SigverifyStage? _sigverify;
    private PohService? _poh;
    private BankingStage? _banking;
    private LedgerWriter? _ledger;
    private RpcServer? _rpc;
    private bool _disposed;

    private Validator(ValidatorOptions options, TextWriter log, GenesisFile genesis, Keypair identity, FileStream lockFile, AccountsDb accounts, Blockstore blockstore, BankForks forks)
    {
        _options = options;
        _log = log;
        Genesis = genesis;
        Identity = new Pubkey(identity.PublicKey);
        _identityKeypair = identity;
        _lock = lockFile;
        _accounts = accounts;
        _blockstore = blockstore;
        _forks = forks;
        _scheduler = new SealevelScheduler(new SchedulerOptions
        {
            Workers = options.BankingThreads,
            HelperCores = options.Cores,
        });
        _packets = new PacketPool(options.PacketBuffers);
        _sigverifyInput = new BoundedQueue<Packet>(options.SigverifyQueue);
        _bankingInput = new BoundedQueue<VerifiedPacket>(options.BankingQueue);
        // Entry buffers: each holds up to MaxEntryTransactions × 1,232 bytes; 256 of them ≈ 160 MiB at the
        // default 512 transactions — far more than the few in flight between banking and the ledger writer.
        _entryBuffers = new EntryBufferPool(256, options.MaxEntryTransactions * Core.Transactions.TransactionLimits.MaxTransactionSize);
        Chain = new ChainState(new PerformanceSamples(options.RpcPerformanceSampleSeconds)) { FollowsForkChoice = genesis.Config.Validators.Count > 1 };
        Signatures = new SignatureIndex(options.SignatureIndexLog2);
        (Pubkey, ulong)[] stakes = [.. genesis.Config.Validators.Where(v => v.StakeLamports > 0).Select(v => (v.Identity, v.StakeLamports))];
        // In a cluster, epoch E's schedule comes from the stakes the banks recorded at the first bank of E − 1 (genesis's for 0
        // and 1; docs/cluster.md "Leader schedule"). A single node leads every slot itself: its schedule stays genesis's (itself).
        _scheduleStakes = new BankScheduleStakes(forks, stakes, () => Chain.LatestFrozen?.Bank);
        _leaders = genesis.Config.Validators.Count > 1
            ? new LeaderScheduleCache(genesis.Hash, genesis.Config.SlotsPerEpoch, _scheduleStakes)
            : new LeaderScheduleCache(genesis.Hash, genesis.Config.SlotsPerEpoch, _ => stakes);
    }

    public GenesisFile Genesis { get; }
    public Pubkey Identity { get; }

    /// <summary>requestAirdrop's faucet (--rpc-faucet-keypair), or null: the node then refuses airdrops.</summary>
    public Faucet? Faucet { get; private init; }
    public ChainState Chain { get; }
    public SignatureIndex Signatures { get; }
    private readonly BankScheduleStakes _scheduleStakes;
    private readonly LeaderScheduleCache _leaders;
    private readonly Lock _leadersLock = new();

    /// <summary>The scheduled leader of <paramref name="slot"/> (any thread).</summary>
    public Pubkey LeaderOf(ulong slot)
    {
        lock (_leadersLock) return _leaders.LeaderAt(slot);
    }

    /// <summary>The leader schedule of <paramref name="epoch"/> (any thread).</summary>
    public LeaderSchedule ScheduleOfEpoch(ulong epoch)
    {
        lock (_leadersLock) return _leaders.ScheduleFor(epoch);
    }
    public IPEndPoint? RpcEndPoint => _rpc?.LocalEndPoint;
    public IPEndPoint? TpuEndPoint => _udp?.LocalEndPoint;
    public IPEndPoint? TpuTcpEndPoint => _tcp?.LocalEndPoint;
    public int SigverifyThreads => _options.SigverifyThreads;

    /// <summary>Why the node must stop on its own (a stage died), or null.</summary>
    public string? Fault => _fault ??=
        _banking?.Failure is Exception b ? $"banking stage failed: {b.Message}"
        : _ledger?.Failure is Exception l ? $"ledger writer failed: {l.Message}"
        : _network?.Failure is Exception n ? $"the cluster network thread failed: {n.Message}"
        : _banking?.Unrecoverable is string behind ? behind
        : _poh is { IsRunning: false } && !_disposed ? "the PoH thread stopped"
        : _disk?.Check();

    private string? _fault;
    private DiskGuard? _disk;

    /// <summary>Loads genesis and identity, opens (or creates) the ledger, and replays it. One-line <see cref="ValidatorStartException"/> on bad input.</summary>
    public static Validator Open(ValidatorOptions options, TextWriter log)
    {
        if (!GenesisFile.TryLoad(options.GenesisPath, out GenesisFile? genesis, out string error)) throw new ValidatorStartException(error);
        KeypairFileError keyFailure = KeypairFile.TryRead(options.IdentityPath, out Keypair? identity, out string keyError);
        if (keyFailure != KeypairFileError.None)
        {
            throw new ValidatorStartException(keyError, environment: keyFailure is KeypairFileError.PermissionsTooOpen or KeypairFileError.AccessDenied or KeypairFileError.IoFailure);
        }
        Faucet? faucet = null;
        if (options.FaucetKeypairPath is string faucetPath)
        {
            KeypairFileError faucetFailure = KeypairFile.TryRead(faucetPath, out Keypair? faucetKey, out string faucetError);
            if (faucetFailure != KeypairFileError.None) throw new ValidatorStartException($"--rpc-faucet-keypair: {faucetError}");
            faucet = new Faucet(faucetKey!, options.FaucetLimits);
        }
        Pubkey identityKey = new(identity!.PublicKey);
        if (!genesis!.Config.Validators.Any(v => v.Identity == identityKey))
        {
            throw new ValidatorStartException($"identity {identityKey} is not a validator in this genesis");
        }

        Directory.CreateDirectory(options.LedgerPath);
        string lockPath = Path.Combine(options.LedgerPath, LockFileName);
        bool lockExisted = File.Exists(lockPath);
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new ValidatorStartException($"{options.LedgerPath} is in use by another validator (validator.lock is held)");
        }
        AccountsDb? accounts = null;
        Blockstore? blockstore = null;
        BankForks? forks = null;
        try
        {
            // A damaged ledger is refused before anything is written (LedgerCheck.cs); a new one starts from genesis.
            bool fresh = LedgerCheck.CheckLayout(options.LedgerPath, genesis);
            blockstore = Blockstore.Open(new BlockstoreOptions { Directory = Path.Combine(options.LedgerPath, "blocks") });
            accounts = AccountsDb.Open(new AccountsDbOptions
            {
                Directory = Path.Combine(options.LedgerPath, "accounts"),
                MemoryBytes = options.AccountsMemoryBytes,
                IndexBytes = 16L << 20,
                CompactAboveBytes = options.AccountsCompactAboveBytes,
            });
            LedgerCheck.CheckConsistency(options.LedgerPath, accounts, blockstore);
            if (fresh) LedgerCheck.WriteGenesisMarker(options.LedgerPath, genesis);
            try
            {
                // Roots flush into FASTER on BankForks' root-flush thread (ordered with the root record, compaction
                // and checkpoints), off the banking and replay thread; shutdown waits for it before it checkpoints.
                forks = BankForks.Open(accounts, ToBankGenesis(genesis, identityKey), new BankForksOptions { CheckpointIntervalSlots = options.CheckpointIntervalSlots, FlushInBackground = true });
            }
            catch (StorageUnreadableException e)
            {
                throw new LedgerDamagedException(Path.Combine(options.LedgerPath, "accounts"), e.Message);
            }
            Validator validator = new(options, log, genesis, identity, lockFile, accounts, blockstore, forks) { Faucet = faucet };
            validator.Recover();
            return validator;
        }
        catch (Exception e) when (e is LedgerDamagedException or ValidatorStartException)
        {
            forks?.Dispose(); // stops the root-flush thread before the store closes
            blockstore?.Dispose();
            accounts?.DisposeRefused();
            lockFile.Dispose();
            if (!lockExisted) File.Delete(lockPath); // leave the ledger exactly as it was
            throw;
        }
    }

    private const string LockFileName = "validator.lock";

    private static Fast.Exec.Banking.GenesisConfig ToBankGenesis(GenesisFile genesis, Pubkey leader) =>
        new(genesis.Hash, [.. genesis.Config.Accounts.Select(a => (a.Address, new Account(a.Lamports, a.Owner, a.Executable, a.Data)))])
        {
            LamportsPerSignature = genesis.Config.LamportsPerSignature,
            Rent = genesis.Config.Rent,
            Leader = leader,
            Staking = Fast.Exec.Banking.StakingConfig.FromGenesis(genesis.Config),
        };

    public async Task StartAsync()
    {
        int ticksPerSlot = (int)Genesis.Config.TicksPerSlot;
        PohConfig poh = new()
        {
            SlotMs = _options.SlotMs ?? (int)Genesis.Config.TargetSlotMs,
            TicksPerSlot = ticksPerSlot,
            HashesPerTick = Genesis.Config.HashesPerTick,
            Core = _options.PohCore,
            LowPower = _options.LowPower,
            EntryQueueCapacity = _options.PohEntryQueue,
        };
        if (poh.Validate() is string invalid) throw new ValidatorStartException($"PoH settings: {invalid}");

        // The chain goes on from the parent's last tick; a node that died inside a slot resumes after it,
        // and its first block carries that slot's ticks too (docs/block-validity.md, PohRule).
        ulong parentEnd = (_startParent + 1) * (ulong)ticksPerSlot;
        _poh = new PohService(poh, _startHash, parentEnd, idle: IsCluster);
        if (!IsCluster && _startSlot > _startParent + 1)
        {
            long slotEnd = TimeProvider.System.GetTimestamp() + (long)poh.SlotMs * TimeProvider.System.TimestampFrequency / 1000;
            _poh.TryStartBlock(_startHash, parentEnd, _startSlot, slotEnd, idleAfter: false);
        }
        ClusterContext? cluster = IsCluster ? StartCluster(poh.SlotMs) : null;
        _ledger = new LedgerWriter(_poh, _blockstore, Chain, ticksPerSlot, _options.Cores?.FirstOrDefault())
        {
            StallMilliseconds = _options.TestStallLedgerWriterMs,
            Broadcaster = cluster?.Broadcaster,
        };
        if (_options.TestStallLedgerWriterMs > 0) _log.WriteLine($"validator: TEST ONLY: the ledger writer stalls {_options.TestStallLedgerWriterMs} ms before every append");
        Bank? working = null;
        if (!IsCluster)
        {
            working = _forks.NewBank(_startSlot, _startParent, Identity);
            Chain.SetParent(_startSlot, _startParent);
        }
        _banking = new BankingStage(_forks, working, _startBlockHeight, _startTransactions, _scheduler, _poh, _packets, _bankingInput, _entryBuffers, Chain, Signatures,
            _blockstore, Identity, new BankingConfig { MaxEntryTransactions = _options.MaxEntryTransactions, RootDistance = _options.RootDistance, LimitLedgerSlots = _options.LimitLedgerSlots, Core = _options.Cores?.FirstOrDefault() }, _log) { Cluster = cluster };
        _sigverify = new SigverifyStage(_packets, _sigverifyInput, _bankingInput, _options.SigverifyThreads, _options.SigverifyCores ?? _options.Cores, new SignatureDedup(), _options.SigverifyBatch);
        _udp = new UdpIngest(new IPEndPoint(_options.BindAddress, _options.TpuPort), _packets, _sigverifyInput, _ingestCounters);
        _tcp = new TcpIngest(new IPEndPoint(_options.BindAddress, _options.TpuTcpPort), _packets, _sigverifyInput, _ingestCounters, _options.MaxTpuConnections,
            TimeSpan.FromMilliseconds(_options.TpuTcpFrameTimeoutMs), _options.MaxTpuConnectionsPerIp);

        _disk = new DiskGuard(_options.LedgerPath, _options.MinFreeDiskBytes);
        _ledger.Start();
        _banking.Start();
        _poh.Start();
        _sigverify.Start();
        _udp.Start();
        _tcp.Start();
        _preverifier?.Start();
        _network?.Start();
        SendRetries = new SendTransactionRetries(LandedHere, IsBlockhashLive, Resubmit) { DefaultMaxRetries = _options.RpcSendMaxRetries };
        SendRetries.Start();

        ValidatorRpcBackend backend = new(this);
        JsonRpcProcessor processor = new(backend, _options.RpcMaxResponseBytes);
        RpcServerLimits limits = new()
        {
            MaxConnectionsPerAddress = _options.RpcMaxConnectionsPerIp,
            KeepAliveTimeout = TimeSpan.FromSeconds(_options.RpcKeepAliveSeconds),
            RequestTimeout = TimeSpan.FromSeconds(_options.RpcRequestTimeoutSeconds),
        };
        _rpc = new RpcServer(new IPEndPoint(_options.RpcBindAddress, _options.RpcPort), processor, m => WriteMetrics(m, processor), () => backend.Unhealthy, limits,
            StartDashboard(backend, processor));
        await _rpc.StartAsync().ConfigureAwait(false);
        StartPubSub(backend, _rpc.LocalEndPoint!);
        _log.WriteLine($"validator {Identity}: slot {_startSlot} (parent {_startParent}), rpc http://{_rpc.LocalEndPoint}, tpu udp {_udp.LocalEndPoint} tcp {_tcp.LocalEndPoint}, " +
                       $"{_options.SigverifyThreads} sigverify thread(s), {_options.BankingThreads} banking worker(s){(_options.LowPower ? ", low-power PoH" : "")}");
    }

    /// <summary>The re-send of RPC-submitted transactions until they land (null before start).</summary>
    internal SendTransactionRetries? SendRetries { get; private set; }

    private bool LandedHere(Signature signature) => Signatures.TryGet(signature, out SignatureLocation location) && !Chain.IsDead(location.Slot);

    /// <summary>Whether a transaction with <paramref name="blockhash"/> can still land on the newest frozen bank's fork.</summary>
    private bool IsBlockhashLive(Hash blockhash)
    {
        SlotRecord? record = Chain.LatestFrozen ?? Chain.Root;
        return record is null ? blockhash == Genesis.Hash : blockhash == record.Blockhash || record.Bank.Blockhashes.Check(blockhash, record.Slot + 1) == TransactionError.None;
    }

    private bool Resubmit(byte[] transaction) =>
        TransactionView.TryParse(transaction, out TransactionView view).IsOk && SubmitVerified(transaction, view.Layout);

    /// <summary>Hands a transaction that RPC already parsed and verified to banking; false when a buffer or the queue is full.</summary>
    internal bool SubmitVerified(ReadOnlySpan<byte> transaction, in Core.Transactions.TransactionLayout layout)
    {
        if (!_packets.TryRent(out int slot)) return false;
        transaction.CopyTo(_packets.Slot(slot));
        if (_bankingInput.TryEnqueue(new VerifiedPacket(new Packet(slot, (ushort)transaction.Length, PacketSource.Local), layout))) return true;
        _packets.Return(slot);
        return false;
    }

    internal Bank? BankAt(Commitment commitment) => commitment switch
    {
        Commitment.Finalized => Chain.Root?.Bank ?? _forks.Root,
        Commitment.Confirmed => Chain.Confirmed?.Bank ?? Chain.Root?.Bank ?? _forks.Root,
        // The working bank is the banking thread's alone; processed reads see the latest frozen bank.
        _ => Chain.LatestFrozen?.Bank ?? Chain.Root?.Bank ?? _forks.Root,
    };

    /// <summary>
    /// Reads accounts at <paramref name="commitment"/> as one snapshot (any thread; see
    /// BankForks.ReadAccounts: a bank released meanwhile reads as the root, disk reads happen outside
    /// the root lock); returns the slot read.
    /// </summary>
    internal ulong ReadAccounts(ReadOnlySpan<Pubkey> keys, Span<Account> accounts, Commitment commitment) =>
        _forks.ReadAccounts(keys, accounts, () => BankAt(commitment));

    /// <summary>Runs a cold read on the bank at <paramref name="commitment"/> under the root lock (BankForks.ReadBank); returns its result and the slot read.</summary>
    internal T ReadBank<T>(Commitment commitment, Func<Fast.Exec.Banking.Bank, T> read, out ulong slot) =>
        _forks.ReadBank(() => BankAt(commitment), read, out slot);

    internal Blockstore Blockstore => _blockstore;
    internal ValidatorOptions Options => _options;

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await StopPubSubAsync().ConfigureAwait(false);
        await StopDashboardAsync().ConfigureAwait(false);
        _log.WriteLine("validator: stopping (ingest, sigverify, banking, PoH, ledger), then checkpointing");
        SendRetries?.Dispose();
        _udp?.Dispose();
        if (_tcp is not null) await _tcp.DisposeAsync().ConfigureAwait(false);
        _network?.Dispose();
        _preverifier?.Dispose();
        _sigverify?.Stop();
        _banking?.Stop();
        _poh?.Stop();
        _ledger?.Stop();
        try
        {
            if (_disk?.Full == true || _ledger?.Failure is StorageException || _banking?.Failure is StorageException)
            {
                _log.WriteLine("validator: storage failed (full or failing device): not checkpointing; the next start replays from the last durable checkpoint");
            }
            else
            {
                _banking?.RootLatestDurable();
                _forks.WaitForRootFlush(); // every root handed to the root-flush thread is in FASTER before the checkpoint
                _blockstore.Commit();
                _accounts.Checkpoint();
                _log.WriteLine($"validator: checkpointed at root {_forks.Root.Slot}");
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or Fast.Storage.StorageException)
        {
            _log.WriteLine($"validator: checkpoint at shutdown failed ({e.Message}); the next start replays from the last checkpoint");
        }
        if (_rpc is not null) await _rpc.DisposeAsync().ConfigureAwait(false);
        _largestAccounts?.Dispose(); // its scan reads the accounts store: stopped before the store closes
        _scheduler.Dispose();
        _forks.Dispose(); // drains and stops the root-flush thread: the store's only writer, so before the store closes
        _blockstore.Dispose();
        _accounts.Dispose();
        _packets.Dispose();
        _lock.Dispose();
    }
}

/// <summary>
/// A validator cannot start: bad genesis, identity, ledger or flags. The message is one line for the
/// operator; <see cref="Environment"/> marks a failure of the environment (a file's permissions, I/O)
/// rather than of the input (exit 3 instead of 2).
/// </summary>
public sealed class ValidatorStartException(string message, bool environment = false) : Exception(message)
{
    public bool Environment { get; } = environment;
}
