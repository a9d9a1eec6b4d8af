using System.Net;

namespace Fast.Node.Validator;

/// <summary>Everything `fast validator` can be told (each a flag with a default; see ValidatorCommand).</summary>
public sealed record ValidatorOptions
{
    public required string IdentityPath { get; init; }
    public string? VoteAccountPath { get; init; }
    public required string GenesisPath { get; init; }
    public required string LedgerPath { get; init; }

    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;
    public IPAddress RpcBindAddress { get; init; } = IPAddress.Loopback;
    /// <summary>The address other nodes and clients are told (getClusterNodes).</summary>
    public IPAddress AdvertisedAddress { get; init; } = IPAddress.Loopback;
    public int RpcPort { get; init; } = 8899;
    public int GossipPort { get; init; } = 8001;
    public int TvuPort { get; init; } = 8005;
    public int RepairPort { get; init; } = 8006;

    /// <summary>A cluster node's gossip entrypoint (<c>--entrypoint</c>); null for the first node.</summary>
    public IPEndPoint? Entrypoint { get; init; }
    public int TurbineFanout { get; init; } = 200;
    public int ParentGraceMs { get; init; } = 200;

    /// <summary>A cluster node verifies other leaders' block signatures while their shreds arrive (<c>--no-replay-preverify</c> turns it off: replay then verifies them all at the slot's end).</summary>
    public bool ReplayPreverify { get; init; } = true;
    public int TpuPort { get; init; } = 8003;
    public int TpuTcpPort { get; init; } = 8004;

    /// <summary>Cores the node's threads are pinned to (null: not pinned).</summary>
    public int[]? Cores { get; init; }
    public int? PohCore { get; init; }

    /// <summary>
    /// Cores given to the sigverify threads alone (null: none): sigverify thread i is pinned to
    /// SigverifyCores[i mod n], and the command keeps every other thread of the process off them
    /// (<see cref="ValidatorCommand.DedicateSigverifyCores"/>), as a validator with its own cores for
    /// signature checks runs on bare metal. Exported as fast_dedicated_core so a load generator on
    /// the same machine can stay off them too.
    /// </summary>
    public int[]? SigverifyCores { get; init; }
    public int SigverifyThreads { get; init; } = Math.Max(1, Environment.ProcessorCount - 1);
    /// <summary>Signatures per BIP-340 batch in the sigverify stage (1: verify one at a time).</summary>
    public int SigverifyBatch { get; init; } = Pipeline.SigverifyStage.DefaultBatchSignatures;
    public int BankingThreads { get; init; } = 1;
    public bool LowPower { get; init; }
    /// <summary>Overrides genesis' target slot time for pacing (ticks per slot always come from genesis).</summary>
    public int? SlotMs { get; init; }

    public int PacketBuffers { get; init; } = 65_536;
    public int SigverifyQueue { get; init; } = 65_536;
    public int BankingQueue { get; init; } = 65_536;
    public int MaxTpuConnections { get; init; } = 256;
    public int MaxTpuConnectionsPerIp { get; init; } = Net.Ingest.TcpIngest.DefaultMaxConnectionsPerAddress;
    /// <summary>A TPU TCP connection that completes no frame for this long is closed (idle, or trickling bytes).</summary>
    public int TpuTcpFrameTimeoutMs { get; init; } = (int)Net.Ingest.TcpIngest.DefaultFrameTimeout.TotalMilliseconds;
    /// <summary>The most bytes one RPC response may carry; a call past it is answered with an error naming the cap.</summary>
    public int RpcMaxResponseBytes { get; init; } = Rpc.JsonRpcProcessor.DefaultMaxResponseBytes;

    /// <summary>Re-sends of an RPC-submitted transaction when the request sets no maxRetries; null: until its blockhash expires (Agave's default).</summary>
    public int? RpcSendMaxRetries { get; init; }
    public int RpcMaxConnectionsPerIp { get; init; } = new Rpc.RpcServerLimits().MaxConnectionsPerAddress;
    public int RpcKeepAliveSeconds { get; init; } = (int)new Rpc.RpcServerLimits().KeepAliveTimeout.TotalSeconds;
    public int RpcRequestTimeoutSeconds { get; init; } = (int)new Rpc.RpcServerLimits().RequestTimeout.TotalSeconds;
    /// <summary>WebSocket PubSub port: null = the RPC port + 1 (Solana's convention), 0 = off.</summary>
    public int? RpcPubSubPort { get; init; }
    public Rpc.PubSub.PubSubLimits PubSubLimits { get; init; } = new();
    /// <summary>Seconds per getRecentPerformanceSamples sample (Solana: 60).</summary>
    public int RpcPerformanceSampleSeconds { get; init; } = PerformanceSamples.DefaultPeriodSeconds;
    /// <summary>The least seconds between two getLargestAccounts scans of the rooted accounts (each runs on a background thread).</summary>
    public int RpcLargestAccountsRefreshSeconds { get; init; } = 60;
    /// <summary>The keypair requestAirdrop pays from (null: no airdrops).</summary>
    public string? FaucetKeypairPath { get; init; }
    public FaucetLimits FaucetLimits { get; init; } = new();
    public int MaxEntryTransactions { get; init; } = 512;
    /// <summary>Entries and ticks PoH may have queued for the ledger writer (see PohConfig.EntryQueueCapacity).</summary>
    public int PohEntryQueue { get; init; } = 16_384;

    /// <summary>Tests only (hidden <c>--test-stall-ledger-writer-ms</c>): the ledger writer sleeps this long before every append.</summary>
    public int TestStallLedgerWriterMs { get; init; }
    public ulong RootDistance { get; init; } = 31;
    public ulong CheckpointIntervalSlots { get; init; } = 32;

    /// <summary>Rooted slots of ledger to keep; 0 keeps everything (see <see cref="LedgerRetention"/>).</summary>
    public ulong LimitLedgerSlots { get; init; }
    /// <summary>log2 of the entries per <see cref="SignatureIndex"/> segment (its unit of growth and release).</summary>
    public int SignatureIndexLog2 { get; init; } = 16;
    public long AccountsMemoryBytes { get; init; } = 256L << 20;

    /// <summary>Compact the accounts log once it spans more than this (and twice its last compacted size); 0 never.</summary>
    public long AccountsCompactAboveBytes { get; init; } = 1L << 30;

    /// <summary>Stop (exit 3) when the ledger's filesystem has less free space than this: room for the blocks in flight and a last checkpoint.</summary>
    public long MinFreeDiskBytes { get; init; } = 64L << 20;
}
