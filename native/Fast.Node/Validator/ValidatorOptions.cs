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
    public int TpuPort { get; init; } = 8003;
    public int TpuTcpPort { get; init; } = 8004;

    /// <summary>Cores the node's threads are pinned to (null: not pinned).</summary>
    public int[]? Cores { get; init; }
    public int? PohCore { get; init; }
    public int SigverifyThreads { get; init; } = Math.Max(1, Environment.ProcessorCount - 1);
    public int BankingThreads { get; init; } = 1;
    public bool LowPower { get; init; }
    /// <summary>Overrides genesis' target slot time for pacing (ticks per slot always come from genesis).</summary>
    public int? SlotMs { get; init; }

    public int PacketBuffers { get; init; } = 65_536;
    public int SigverifyQueue { get; init; } = 65_536;
    public int BankingQueue { get; init; } = 65_536;
    public int MaxTpuConnections { get; init; } = 256;
    public int MaxEntryTransactions { get; init; } = 512;
    public ulong RootDistance { get; init; } = 31;
    public ulong CheckpointIntervalSlots { get; init; } = 32;

    /// <summary>Rooted slots of ledger to keep; 0 keeps everything (see <see cref="LedgerRetention"/>).</summary>
    public ulong LimitLedgerSlots { get; init; }
    public int SignatureIndexLog2 { get; init; } = 19;
    public long AccountsMemoryBytes { get; init; } = 256L << 20;

    /// <summary>Compact the accounts log once it spans more than this (and twice its last compacted size); 0 never.</summary>
    public long AccountsCompactAboveBytes { get; init; } = 1L << 30;

    /// <summary>Stop (exit 3) when the ledger's filesystem has less free space than this: room for the blocks in flight and a last checkpoint.</summary>
    public long MinFreeDiskBytes { get; init; } = 64L << 20;
}
