using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Fast.Node.Rpc;

/// <summary>
/// The JSON-RPC methods, named and shaped after Solana's API so its tooling feels familiar. Each
/// handler checks its params first (returning an <see cref="RpcError"/>), then writes its result.
/// The methods live in partial files by concern: chain state, accounts, transactions, blocks, ledger,
/// fees, economics.
/// </summary>
public sealed partial class RpcMethods
{
    /// <summary>Checks params and writes the result value; returns an error instead when the call cannot be served.</summary>
    public delegate RpcError? Handler(RpcParams parameters, Utf8JsonWriter result);

    private readonly IRpcBackend _backend;
    private readonly Dictionary<string, Handler> _handlers;
    private readonly int _maxResponseBytes;

    public RpcMethods(IRpcBackend backend, int maxResponseBytes = JsonRpcProcessor.DefaultMaxResponseBytes)
    {
        _backend = backend;
        _maxResponseBytes = maxResponseBytes;
        _handlers = new Dictionary<string, Handler>(StringComparer.Ordinal)
        {
            ["getHealth"] = GetHealth,
            ["getVersion"] = GetVersion,
            ["getGenesisHash"] = GetGenesisHash,
            ["getSlot"] = GetSlot,
            ["getBlockHeight"] = GetBlockHeight,
            ["getTransactionCount"] = GetTransactionCount,
            ["getEpochInfo"] = GetEpochInfo,
            ["getLatestBlockhash"] = GetLatestBlockhash,
            ["getSlotLeader"] = GetSlotLeader,
            ["getLeaderSchedule"] = GetLeaderSchedule,
            ["getClusterNodes"] = GetClusterNodes,
            ["getVoteAccounts"] = GetVoteAccounts,
            ["minimumLedgerSlot"] = MinimumLedgerSlot,
            ["getBalance"] = GetBalance,
            ["getMinimumBalanceForRentExemption"] = GetMinimumBalanceForRentExemption,
            ["getAccountInfo"] = GetAccountInfo,
            ["getMultipleAccounts"] = GetMultipleAccounts,
            ["sendTransaction"] = SendTransaction,
            ["requestAirdrop"] = RequestAirdrop,
            ["getSignatureStatuses"] = GetSignatureStatuses,
            ["getTransaction"] = GetTransaction,
            ["getSignaturesForAddress"] = GetSignaturesForAddress,
            ["getTransactionProof"] = GetTransactionProof,
            ["getBlock"] = GetBlock,
            ["getBlocks"] = GetBlocks,
            ["getBlocksWithLimit"] = GetBlocksWithLimit,
            ["getBlockTime"] = GetBlockTime,
            ["getBankHash"] = GetBankHash,
            ["getFirstAvailableBlock"] = GetFirstAvailableBlock,
            ["getBlockCommitment"] = GetBlockCommitment,
            ["getHighestSnapshotSlot"] = GetHighestSnapshotSlot,
            ["getMaxRetransmitSlot"] = GetMaxRetransmitSlot,
            ["getMaxShredInsertSlot"] = GetMaxShredInsertSlot,
            ["getIdentity"] = GetIdentity,
            ["getEpochSchedule"] = GetEpochSchedule,
            ["getRecentPerformanceSamples"] = GetRecentPerformanceSamples,
            ["isBlockhashValid"] = IsBlockhashValid,
            ["getFeeForMessage"] = GetFeeForMessage,
            ["getRecentPrioritizationFees"] = GetRecentPrioritizationFees,
            ["getSupply"] = GetSupply,
            ["getInflationGovernor"] = GetInflationGovernor,
            ["getStakeMinimumDelegation"] = GetStakeMinimumDelegation,
            ["getLargestAccounts"] = GetLargestAccounts,
            ["getStakeActivation"] = GetStakeActivation,
            ["getInflationReward"] = GetInflationReward,
            ["getInflationRate"] = GetInflationRate,
            ["getProgramAccounts"] = GetProgramAccounts,
            ["getTokenAccountsByOwner"] = GetTokenAccountsByOwner,
            ["getTokenAccountBalance"] = GetTokenAccountBalance,
            ["getTokenSupply"] = GetTokenSupply,
        };
    }

    public IEnumerable<string> Names => _handlers.Keys;

    public bool TryGet(string name, [NotNullWhen(true)] out Handler? handler) => _handlers.TryGetValue(name, out handler);

    /// <summary>Solana's default commitment for reads is finalized.</summary>
    private const Commitment DefaultCommitment = Commitment.Finalized;

    /// <summary>Reads the optional config at <paramref name="index"/> and its commitment.</summary>
    private static RpcError? ConfigAndCommitment(RpcParams parameters, int index, out JsonElement config, out Commitment commitment)
    {
        commitment = DefaultCommitment;
        return parameters.Config(index, out config) ?? RpcParams.Commitment(config, DefaultCommitment, out commitment);
    }

    /// <summary>The first error of several checks, all of which run (so every out value is assigned).</summary>
    private static RpcError? First(RpcError? a, RpcError? b, RpcError? c = null, RpcError? d = null, RpcError? e = null) => a ?? b ?? c ?? d ?? e;

    private static void WriteContext(Utf8JsonWriter w, ulong slot)
    {
        w.WriteStartObject("context");
        w.WriteNumber("slot", slot);
        w.WriteEndObject();
    }
}
