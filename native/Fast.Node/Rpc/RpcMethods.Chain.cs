using System.Text.Json;
using Fast.Core.Primitives;

namespace Fast.Node.Rpc;

/// <summary>Chain-state methods: health, version, slots, epochs, blockhashes, leaders, cluster membership.</summary>
public sealed partial class RpcMethods
{
    private RpcError? GetHealth(RpcParams p, Utf8JsonWriter w)
    {
        string? unhealthy = _backend.Unhealthy;
        if (unhealthy is not null) return new RpcError(RpcError.NodeUnhealthy, $"Node is unhealthy: {unhealthy}");
        w.WriteStringValue("ok");
        return null;
    }

    private RpcError? GetVersion(RpcParams p, Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("solana-core", _backend.Version);
        w.WriteString("fast-core", _backend.Version);
        w.WriteNumber("feature-set", 0);
        w.WriteEndObject();
        return null;
    }

    private RpcError? GetGenesisHash(RpcParams p, Utf8JsonWriter w)
    {
        w.WriteStringValue(_backend.GenesisHash.ToString());
        return null;
    }

    private RpcError? GetSlot(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(0, 1), ConfigAndCommitment(p, 0, out _, out Commitment commitment));
        if (error is not null) return error;
        w.WriteNumberValue(_backend.Slot(commitment));
        return null;
    }

    private RpcError? GetBlockHeight(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(0, 1), ConfigAndCommitment(p, 0, out _, out Commitment commitment));
        if (error is not null) return error;
        w.WriteNumberValue(_backend.BlockHeight(commitment));
        return null;
    }

    private RpcError? GetTransactionCount(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(0, 1), ConfigAndCommitment(p, 0, out _, out Commitment commitment));
        if (error is not null) return error;
        w.WriteNumberValue(_backend.TransactionCount(commitment));
        return null;
    }

    private RpcError? GetEpochInfo(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(0, 1), ConfigAndCommitment(p, 0, out _, out Commitment commitment));
        if (error is not null) return error;
        EpochInfo info = _backend.EpochInfo(commitment);
        w.WriteStartObject();
        w.WriteNumber("absoluteSlot", info.AbsoluteSlot);
        w.WriteNumber("blockHeight", info.BlockHeight);
        w.WriteNumber("epoch", info.Epoch);
        w.WriteNumber("slotIndex", info.SlotIndex);
        w.WriteNumber("slotsInEpoch", info.SlotsInEpoch);
        w.WriteNumber("transactionCount", info.TransactionCount);
        w.WriteEndObject();
        return null;
    }

    private RpcError? GetLatestBlockhash(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(0, 1), ConfigAndCommitment(p, 0, out _, out Commitment commitment));
        if (error is not null) return error;
        (Hash blockhash, ulong lastValid) = _backend.LatestBlockhash(commitment, out ulong slot);
        w.WriteStartObject();
        WriteContext(w, slot);
        w.WriteStartObject("value");
        w.WriteString("blockhash", blockhash.ToString());
        w.WriteNumber("lastValidBlockHeight", lastValid);
        w.WriteEndObject();
        w.WriteEndObject();
        return null;
    }

    private RpcError? GetSlotLeader(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(0, 1), ConfigAndCommitment(p, 0, out _, out Commitment commitment));
        if (error is not null) return error;
        w.WriteStringValue(_backend.SlotLeader(_backend.Slot(commitment)).ToString());
        return null;
    }

    private RpcError? GetLeaderSchedule(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = p.RequireCount(0, 2);
        if (error is not null) return error;
        ulong slot = _backend.Slot(Commitment.Processed);
        int configIndex = 0;
        if (p.Has(0) && p[0].ValueKind == JsonValueKind.Number)
        {
            error = p.UInt64(0, "the slot", out slot);
            configIndex = 1;
        }
        if (error is not null) return error;
        error = p.Config(configIndex, out JsonElement config);
        if (error is not null) return error;
        string? identityText = RpcParams.OptionalString(config, "identity");
        Pubkey identity = default;
        if (identityText is not null && !Pubkey.TryParse(identityText, out identity)) return RpcError.Params("identity must be a base58 public key");

        IReadOnlyDictionary<Pubkey, List<ulong>>? schedule = _backend.LeaderSchedule(slot);
        if (schedule is null)
        {
            w.WriteNullValue();
            return null;
        }
        w.WriteStartObject();
        foreach ((Pubkey leader, List<ulong> slots) in schedule)
        {
            if (identityText is not null && leader != identity) continue;
            w.WriteStartArray(leader.ToString());
            foreach (ulong s in slots) w.WriteNumberValue(s);
            w.WriteEndArray();
        }
        w.WriteEndObject();
        return null;
    }

    private RpcError? GetClusterNodes(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = p.RequireCount(0, 0);
        if (error is not null) return error;
        w.WriteStartArray();
        foreach (ClusterNode node in _backend.ClusterNodes())
        {
            w.WriteStartObject();
            w.WriteString("pubkey", node.Identity.ToString());
            w.WriteString("gossip", node.Gossip);
            w.WriteString("tpu", node.Tpu);
            w.WriteString("tpuTcp", node.TpuTcp);
            w.WriteNull("tpuQuic");
            w.WriteString("rpc", node.Rpc);
            w.WriteString("version", node.Version);
            w.WriteNumber("featureSet", 0);
            w.WriteNumber("shredVersion", node.ShredVersion);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        return null;
    }

    private RpcError? GetVoteAccounts(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(0, 1), ConfigAndCommitment(p, 0, out _, out _));
        if (error is not null) return error;
        (IReadOnlyList<VoteAccountInfo> current, IReadOnlyList<VoteAccountInfo> delinquent) = _backend.VoteAccounts();
        w.WriteStartObject();
        WriteVoteAccounts(w, "current", current);
        WriteVoteAccounts(w, "delinquent", delinquent);
        w.WriteEndObject();
        return null;
    }

    private static void WriteVoteAccounts(Utf8JsonWriter w, string name, IReadOnlyList<VoteAccountInfo> accounts)
    {
        w.WriteStartArray(name);
        foreach (VoteAccountInfo a in accounts)
        {
            w.WriteStartObject();
            w.WriteString("votePubkey", a.VoteAccount.ToString());
            w.WriteString("nodePubkey", a.Node.ToString());
            w.WriteNumber("activatedStake", a.ActivatedStake);
            w.WriteBoolean("epochVoteAccount", true);
            w.WriteNumber("commission", a.Commission);
            w.WriteNumber("lastVote", a.LastVote);
            w.WriteNumber("rootSlot", a.RootSlot);
            w.WriteStartArray("epochCredits");
            if (a.EpochCredits is (ulong epoch, ulong credits))
            {
                w.WriteStartArray();
                w.WriteNumberValue(epoch);
                w.WriteNumberValue(credits);
                w.WriteNumberValue(0);
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private RpcError? MinimumLedgerSlot(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = p.RequireCount(0, 0);
        if (error is not null) return error;
        w.WriteNumberValue(_backend.LowestAvailableSlot);
        return null;
    }

    /// <summary><c>getIdentity()</c>: <c>{identity}</c>, this node's public key.</summary>
    private RpcError? GetIdentity(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = p.RequireCount(0, 0);
        if (error is not null) return error;
        w.WriteStartObject();
        w.WriteString("identity", _backend.Identity.ToString());
        w.WriteEndObject();
        return null;
    }

    /// <summary>
    /// <c>getEpochSchedule()</c>: Fast's epochs all have the genesis length (no warm-up), and the
    /// leader schedule of an epoch is known one epoch ahead (offset = one epoch's slots).
    /// </summary>
    private RpcError? GetEpochSchedule(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = p.RequireCount(0, 0);
        if (error is not null) return error;
        ulong slotsPerEpoch = _backend.SlotsPerEpoch;
        w.WriteStartObject();
        w.WriteNumber("slotsPerEpoch", slotsPerEpoch);
        w.WriteNumber("leaderScheduleSlotOffset", slotsPerEpoch);
        w.WriteBoolean("warmup", false);
        w.WriteNumber("firstNormalEpoch", 0);
        w.WriteNumber("firstNormalSlot", 0);
        w.WriteEndObject();
        return null;
    }

    /// <summary>Solana keeps 720 samples (12 h of 60-second samples) and answers at most that many.</summary>
    public const int MaxPerformanceSamples = 720;

    /// <summary><c>getRecentPerformanceSamples(limit?)</c>: newest first, <c>[{slot, numTransactions, numSlots, samplePeriodSecs, numNonVoteTransactions}]</c>.</summary>
    private RpcError? GetRecentPerformanceSamples(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = p.RequireCount(0, 1);
        if (error is not null) return error;
        ulong limit = MaxPerformanceSamples;
        if (p.Has(0))
        {
            error = p.UInt64(0, "the limit", out limit);
            if (error is not null) return error;
            if (limit > MaxPerformanceSamples) return RpcError.Params($"Invalid limit; max {MaxPerformanceSamples}");
        }
        w.WriteStartArray();
        foreach (PerformanceSample sample in _backend.PerformanceSamples((int)limit))
        {
            w.WriteStartObject();
            w.WriteNumber("slot", sample.Slot);
            w.WriteNumber("numTransactions", sample.NumTransactions);
            w.WriteNumber("numSlots", sample.NumSlots);
            w.WriteNumber("samplePeriodSecs", sample.SamplePeriodSecs);
            w.WriteNumber("numNonVoteTransactions", sample.NumNonVoteTransactions);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        return null;
    }
}
