using Fast.Core.Primitives;
using Fast.Exec;

namespace Fast.Node.Rpc;

/// <summary>An account as RPC shows it.</summary>
public sealed record AccountSnapshot(ulong Lamports, Pubkey Owner, bool Executable, byte[] Data);

/// <summary>
/// A transaction's outcome as the runtime recorded it: the error (<see cref="TransactionError.None"/> =
/// success) and the instruction it names (for InsufficientFundsForRent: the account index).
/// <see cref="TransactionErrorJson"/> writes it in Solana's shape.
/// </summary>
public readonly record struct TransactionOutcome(TransactionError Error, byte InstructionIndex)
{
    public static TransactionOutcome Ok => default;

    public bool IsOk => Error == TransactionError.None;
}

/// <summary>Where a signature stands: its slot, its outcome, and how settled it is.</summary>
public sealed record SignatureStatus(ulong Slot, TransactionOutcome Outcome, Commitment Level, ulong? Confirmations);

/// <summary>A processed transaction as getTransaction/getBlock return it.</summary>
public sealed record TransactionRecord(ulong Slot, byte[] Bytes, TransactionOutcome Outcome, ulong Fee, ulong[] PreBalances, ulong[] PostBalances, long? BlockTimeUnixSeconds);

/// <summary>A block (a slot's entries) as getBlock returns it.</summary>
public sealed record BlockRecord(ulong Slot, ulong ParentSlot, Hash Blockhash, Hash PreviousBlockhash, ulong BlockHeight, long? BlockTimeUnixSeconds, IReadOnlyList<TransactionRecord> Transactions);

/// <summary>A Merkle inclusion proof of a transaction among its block's transactions.</summary>
public sealed record TransactionProof(ulong Slot, Hash Blockhash, Hash TransactionsRoot, int Index, int LeafCount, Hash Leaf, IReadOnlyList<Hash> Path);

/// <summary>A cluster member as getClusterNodes shows it (addresses as "ip:port" text; null when absent).</summary>
public sealed record ClusterNode(Pubkey Identity, string? Gossip, string? Tpu, string? TpuTcp, string? Rpc, string Version, ushort ShredVersion);

public sealed record VoteAccountInfo(Pubkey VoteAccount, Pubkey Node, ulong ActivatedStake, ulong LastVote, ulong RootSlot);

public sealed record EpochInfo(ulong AbsoluteSlot, ulong BlockHeight, ulong Epoch, ulong SlotIndex, ulong SlotsInEpoch, ulong TransactionCount);

/// <summary>Why a submitted transaction was refused before it reached the pipeline.</summary>
public enum SubmitOutcome
{
    Accepted,
    Malformed,
    InvalidSignature,
    QueueFull,
}

/// <summary>
/// What the JSON-RPC methods ask of a validator. The node implements it over its banks,
/// Blockstore and pipeline; tests implement it with fakes. Implementations are called from
/// Kestrel's request threads concurrently and must be thread-safe.
/// </summary>
public interface IRpcBackend
{
    /// <summary>Null when healthy, otherwise why not (e.g. "behind by 40 slots").</summary>
    string? Unhealthy { get; }

    string Version { get; }
    Hash GenesisHash { get; }
    ulong Slot(Commitment commitment);
    ulong BlockHeight(Commitment commitment);
    ulong TransactionCount(Commitment commitment);
    EpochInfo EpochInfo(Commitment commitment);
    AccountSnapshot? Account(in Pubkey address, Commitment commitment, out ulong contextSlot);

    /// <summary>Several accounts read as one consistent snapshot (no root flush in between).</summary>
    IReadOnlyList<AccountSnapshot?> Accounts(IReadOnlyList<Pubkey> addresses, Commitment commitment, out ulong contextSlot);
    (Hash Blockhash, ulong LastValidBlockHeight) LatestBlockhash(Commitment commitment, out ulong contextSlot);
    SubmitOutcome Submit(ReadOnlySpan<byte> transaction, out Signature signature, out string? detail);
    SignatureStatus? Status(in Signature signature, bool searchHistory);
    TransactionRecord? Transaction(in Signature signature, Commitment commitment);
    BlockRecord? Block(ulong slot, Commitment commitment);
    TransactionProof? Proof(in Signature signature, Commitment commitment);
    Pubkey SlotLeader(ulong slot);
    /// <summary>The leader schedule of the epoch holding <paramref name="slot"/> as identity → slot indexes within that epoch; null when unknown.</summary>
    IReadOnlyDictionary<Pubkey, List<ulong>>? LeaderSchedule(ulong slot);
    IReadOnlyList<ClusterNode> ClusterNodes();
    (IReadOnlyList<VoteAccountInfo> Current, IReadOnlyList<VoteAccountInfo> Delinquent) VoteAccounts();
    ulong LowestAvailableSlot { get; }

    /// <summary>The rent-exempt minimum balance of an account holding <paramref name="dataLength"/> bytes (≤ 10 MiB), from genesis.</summary>
    ulong MinimumBalanceForRentExemption(ulong dataLength);
}
