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
/// <summary>What getBankHash reports of a frozen bank: every node that replayed the block must report the same bank hash.</summary>
public sealed record FrozenBankInfo(ulong Slot, ulong ParentSlot, Hash BankHash, Hash Blockhash, ulong BlockHeight, int TransactionCount);

public sealed record BlockRecord(ulong Slot, ulong ParentSlot, Hash Blockhash, Hash PreviousBlockhash, ulong BlockHeight, long? BlockTimeUnixSeconds, IReadOnlyList<TransactionRecord> Transactions);

/// <summary>A Merkle inclusion proof of a transaction among its block's transactions.</summary>
public sealed record TransactionProof(ulong Slot, Hash Blockhash, Hash TransactionsRoot, int Index, int LeafCount, Hash Leaf, IReadOnlyList<Hash> Path);

/// <summary>A cluster member as getClusterNodes shows it (addresses as "ip:port" text; null when absent).</summary>
public sealed record ClusterNode(Pubkey Identity, string? Gossip, string? Tpu, string? TpuTcp, string? Rpc, string Version, ushort ShredVersion);

public sealed record VoteAccountInfo(Pubkey VoteAccount, Pubkey Node, ulong ActivatedStake, ulong LastVote, ulong RootSlot)
{
    /// <summary>The vote account's commission, percent (0 without staking).</summary>
    public byte Commission { get; init; }

    /// <summary>Credits this epoch so far (with staking: slots its node led), and the epoch.</summary>
    public (ulong Epoch, ulong Credits)? EpochCredits { get; init; }
}

/// <summary>One getRecentPerformanceSamples entry: what the node processed over one sample period ending at <paramref name="Slot"/>.</summary>
public sealed record PerformanceSample(ulong Slot, ulong NumTransactions, ulong NumSlots, ushort SamplePeriodSecs, ulong NumNonVoteTransactions);

/// <summary>getBlockCommitment's answer: stake per lockout depth (index 31 = rooted), null when the node has no record of the slot.</summary>
public sealed record BlockCommitmentInfo(ulong[]? Commitment, ulong TotalStake);

/// <summary>One getSignaturesForAddress entry: a transaction naming the address, its outcome, block time and commitment.</summary>
public sealed record AddressSignatureInfo(Signature Signature, ulong Slot, TransactionOutcome Outcome, long? BlockTimeUnixSeconds, Commitment Level);

public sealed record EpochInfo(ulong AbsoluteSlot, ulong BlockHeight, ulong Epoch, ulong SlotIndex, ulong SlotsInEpoch, ulong TransactionCount);

/// <summary>Why a submitted transaction was refused before it reached the pipeline.</summary>
public enum SubmitOutcome
{
    Accepted,
    Malformed,
    InvalidSignature,
    QueueFull,
}

/// <summary>What became of a requestAirdrop.</summary>
public enum AirdropOutcome
{
    Sent,

    /// <summary>The node was not given a faucet keypair.</summary>
    NoFaucet,

    /// <summary>Over the faucet's per-request cap or its rate limit (the detail says which).</summary>
    Refused,

    /// <summary>The signed airdrop could not be queued (the node is overloaded).</summary>
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
    /// <summary>Verifies and queues a transaction; the node re-sends it until it lands or expires, at most <paramref name="maxRetries"/> times when given (sendTransaction's maxRetries).</summary>
    SubmitOutcome Submit(ReadOnlySpan<byte> transaction, int? maxRetries, out Signature signature, out string? detail);
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

    /// <summary>This node's identity public key.</summary>
    Pubkey Identity { get; }

    /// <summary>Slots per epoch (every epoch the same length: no warm-up).</summary>
    ulong SlotsPerEpoch { get; }

    /// <summary>Lamports per signature of the bank at <paramref name="commitment"/> (the fee rule: signatures × this).</summary>
    ulong LamportsPerSignature(Commitment commitment);

    /// <summary>
    /// The slots in [<paramref name="startSlot"/>, <paramref name="endSlot"/>] that have a block at
    /// <paramref name="commitment"/> (confirmed or finalized), ascending, at most <paramref name="limit"/>.
    /// </summary>
    IReadOnlyList<ulong> Blocks(ulong startSlot, ulong endSlot, int limit, Commitment commitment);

    /// <summary>The block time of <paramref name="slot"/> (Unix seconds), or null when the node does not know it.</summary>
    long? BlockTime(ulong slot);

    /// <summary>The frozen bank of <paramref name="slot"/> this node holds (replayed or produced, among the recent slots), or null.</summary>
    FrozenBankInfo? FrozenBank(ulong slot) => null;

    /// <summary>True when <paramref name="blockhash"/> is still valid for new transactions in the bank at <paramref name="commitment"/>.</summary>
    bool IsBlockhashValid(in Hash blockhash, Commitment commitment, out ulong contextSlot);

    /// <summary>The newest <paramref name="limit"/> performance samples, newest first.</summary>
    IReadOnlyList<PerformanceSample> PerformanceSamples(int limit);

    /// <summary>The slots of the newest frozen blocks (at most <paramref name="limit"/>), ascending.</summary>
    IReadOnlyList<ulong> RecentBlockSlots(int limit);

    /// <summary>
    /// Runs a cold read on the bank at <paramref name="commitment"/> (staking state, accounts by owner);
    /// null when the node cannot (a test fake, or no bank). The read runs under the node's root lock.
    /// </summary>
    T? ReadBank<T>(Commitment commitment, Func<Fast.Exec.Banking.Bank, T> read, out ulong contextSlot) where T : class?
    {
        contextSlot = 0;
        return null;
    }

    /// <summary>The total supply (all lamports in existence) at <paramref name="commitment"/>.</summary>
    ulong TotalSupply(Commitment commitment, out ulong contextSlot);

    BlockCommitmentInfo BlockCommitment(ulong slot);

    /// <summary>
    /// The transactions naming <paramref name="address"/> in blocks at <paramref name="commitment"/>,
    /// newest first, after <paramref name="before"/> (when known), stopping at <paramref name="until"/>,
    /// at most <paramref name="limit"/>.
    /// </summary>
    IReadOnlyList<AddressSignatureInfo> SignaturesForAddress(in Pubkey address, Signature? before, Signature? until, int limit, Commitment commitment);

    /// <summary>Signs a transfer of <paramref name="lamports"/> from the faucet to <paramref name="to"/> and submits it (within the faucet's limits).</summary>
    AirdropOutcome RequestAirdrop(in Pubkey to, ulong lamports, out Signature signature, out string? detail);

    /// <summary>The highest slot the Blockstore holds data of.</summary>
    ulong MaxShredInsertSlot { get; }

    /// <summary>getLargestAccounts' background-scanned ranking; null when this node keeps none (the method then answers "method not found").</summary>
    LargestAccountsCache? LargestAccounts => null;

    /// <summary>The rent-exempt minimum balance of an account holding <paramref name="dataLength"/> bytes (≤ 10 MiB), from genesis.</summary>
    ulong MinimumBalanceForRentExemption(ulong dataLength);
}
