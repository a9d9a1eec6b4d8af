using System.Net;
using Fast.Core.Codec;
using Fast.Core.Ledger;
using Fast.Core.Merkle;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Exec;
using Fast.Node.Rpc;
using Fast.Storage.Accounts;
using Fast.Storage.Blocks;

namespace Fast.Node.Validator;

/// <summary>
/// The JSON-RPC methods' view of a running <see cref="Validator"/>: commitment levels from
/// <see cref="ChainState"/>, accounts from frozen banks, statuses from the <see cref="SignatureIndex"/>,
/// blocks from the Blockstore. Called concurrently from Kestrel's threads; reads only.
/// </summary>
public sealed partial class ValidatorRpcBackend(Validator validator) : IRpcBackend
{
    /// <summary>Slots the working bank may lag the wall clock before the node calls itself unhealthy.</summary>
    private const double StallSeconds = 10;

    private ulong _lastSeenSlot;
    private long _lastSeenAt = Environment.TickCount64;

    public string? Unhealthy
    {
        get
        {
            if (validator.Fault is string fault) return fault;
            ulong slot = validator.Chain.ProcessedSlot;
            long now = Environment.TickCount64;
            if (slot != Volatile.Read(ref _lastSeenSlot))
            {
                Volatile.Write(ref _lastSeenSlot, slot);
                Volatile.Write(ref _lastSeenAt, now);
                return null;
            }
            double stalled = (now - Volatile.Read(ref _lastSeenAt)) / 1000.0;
            return stalled > StallSeconds ? $"no new slot for {stalled:0} s" : null;
        }
    }

    public string Version => Cli.VersionAction.Version;

    public Hash GenesisHash => validator.Genesis.Hash;

    private SlotRecord? Record(Commitment commitment) => commitment switch
    {
        Commitment.Finalized => validator.Chain.Root,
        Commitment.Confirmed => validator.Chain.Confirmed,
        _ => validator.Chain.LatestFrozen,
    };

    public ulong Slot(Commitment commitment) =>
        commitment == Commitment.Processed ? validator.Chain.ProcessedSlot : Record(commitment)?.Slot ?? 0;

    public ulong BlockHeight(Commitment commitment)
    {
        SlotRecord? record = Record(commitment);
        ulong height = record?.BlockHeight ?? 0;
        return commitment == Commitment.Processed ? height + 1 : height;
    }

    public ulong TransactionCount(Commitment commitment) =>
        commitment == Commitment.Processed ? validator.Chain.ProcessedTransactions : Record(commitment)?.CumulativeTransactions ?? 0;

    public EpochInfo EpochInfo(Commitment commitment)
    {
        ulong slot = Slot(commitment);
        ulong slotsPerEpoch = validator.Genesis.Config.SlotsPerEpoch;
        return new EpochInfo(slot, BlockHeight(commitment), slot / slotsPerEpoch, slot % slotsPerEpoch, slotsPerEpoch, TransactionCount(commitment));
    }

    public AccountSnapshot? Account(in Pubkey address, Commitment commitment, out ulong contextSlot) =>
        Accounts([address], commitment, out contextSlot)[0];

    /// <summary>
    /// One snapshot of one bank (BankForks.ReadAccounts): a root flush writes the rooted store account
    /// by account, so a read never overlaps one, and a disk read never holds the root up.
    /// </summary>
    public IReadOnlyList<AccountSnapshot?> Accounts(IReadOnlyList<Pubkey> addresses, Commitment commitment, out ulong contextSlot)
    {
        Pubkey[] keys = [.. addresses];
        var accounts = new Account[keys.Length];
        contextSlot = validator.ReadAccounts(keys, accounts, commitment);
        var snapshots = new AccountSnapshot?[keys.Length];
        for (int i = 0; i < snapshots.Length; i++)
        {
            Account account = accounts[i];
            snapshots[i] = account.Exists ? new AccountSnapshot(account.Lamports, account.Owner, account.Executable, account.DataMemory.ToArray()) : null;
        }
        return snapshots;
    }

    public (Hash Blockhash, ulong LastValidBlockHeight) LatestBlockhash(Commitment commitment, out ulong contextSlot)
    {
        SlotRecord? record = Record(commitment) ?? validator.Chain.Root;
        contextSlot = record?.Slot ?? 0;
        return (record?.Blockhash ?? validator.Genesis.Hash, (record?.BlockHeight ?? 0) + TransactionLimits.BlockhashMaxAgeSlots);
    }

    public SubmitOutcome Submit(ReadOnlySpan<byte> transaction, int? maxRetries, out Signature signature, out string? detail)
    {
        signature = default;
        detail = null;
        DecodeResult decoded = TransactionView.TryParse(transaction, out TransactionView view);
        if (!decoded.IsOk)
        {
            detail = decoded.ToString();
            return SubmitOutcome.Malformed;
        }
        signature = view.FirstSignature;
        if (!TransactionSignatures.VerifyAll(view)) return SubmitOutcome.InvalidSignature;
        if (!validator.SubmitVerified(transaction, view.Layout))
        {
            detail = "the node's transaction queue is full";
            return SubmitOutcome.QueueFull;
        }
        validator.SendRetries?.Track(signature, transaction, view.RecentBlockhash, maxRetries);
        return SubmitOutcome.Accepted;
    }

    public SignatureStatus? Status(in Signature signature, bool searchHistory)
    {
        if (!validator.Signatures.TryGet(signature, out SignatureLocation location) || validator.Chain.IsDead(location.Slot)) return null; // a dead slot's transactions are void
        ChainState chain = validator.Chain;
        Commitment level = location.Slot <= (chain.Root?.Slot ?? 0) ? Commitment.Finalized
            : location.Slot <= (chain.Confirmed?.Slot ?? 0) ? Commitment.Confirmed
            : Commitment.Processed;
        ulong? confirmations = level == Commitment.Finalized ? null : chain.ProcessedSlot - location.Slot;
        return new SignatureStatus(location.Slot, new TransactionOutcome(location.Error, location.InstructionIndex), level, confirmations);
    }

    private bool Visible(ulong slot, Commitment commitment) =>
        !validator.Chain.IsDead(slot) && (commitment == Commitment.Finalized ? slot <= (validator.Chain.Root?.Slot ?? 0) : slot <= (validator.Chain.Confirmed?.Slot ?? 0));

    public TransactionRecord? Transaction(in Signature signature, Commitment commitment)
    {
        if (!validator.Signatures.TryGet(signature, out SignatureLocation location) || !Visible(location.Slot, commitment)) return null;
        byte[]? entries = validator.Blockstore.ReadSlotEntries(location.Slot);
        if (entries is null) return null;
        List<byte[]> transactions = Transactions(entries);
        if (location.Index >= transactions.Count) return null;
        long? time = BlockTime(location.Slot);
        (ulong[] pre, ulong[] post) = StoredBalances(location.Slot, location.Index);
        return new TransactionRecord(location.Slot, transactions[location.Index], new TransactionOutcome(location.Error, location.InstructionIndex), location.Fee, pre, post, time);
    }

    /// <summary>
    /// A transaction's account balances before and after, from the statuses stored beside its slot
    /// (empty when the slot has none: a ledger from before statuses were stored).
    /// </summary>
    private (ulong[] Pre, ulong[] Post) StoredBalances(ulong slot, int index)
    {
        byte[]? statuses = validator.Blockstore.ReadSlotStatuses(slot);
        if (statuses is null || !TransactionStatusCodec.TryReadAt(statuses, index, out StoredTransactionStatus status).IsOk) return ([], []);
        return (status.PreBalances(), status.PostBalances());
    }

    public BlockRecord? Block(ulong slot, Commitment commitment)
    {
        if (!Visible(slot, commitment)) return null;
        if (!validator.Blockstore.TryGetSlotMeta(slot, out SlotMeta meta) || !meta.IsComplete) return null;
        byte[]? entries = validator.Blockstore.ReadSlotEntries(slot);
        if (entries is null) return null;
        List<byte[]> transactions = Transactions(entries);
        SlotRecord? record = validator.Chain.Get(slot);
        List<TransactionRecord> records = new(transactions.Count);
        byte[] statuses = validator.Blockstore.ReadSlotStatuses(slot) ?? [];
        int statusAt = 0;
        for (int i = 0; i < transactions.Count; i++)
        {
            TransactionResult? result = record?.Results is { } results && i < results.Length ? results[i] : null;
            ulong[] pre = [], post = [];
            if (statusAt < statuses.Length && TransactionStatusCodec.TryRead(statuses.AsSpan(statusAt), out StoredTransactionStatus stored).IsOk)
            {
                // The stored status: the same as the live result, and the only one after a restart.
                statusAt += stored.Size;
                result ??= new TransactionResult((TransactionError)stored.Error, stored.InstructionIndex, stored.Fee);
                pre = stored.PreBalances();
                post = stored.PostBalances();
            }
            records.Add(new TransactionRecord(slot, transactions[i], result is { } r ? new TransactionOutcome(r.Error, r.InstructionIndex) : TransactionOutcome.Ok,
                result?.Fee ?? 0, pre, post, BlockTime(slot)));
        }
        Hash blockhash = record?.Blockhash ?? LastEntryHash(entries);
        Hash previous = record?.PreviousBlockhash ?? validator.Chain.Get(meta.ParentSlot)?.Blockhash ?? default;
        return new BlockRecord(slot, meta.ParentSlot, blockhash, previous, record?.BlockHeight ?? slot, BlockTime(slot), records);
    }

    public TransactionProof? Proof(in Signature signature, Commitment commitment)
    {
        if (!validator.Signatures.TryGet(signature, out SignatureLocation location) || !Visible(location.Slot, commitment)) return null;
        byte[]? entries = validator.Blockstore.ReadSlotEntries(location.Slot);
        if (entries is null) return null;
        List<byte[]> transactions = Transactions(entries);
        if (location.Index >= transactions.Count) return null;
        Hash[] leaves = [.. transactions.Select(tx => MerkleTree.HashLeaf(tx))];
        var path = new Hash[MerkleTree.ProofLength(location.Index, leaves.Length)];
        MerkleTree.BuildProof(leaves, location.Index, path);
        Hash root = MerkleTree.ComputeRoot(leaves);
        Hash blockhash = validator.Chain.Get(location.Slot)?.Blockhash ?? LastEntryHash(entries);
        return new TransactionProof(location.Slot, blockhash, root, location.Index, leaves.Length, leaves[location.Index], path);
    }

    /// <summary>Every transaction of a slot, in block order.</summary>
    private static List<byte[]> Transactions(byte[] entries)
    {
        List<byte[]> transactions = [];
        foreach (EntryView entry in new EntryStream(entries))
        {
            foreach (TransactionView tx in entry.Transactions) transactions.Add(tx.Bytes.ToArray());
        }
        return transactions;
    }

    private static Hash LastEntryHash(byte[] entries)
    {
        Hash last = default;
        foreach (EntryView entry in new EntryStream(entries)) last = entry.Hash;
        return last;
    }

    public Pubkey SlotLeader(ulong slot) => validator.LeaderOf(slot);

    public IReadOnlyDictionary<Pubkey, List<ulong>>? LeaderSchedule(ulong slot)
    {
        Core.Consensus.LeaderSchedule schedule = validator.ScheduleOfEpoch(slot / validator.Genesis.Config.SlotsPerEpoch);
        Dictionary<Pubkey, List<ulong>> result = [];
        for (ulong i = 0; i < (ulong)schedule.SlotCount; i++)
        {
            Pubkey leader = schedule.LeaderAt(schedule.FirstSlot + i);
            if (!result.TryGetValue(leader, out List<ulong>? slots)) result[leader] = slots = [];
            slots.Add(i);
        }
        return result;
    }

    public IReadOnlyList<ClusterNode> ClusterNodes()
    {
        ValidatorOptions o = validator.Options;
        string address = o.AdvertisedAddress.ToString();
        string? Text(IPEndPoint? bound, int port) => bound is null ? null : $"{address}:{bound.Port}";
        ClusterNode self = new(validator.Identity, $"{address}:{validator.Network?.GossipEndPoint.Port ?? o.GossipPort}", Text(validator.TpuEndPoint, o.TpuPort),
            Text(validator.TpuTcpEndPoint, o.TpuTcpPort), Text(validator.RpcEndPoint, o.RpcPort), Version, validator.Genesis.ShredVersion);
        if (validator.Network is not { } network) return [self];
        // A cluster node: itself and every peer gossip verified (a peer's TPU TCP port is not gossiped).
        return [self, .. network.Peers.Select(p => new ClusterNode(p.Identity, p.Gossip?.ToString(), p.Tpu?.ToString(), null, p.Rpc?.ToString(), p.Version, validator.Genesis.ShredVersion))];
    }

    public (IReadOnlyList<VoteAccountInfo> Current, IReadOnlyList<VoteAccountInfo> Delinquent) VoteAccounts()
    {
        ulong confirmed = validator.Chain.Confirmed?.Slot ?? 0;
        ulong root = validator.Chain.Root?.Slot ?? 0;
        if (validator.Genesis.Config.Staking is not null)
        {
            // With staking: the vote accounts stake is delegated to, with their effective stake this epoch (ValidatorRpcBackend.Staking.cs).
            ulong epoch = 0;
            List<Fast.Exec.Banking.ValidatorStake>? stakes = ReadBank(Commitment.Confirmed, b =>
            {
                epoch = b.Epoch;
                return b.GetValidatorStakes(b.Epoch);
            }, out _);
            if (stakes is not null)
            {
                return ([.. stakes.Select(v => new VoteAccountInfo(v.VoteAccount, v.NodeIdentity, v.EffectiveStake, confirmed, root) { Commission = v.Commission, EpochCredits = (epoch, v.Credits) })], []);
            }
        }
        List<VoteAccountInfo> current = [.. validator.Genesis.Config.Validators.Select(v => new VoteAccountInfo(v.VoteAccount, v.Identity, v.StakeLamports, confirmed, root))];
        return (current, []);
    }

    public ulong MinimumBalanceForRentExemption(ulong dataLength) => validator.Genesis.Config.Rent.MinimumBalance(dataLength);

    /// <summary>O(1): the Blockstore keeps its lowest slot (no copy or sort of the slot index under the ledger writer's lock).</summary>
    public ulong LowestAvailableSlot => validator.Blockstore.LowestSlot ?? 0;

    /// <summary>The validator behind this backend (for the partial files).</summary>
    private Validator Node => validator;
}
