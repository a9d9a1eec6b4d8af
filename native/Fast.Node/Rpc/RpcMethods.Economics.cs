using System.Text.Json;

namespace Fast.Node.Rpc;

/// <summary>
/// Supply and economics: getSupply, getInflationGovernor, getStakeMinimumDelegation. The supply is the
/// bank's capitalization: what genesis created, plus the epoch rewards issued and minus the stake burnt
/// by slashing (fees only move lamports, to the slot's leader), all of it circulating (Fast defines no
/// locked, non-circulating accounts). The inflation governor is genesis' schedule (all zeros on a
/// cluster without staking, which issues nothing).
/// </summary>
public sealed partial class RpcMethods
{
    /// <summary>
    /// The least a stake delegation may hold: Solana's stake program minimum (1 SOL, feature
    /// stake_raise_minimum_delegation_to_1_sol). Fast has no stake program yet; genesis stakes are set
    /// directly, and this is the minimum its stake program is to enforce.
    /// </summary>
    public const ulong StakeMinimumDelegationLamports = 1_000_000_000;

    /// <summary><c>getSupply({commitment, excludeNonCirculatingAccountsList})</c>: <c>{context, value: {total, circulating, nonCirculating, nonCirculatingAccounts}}</c>.</summary>
    private RpcError? GetSupply(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(0, 1), ConfigAndCommitment(p, 0, out JsonElement config, out Commitment commitment),
            OptionalBoolean(config, "excludeNonCirculatingAccountsList", false, out _));
        if (error is not null) return error;
        ulong total = _backend.TotalSupply(commitment, out ulong slot);
        w.WriteStartObject();
        WriteContext(w, slot);
        w.WriteStartObject("value");
        w.WriteNumber("total", total);
        w.WriteNumber("circulating", total);
        w.WriteNumber("nonCirculating", 0);
        w.WriteStartArray("nonCirculatingAccounts");
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        return null;
    }

    /// <summary><c>getInflationGovernor({commitment})</c>: genesis' inflation schedule (yearly fractions); no foundation share.</summary>
    private RpcError? GetInflationGovernor(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(0, 1), ConfigAndCommitment(p, 0, out _, out Commitment commitment));
        if (error is not null) return error;
        EpochView? view = _backend.ReadBank(commitment, bank => new EpochView(bank.Epoch, 0, bank.Staking), out _);
        Fast.Exec.Banking.StakingConfig? staking = view?.Staking;
        w.WriteStartObject();
        w.WriteNumber("initial", (staking?.InflationInitialBps ?? 0) / 10_000.0);
        w.WriteNumber("terminal", (staking?.InflationTerminalBps ?? 0) / 10_000.0);
        w.WriteNumber("taper", (staking?.InflationTaperBps ?? 0) / 10_000.0);
        w.WriteNumber("foundation", 0.0);
        w.WriteNumber("foundationTerm", 0.0);
        w.WriteEndObject();
        return null;
    }

    /// <summary><c>getStakeMinimumDelegation({commitment})</c>: <c>{context, value}</c>.</summary>
    private RpcError? GetStakeMinimumDelegation(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(0, 1), ConfigAndCommitment(p, 0, out _, out Commitment commitment));
        if (error is not null) return error;
        w.WriteStartObject();
        WriteContext(w, _backend.Slot(commitment));
        w.WriteNumber("value", StakeMinimumDelegationLamports);
        w.WriteEndObject();
        return null;
    }
}
