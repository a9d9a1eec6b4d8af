using Fast.Core.Genesis;
using Fast.Core.Primitives;
using Fast.Storage.Accounts;

namespace Fast.Exec.Banking;

/// <summary>What slot 0 starts from: the genesis hash (the first blockhash), the funded accounts, the fee and rent schedules, and staking.</summary>
public sealed record GenesisConfig(Hash GenesisHash, IReadOnlyList<(Pubkey Key, Account Account)> Accounts)
{
    /// <summary>Solana's default fee: 5,000 lamports per signature.</summary>
    public const ulong DefaultLamportsPerSignature = 5000;

    public ulong LamportsPerSignature { get; init; } = DefaultLamportsPerSignature;

    /// <summary>The rent-exempt minimum schedule: Solana's unless the genesis file says otherwise.</summary>
    public Rent Rent { get; init; } = Rent.Default;

    /// <summary>Who collects slot 0's (absent) fees.</summary>
    public Pubkey Leader { get; init; }

    /// <summary>Staking (stake and vote programs, epoch rewards, slashing); null on a chain without it (a genesis before version 3).</summary>
    public StakingConfig? Staking { get; init; }
}
