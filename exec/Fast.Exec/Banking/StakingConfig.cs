using Fast.Core.Primitives;
using Fast.Exec.Programs;
using Fast.Storage.Accounts;

namespace Fast.Exec.Banking;

/// <summary>
/// Staking as genesis sets it (core genesis version 3; docs/programs.md "Stake program"): the epoch
/// length, the inflation schedule (Solana's shape: an initial yearly rate that tapers by a fraction per
/// year down to a terminal rate), the warm-up/cool-down rate, the default commission of the genesis
/// vote accounts, the fraction of stake a proven offence burns, and the genesis validators whose
/// stake and vote accounts slot 0 creates. Rates are basis points (1/10,000); every figure derived
/// from them is an integer, the same on every node.
/// </summary>
public sealed record StakingConfig
{
    /// <summary>Solana's initial inflation: 8 % a year.</summary>
    public const ulong DefaultInflationInitialBps = 800;

    /// <summary>Solana's taper: the rate falls by 15 % of itself each year.</summary>
    public const ulong DefaultInflationTaperBps = 1500;

    /// <summary>Solana's terminal inflation: 1.5 % a year.</summary>
    public const ulong DefaultInflationTerminalBps = 150;

    /// <summary>Solana's warm-up/cool-down rate since its 2023 change: 9 % of the cluster's stake per epoch.</summary>
    public const ulong DefaultWarmupCooldownBps = 900;

    /// <summary>The fraction of every stake delegated to an equivocating validator burnt at the next epoch boundary: 10 %.</summary>
    public const ulong DefaultSlashBps = 1000;

    public const byte DefaultCommissionPercent = 10;

    /// <summary>Rates in the inflation schedule are held in parts per billion while tapering, so yearly rounding stays far below a lamport of a basis point.</summary>
    private const ulong PartsPerBillion = 1_000_000_000;

    public required ulong SlotsPerEpoch { get; init; }

    /// <summary>Slots in a year at the target slot time (365.25 days): the unit the yearly inflation rate is spread over.</summary>
    public required ulong SlotsPerYear { get; init; }

    public ulong InflationInitialBps { get; init; } = DefaultInflationInitialBps;
    public ulong InflationTaperBps { get; init; } = DefaultInflationTaperBps;
    public ulong InflationTerminalBps { get; init; } = DefaultInflationTerminalBps;
    public ulong WarmupCooldownBps { get; init; } = DefaultWarmupCooldownBps;
    public ulong SlashBps { get; init; } = DefaultSlashBps;
    public byte DefaultCommission { get; init; } = DefaultCommissionPercent;

    /// <summary>The validators of the first epoch: each gets a vote account and a bootstrap stake account at slot 0.</summary>
    public IReadOnlyList<(Pubkey Identity, Pubkey VoteAccount, ulong StakeLamports)> Validators { get; init; } = [];

    /// <summary>The staking of a genesis file: null for a version before staking (<see cref="Core.Genesis.GenesisConfig.Staking"/> null).</summary>
    public static StakingConfig? FromGenesis(Core.Genesis.GenesisConfig genesis)
    {
        ArgumentNullException.ThrowIfNull(genesis);
        if (genesis.Staking is not Core.Genesis.StakingParameters p) return null;
        return new StakingConfig
        {
            SlotsPerEpoch = genesis.SlotsPerEpoch,
            SlotsPerYear = SlotsPerYearAt(genesis.TargetSlotMs),
            InflationInitialBps = p.InflationInitialBps,
            InflationTaperBps = p.InflationTaperBps,
            InflationTerminalBps = p.InflationTerminalBps,
            WarmupCooldownBps = p.WarmupCooldownBps,
            SlashBps = p.SlashBps,
            DefaultCommission = p.DefaultCommissionPercent,
            Validators = [.. genesis.Validators.Select(v => (v.Identity, v.VoteAccount, v.StakeLamports))],
        };
    }

    /// <summary>Slots in a year for a target slot time of <paramref name="slotMs"/> milliseconds.</summary>
    public static ulong SlotsPerYearAt(uint slotMs) => Math.Max(1, 31_557_600_000UL / Math.Max(1u, slotMs));

    /// <summary>
    /// The yearly inflation rate in parts per billion during <paramref name="epoch"/>: the initial rate
    /// tapered once per whole year elapsed (year = epoch × slots per epoch ÷ slots per year), floored at
    /// the terminal rate.
    /// </summary>
    public ulong InflationRatePpb(ulong epoch)
    {
        ulong year = (ulong)((UInt128)epoch * SlotsPerEpoch / SlotsPerYear);
        ulong rate = InflationInitialBps * (PartsPerBillion / StakeActivation.BasisPoints);
        ulong terminal = InflationTerminalBps * (PartsPerBillion / StakeActivation.BasisPoints);
        for (ulong y = 0; y < year && rate > terminal; y++) rate = rate * (StakeActivation.BasisPoints - InflationTaperBps) / StakeActivation.BasisPoints;
        return Math.Max(rate, terminal);
    }

    /// <summary>The lamports an epoch issues as rewards: capitalization × yearly rate × (slots per epoch ÷ slots per year), floored.</summary>
    public ulong EpochRewards(ulong capitalization, ulong epoch) =>
        (ulong)((UInt128)capitalization * InflationRatePpb(epoch) * SlotsPerEpoch / ((UInt128)PartsPerBillion * SlotsPerYear));

    /// <summary>The genesis validators' stake per node identity (what the schedules of epochs 0 and 1 are drawn from), in identity order; identities without stake left out.</summary>
    public List<(Pubkey Identity, ulong Stake)> GenesisNodeStakes()
    {
        SortedDictionary<Pubkey, ulong> byNode = [];
        foreach ((Pubkey identity, _, ulong stake) in Validators)
        {
            if (stake > 0) byNode[identity] = checked(byNode.GetValueOrDefault(identity) + stake);
        }
        return [.. byNode.Select(p => (p.Key, p.Value))];
    }

    /// <summary>The accounts staking adds to slot 0: the four cluster accounts, and per genesis validator a vote account and a bootstrap stake account.</summary>
    internal List<(Pubkey Key, Account Account)> GenesisAccounts(Core.Genesis.Rent rent)
    {
        List<(Pubkey, Account)> accounts =
        [
            (StakeAddresses.EpochCredits, new Account(rent.MinimumBalance(EpochCreditsState.MaxLength), StakeProgram.Id, false, EpochCreditsState.Empty(0))),
            (StakeAddresses.StakeHistory, new Account(rent.MinimumBalance(StakeHistoryState.MaxLength), StakeProgram.Id, false, new StakeHistoryState().ToArray())),
            (StakeAddresses.Offences, new Account(rent.MinimumBalance(OffenceRegistry.Length), StakeProgram.Id, false, OffenceRegistry.Empty())),
            (StakeAddresses.EpochStakes, new Account(rent.MinimumBalance(EpochStakesState.MaxLength), StakeProgram.Id, false, EpochStakesState.Genesis(GenesisNodeStakes()))),
        ];
        foreach ((Pubkey identity, Pubkey vote, ulong stake) in Validators)
        {
            VoteState voteState = new() { Commission = DefaultCommission, NodeIdentity = identity, Withdrawer = identity };
            accounts.Add((vote, new Account(rent.MinimumBalance(VoteState.Length), VoteProgram.Id, false, voteState.ToArray())));
            ulong reserve = rent.MinimumBalance(StakeState.Length);
            StakeState stakeState = new()
            {
                Kind = StakeState.DelegatedKind,
                Authority = identity,
                VoteAccount = vote,
                Stake = stake,
                ActivationEpoch = StakeState.NoEpoch, // bootstrap: effective from the start
                DeactivationEpoch = StakeState.NoEpoch,
                RentExemptReserve = reserve,
                LastRewardEpoch = StakeState.NoEpoch,
            };
            accounts.Add((StakeAddresses.GenesisStake(identity), new Account(checked(stake + reserve), StakeProgram.Id, false, stakeState.ToArray())));
        }
        return accounts;
    }
}
