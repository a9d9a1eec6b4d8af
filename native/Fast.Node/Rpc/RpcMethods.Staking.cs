using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Exec.Programs;
using Fast.Storage.Accounts;

namespace Fast.Node.Rpc;

/// <summary>
/// Staking methods, in Solana's shapes: getStakeActivation (state, active, inactive of a stake account
/// at an epoch), getInflationReward (the reward each stake account got for an epoch; Fast keeps the
/// last one per account, so an older epoch reads as null), getInflationRate (the yearly rate of the
/// current epoch from genesis' schedule: all to validators, nothing to a foundation). A node without
/// staking answers as a cluster that issues nothing. Reads run on the bank at the commitment
/// (IRpcBackend.ReadBank). Cold path.
/// </summary>
public sealed partial class RpcMethods
{
    private sealed record StakeActivationView(StakeActivationStatus Status, StakeState State, ulong Lamports);

    private sealed record InflationRewardView(ulong Epoch, ulong FirstSlotAfter, ulong Amount, ulong PostBalance, byte? Commission);

    private sealed record EpochView(ulong Epoch, ulong RatePpb, StakingConfig? Staking);

    /// <summary><c>getStakeActivation(pubkey, {commitment, epoch})</c>: <c>{state, active, inactive}</c>.</summary>
    private RpcError? GetStakeActivation(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(1, 2), p.Pubkey(0, out Pubkey key), ConfigAndCommitment(p, 1, out JsonElement config, out Commitment commitment), OptionalEpoch(config, out ulong? epoch));
        if (error is not null) return error;
        ulong? current = null;
        StakeActivationView? view = _backend.ReadBank(commitment, bank =>
        {
            current = bank.Epoch;
            return bank.TryGetStakeActivation(key, epoch ?? bank.Epoch, out StakeActivationStatus status, out StakeState state)
                ? new StakeActivationView(status, state, bank.GetAccount(key).Lamports)
                : null;
        }, out _);
        if (epoch is ulong asked && current is ulong now && asked > now) return RpcError.Params($"Invalid param: epoch {asked}. Only the current epoch ({now}) or earlier is supported");
        if (view is null) return RpcError.Params("Invalid param: account not found or not a stake account");
        StakeActivationStatus s = view.Status;
        string state = s.Deactivating > 0 ? "deactivating" : s.Activating > 0 ? "activating" : s.Effective > 0 ? "active" : "inactive";
        ulong total = view.Lamports - Math.Min(view.Lamports, view.State.RentExemptReserve);
        w.WriteStartObject();
        w.WriteString("state", state);
        w.WriteNumber("active", s.Effective);
        w.WriteNumber("inactive", total - Math.Min(total, s.Effective));
        w.WriteEndObject();
        return null;
    }

    /// <summary><c>getInflationReward([pubkey...], {commitment, epoch})</c>: per address <c>{epoch, effectiveSlot, amount, postBalance, commission}</c> or null.</summary>
    private RpcError? GetInflationReward(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(1, 2), ConfigAndCommitment(p, 1, out JsonElement config, out Commitment commitment), OptionalEpoch(config, out ulong? epoch));
        if (error is not null) return error;
        if (p[0].ValueKind != JsonValueKind.Array) return RpcError.Params("the first parameter must be an array of public keys");
        if (p[0].GetArrayLength() > MaxMultipleAccounts) return RpcError.Params($"Too many inputs provided; max {MaxMultipleAccounts}");
        List<Pubkey> keys = [];
        foreach (JsonElement element in p[0].EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.String || !Pubkey.TryParse(element.GetString(), out Pubkey key)) return RpcError.Params("every public key must be base58 of 32 bytes");
            keys.Add(key);
        }
        ulong current = 0;
        List<InflationRewardView?>? rewards = _backend.ReadBank(commitment, bank =>
        {
            current = bank.Epoch;
            ulong wanted = epoch ?? (bank.Epoch == 0 ? 0 : bank.Epoch - 1);
            ulong slotsPerEpoch = bank.Staking?.SlotsPerEpoch ?? 1;
            List<InflationRewardView?> found = [];
            foreach (Pubkey key in keys)
            {
                Account account = bank.GetAccount(key);
                if (account.Owner != StakeProgram.Id || !StakeState.TryRead(account.Data, out StakeState state) || state.LastRewardEpoch != wanted)
                {
                    found.Add(null);
                    continue;
                }
                Account vote = bank.GetAccount(state.VoteAccount);
                byte? commission = VoteState.TryRead(vote.Data, out VoteState voteState) ? voteState.Commission : null;
                found.Add(new InflationRewardView(wanted, (wanted + 1) * slotsPerEpoch, state.LastRewardLamports, state.LastRewardPostBalance, commission));
            }
            return found;
        }, out _);
        if (epoch is ulong asked && asked >= current && rewards is not null) return RpcError.Params($"Epoch {asked} is not yet complete: rewards for an epoch are paid at its end");
        w.WriteStartArray();
        for (int i = 0; i < keys.Count; i++)
        {
            if (rewards?[i] is not InflationRewardView reward)
            {
                w.WriteNullValue();
                continue;
            }
            w.WriteStartObject();
            w.WriteNumber("epoch", reward.Epoch);
            w.WriteNumber("effectiveSlot", reward.FirstSlotAfter);
            w.WriteNumber("amount", reward.Amount);
            w.WriteNumber("postBalance", reward.PostBalance);
            if (reward.Commission is byte c) w.WriteNumber("commission", c);
            else w.WriteNull("commission");
            w.WriteEndObject();
        }
        w.WriteEndArray();
        return null;
    }

    /// <summary><c>getInflationRate()</c>: <c>{total, validator, foundation, epoch}</c>, yearly rates as fractions.</summary>
    private RpcError? GetInflationRate(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = p.RequireCount(0, 0);
        if (error is not null) return error;
        EpochView? view = _backend.ReadBank(Commitment.Finalized, bank => new EpochView(bank.Epoch, bank.Staking?.InflationRatePpb(bank.Epoch) ?? 0, bank.Staking), out _);
        double rate = (view?.RatePpb ?? 0) / 1e9;
        w.WriteStartObject();
        w.WriteNumber("total", rate);
        w.WriteNumber("validator", rate);
        w.WriteNumber("foundation", 0.0);
        w.WriteNumber("epoch", view?.Epoch ?? _backend.EpochInfo(Commitment.Finalized).Epoch);
        w.WriteEndObject();
        return null;
    }

    /// <summary>The optional <c>epoch</c> of a config object.</summary>
    private static RpcError? OptionalEpoch(JsonElement config, out ulong? epoch)
    {
        epoch = null;
        if (config.ValueKind != JsonValueKind.Object || !config.TryGetProperty("epoch", out JsonElement value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetUInt64(out ulong e)) return RpcError.Params("epoch must be a whole number");
        epoch = e;
        return null;
    }
}
