using Fast.Core.Codec;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Node.Rpc;

namespace Fast.Node.Tests.Infrastructure;

/// <summary>An in-memory <see cref="IRpcBackend"/> with settable answers, for testing the RPC layer alone.</summary>
internal sealed class FakeRpcBackend : IRpcBackend
{
    public string? Unhealthy { get; set; }
    public string Version => "0.1.0-test";
    public Hash GenesisHash { get; } = Hash.Compute("genesis"u8);
    public ulong ProcessedSlot { get; set; } = 100;
    public Fast.Core.Genesis.Rent Rent { get; set; } = Fast.Core.Genesis.Rent.Default;
    public ulong MinimumBalanceForRentExemption(ulong dataLength) => Rent.MinimumBalance(dataLength);
    public Dictionary<Pubkey, AccountSnapshot> AccountStore { get; } = [];
    public Dictionary<Signature, SignatureStatus> Statuses { get; } = [];
    public List<byte[]> Submitted { get; } = [];
    public SubmitOutcome NextOutcome { get; set; } = SubmitOutcome.Accepted;
    public bool ThrowOnSlot { get; set; }

    public ulong Slot(Commitment commitment)
    {
        if (ThrowOnSlot) throw new InvalidOperationException("backend bug");
        return commitment switch { Commitment.Processed => ProcessedSlot, Commitment.Confirmed => ProcessedSlot - 1, _ => ProcessedSlot - 32 };
    }

    public ulong BlockHeight(Commitment commitment) => Slot(commitment);
    public ulong TransactionCount(Commitment commitment) => 1234;
    public EpochInfo EpochInfo(Commitment commitment) => new(Slot(commitment), Slot(commitment), 0, Slot(commitment), 8192, 1234);

    public AccountSnapshot? Account(in Pubkey address, Commitment commitment, out ulong contextSlot)
    {
        contextSlot = Slot(commitment);
        return AccountStore.GetValueOrDefault(address);
    }

    public IReadOnlyList<AccountSnapshot?> Accounts(IReadOnlyList<Pubkey> addresses, Commitment commitment, out ulong contextSlot)
    {
        contextSlot = Slot(commitment);
        return [.. addresses.Select(a => AccountStore.GetValueOrDefault(a))];
    }

    public (Hash Blockhash, ulong LastValidBlockHeight) LatestBlockhash(Commitment commitment, out ulong contextSlot)
    {
        contextSlot = Slot(commitment);
        return (Hash.Compute("latest"u8), contextSlot + 150);
    }

    public SubmitOutcome Submit(ReadOnlySpan<byte> transaction, int? maxRetries, out Signature signature, out string? detail)
    {
        signature = default;
        detail = null;
        DecodeResult result = TransactionView.TryParse(transaction, out TransactionView view);
        if (!result.IsOk)
        {
            detail = result.ToString();
            return SubmitOutcome.Malformed;
        }
        signature = view.FirstSignature;
        if (NextOutcome == SubmitOutcome.Accepted) Submitted.Add(transaction.ToArray());
        return NextOutcome;
    }

    public SignatureStatus? Status(in Signature signature, bool searchHistory) => Statuses.GetValueOrDefault(signature);
    public Dictionary<Signature, TransactionRecord> TransactionStore { get; } = [];
    public Dictionary<ulong, BlockRecord> BlockStore { get; } = [];
    public ulong LowestSlot { get; set; }

    public TransactionRecord? Transaction(in Signature signature, Commitment commitment) =>
        TransactionStore.TryGetValue(signature, out TransactionRecord? record) && record.Slot <= Slot(commitment) ? record : null;

    public BlockRecord? Block(ulong slot, Commitment commitment) =>
        BlockStore.TryGetValue(slot, out BlockRecord? block) && slot <= Slot(commitment) ? block : null;
    public TransactionProof? Proof(in Signature signature, Commitment commitment) => null;
    public Pubkey SlotLeader(ulong slot) => Pubkey.Zero;

    public IReadOnlyDictionary<Pubkey, List<ulong>>? LeaderSchedule(ulong slot) => new Dictionary<Pubkey, List<ulong>> { [Pubkey.Zero] = [0, 1, 2, 3] };

    public IReadOnlyList<ClusterNode> ClusterNodes() => [new ClusterNode(Pubkey.Zero, "127.0.0.1:8001", "127.0.0.1:8003", "127.0.0.1:8004", "127.0.0.1:8899", Version, 7)];

    public List<VoteAccountInfo> Votes { get; } = [];
    public (IReadOnlyList<VoteAccountInfo> Current, IReadOnlyList<VoteAccountInfo> Delinquent) VoteAccounts() => (Votes, []);
    public Dictionary<ulong, FrozenBankInfo> FrozenBanks { get; } = [];
    public FrozenBankInfo? FrozenBank(ulong slot) => FrozenBanks.GetValueOrDefault(slot);

    public ulong LowestAvailableSlot => LowestSlot;

    public Pubkey Identity { get; set; } = new(Enumerable.Repeat((byte)5, 32).ToArray());
    public ulong SlotsPerEpoch { get; set; } = 8192;
    public ulong LamportsPerSignature(Commitment commitment) => 5000;

    public IReadOnlyList<ulong> Blocks(ulong startSlot, ulong endSlot, int limit, Commitment commitment) =>
        [.. BlockStore.Keys.Where(s => s >= startSlot && s <= endSlot && s >= LowestSlot && s <= Slot(commitment)).Order().Take(limit)];

    public long GenesisTime { get; set; } = 1_600_000_000;
    public long? BlockTime(ulong slot) => slot == 0 ? GenesisTime : BlockStore.GetValueOrDefault(slot)?.BlockTimeUnixSeconds;

    public HashSet<Hash> ValidBlockhashes { get; } = [];

    public bool IsBlockhashValid(in Hash blockhash, Commitment commitment, out ulong contextSlot)
    {
        contextSlot = Slot(commitment);
        return ValidBlockhashes.Contains(blockhash);
    }

    public List<PerformanceSample> Samples { get; } = [];
    public IReadOnlyList<PerformanceSample> PerformanceSamples(int limit) => [.. Samples.Take(limit)];

    public List<ulong> RecentSlots { get; } = [];
    public IReadOnlyList<ulong> RecentBlockSlots(int limit) => [.. RecentSlots.TakeLast(limit)];

    public ulong Supply { get; set; } = 500_000_000_000_000_000;

    /// <summary>A real bank for the cold bank reads (staking, accounts by owner); null: the fake cannot serve them.</summary>
    public Fast.Exec.Banking.Bank? Bank { get; set; }

    public T? ReadBank<T>(Commitment commitment, Func<Fast.Exec.Banking.Bank, T> read, out ulong contextSlot) where T : class?
    {
        contextSlot = Bank?.Slot ?? 0;
        return Bank is null ? null : read(Bank);
    }

    public ulong TotalSupply(Commitment commitment, out ulong contextSlot)
    {
        contextSlot = Slot(commitment);
        return Supply;
    }

    public Dictionary<ulong, ulong[]> Commitments { get; } = [];
    public BlockCommitmentInfo BlockCommitment(ulong slot) => new(Commitments.GetValueOrDefault(slot), 42_000);

    public ulong MaxShredInsertSlot { get; set; } = 101;

    /// <summary>Every transaction naming an address, oldest first (the fake pages over it as the Blockstore index does).</summary>
    public Dictionary<Pubkey, List<AddressSignatureInfo>> AddressHistory { get; } = [];

    public IReadOnlyList<AddressSignatureInfo> SignaturesForAddress(in Pubkey address, Signature? before, Signature? until, int limit, Commitment commitment)
    {
        ulong highest = Slot(commitment);
        List<AddressSignatureInfo> newestFirst = [.. (AddressHistory.GetValueOrDefault(address) ?? []).Where(i => i.Slot <= highest).Reverse()];
        int start = before is Signature b ? newestFirst.FindIndex(i => i.Signature == b) + 1 : 0;
        List<AddressSignatureInfo> page = [];
        for (int i = start; i < newestFirst.Count && page.Count < limit; i++)
        {
            if (until is Signature u && newestFirst[i].Signature == u) break;
            page.Add(newestFirst[i]);
        }
        return page;
    }

    /// <summary>getLargestAccounts' ranking (null: the node keeps none).</summary>
    public LargestAccountsCache? LargestAccounts { get; set; }

    /// <summary>The faucet behind requestAirdrop (null: none), with the fake's clock.</summary>
    public Fast.Node.Validator.Faucet? Faucet { get; set; }
    public long NowMs { get; set; }
    public List<(Pubkey To, ulong Lamports)> Airdrops { get; } = [];

    public AirdropOutcome RequestAirdrop(in Pubkey to, ulong lamports, out Signature signature, out string? detail)
    {
        signature = default;
        detail = null;
        if (Faucet is null) return AirdropOutcome.NoFaucet;
        detail = Faucet.TryTake(lamports, NowMs);
        if (detail is not null) return AirdropOutcome.Refused;
        Airdrops.Add((to, lamports));
        signature = new Signature(Enumerable.Repeat((byte)Airdrops.Count, 64).ToArray());
        return AirdropOutcome.Sent;
    }
}
