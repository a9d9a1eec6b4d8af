namespace Fast.Core.Genesis;

/// <summary>
/// Staking as a genesis file (version 3) sets it: the inflation schedule — an initial yearly rate that
/// tapers by a fraction of itself each year down to a terminal rate — the warm-up/cool-down rate (the
/// most of the cluster's stake that turns on or off per epoch), the fraction of stake a proven offence
/// burns, and the commission of the genesis validators' vote accounts. Rates are basis points
/// (1/10,000). The defaults are Solana's (8 %, 15 %, 1.5 %, 9 %) and the hybrid PoS plan's 10 % slash.
/// <code>u16 inflation_initial_bps | u16 inflation_taper_bps | u16 inflation_terminal_bps | u16 warmup_cooldown_bps | u16 slash_bps | u8 default_commission_percent</code>
/// </summary>
public sealed record StakingParameters(ushort InflationInitialBps, ushort InflationTaperBps, ushort InflationTerminalBps, ushort WarmupCooldownBps, ushort SlashBps, byte DefaultCommissionPercent)
{
    public const int EncodedSize = 2 * 5 + 1;

    public static StakingParameters Default { get; } = new(800, 1500, 150, 900, 1000, 10);

    /// <summary>Null when valid; otherwise what is wrong.</summary>
    public string? Validate()
    {
        if (InflationInitialBps > 10_000 || InflationTaperBps > 10_000 || InflationTerminalBps > 10_000) return "inflation rates are at most 10,000 basis points";
        if (InflationTerminalBps > InflationInitialBps) return "the terminal inflation rate exceeds the initial one";
        if (WarmupCooldownBps is 0 or > 10_000) return "the warm-up/cool-down rate must be 1..10,000 basis points";
        if (SlashBps > 10_000) return "the slash fraction is at most 10,000 basis points";
        if (DefaultCommissionPercent > 100) return "a commission is at most 100 percent";
        return null;
    }
}
