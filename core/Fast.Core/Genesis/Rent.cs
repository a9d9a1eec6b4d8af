namespace Fast.Core.Genesis;

/// <summary>
/// The rent schedule a genesis fixes for its cluster: an account must hold at least
/// <see cref="MinimumBalance"/> lamports for its data length (or none at all). Solana's rule and
/// defaults: <c>lamports_per_byte_year × exemption_threshold_years × (128 + data length)</c>, the
/// 128 bytes standing for the account's metadata, so a data-less account needs 890,880 lamports.
/// Integers only (Solana's threshold is an f64 of 2.0; a fractional threshold is not representable
/// here). Fast collects no periodic rent: the minimum is a deposit, checked when an account changes.
/// <see cref="Free"/> (all zero) is the schedule of version-1 genesis files, which predate rent.
/// </summary>
public readonly record struct Rent(ulong LamportsPerByteYear, ulong ExemptionThresholdYears)
{
    /// <summary>Solana's ACCOUNT_STORAGE_OVERHEAD: bytes of metadata charged on every account.</summary>
    public const ulong AccountStorageOverhead = 128;

    /// <summary>Solana's DEFAULT_LAMPORTS_PER_BYTE_YEAR (1,000,000,000 / 100 × 365 / (1024 × 1024), rounded).</summary>
    public const ulong DefaultLamportsPerByteYear = 3480;

    /// <summary>Solana's DEFAULT_EXEMPTION_THRESHOLD: two years of rent.</summary>
    public const ulong DefaultExemptionThresholdYears = 2;

    /// <summary>Solana's schedule: 890,880 lamports for an account without data, 6,960 more per byte.</summary>
    public static Rent Default => new(DefaultLamportsPerByteYear, DefaultExemptionThresholdYears);

    /// <summary>No minimum at all (version-1 genesis files).</summary>
    public static Rent Free => default;

    /// <summary>Lamports per byte (of data plus overhead) an account must hold.</summary>
    public ulong LamportsPerByte => checked(LamportsPerByteYear * ExemptionThresholdYears);

    /// <summary>The least balance an account holding <paramref name="dataLength"/> bytes may keep (other than zero).</summary>
    public ulong MinimumBalance(ulong dataLength) => checked((AccountStorageOverhead + dataLength) * LamportsPerByte);

    /// <summary>
    /// Whether an account left with <paramref name="lamports"/> and <paramref name="dataLength"/> bytes
    /// is exempt: it holds nothing (it does not exist) or at least its minimum.
    /// </summary>
    public bool IsExempt(ulong lamports, ulong dataLength) => lamports == 0 || lamports >= MinimumBalance(dataLength);

    /// <summary>Null when the schedule is usable: its largest minimum (10 MiB of data) fits a u64.</summary>
    public string? Validate()
    {
        try
        {
            _ = MinimumBalance(GenesisConfig.MaxAccountData);
            return null;
        }
        catch (OverflowException)
        {
            return "rent: lamports_per_byte_year × exemption_threshold_years × (128 + 10 MiB) overflows u64";
        }
    }
}
