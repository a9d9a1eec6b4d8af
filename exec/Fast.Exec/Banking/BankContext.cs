using Fast.Core.Genesis;
using Fast.Exec.Runtime;
using Fast.Storage.Accounts;

namespace Fast.Exec.Banking;

/// <summary>
/// What every bank of one bank tree shares: the rooted accounts store, the status cache, the pool
/// of slot overlays, the fee and rent schedules and the current root slot. Owned by the bank owner thread.
/// </summary>
internal sealed class BankContext(AccountsDb accounts, ulong lamportsPerSignature, ulong capitalization, Rent rent, Banking.StakingConfig? staking = null, Core.Primitives.Hash genesisHash = default, AccountDataPool? dataPool = null)
{
    /// <summary>Staking as genesis set it; null on a chain without staking.</summary>
    public Banking.StakingConfig? Staking { get; } = staking;

    /// <summary>What the stake program needs to know (null without staking).</summary>
    public Programs.StakeRules? StakeRules { get; } = staking is null ? null : new Programs.StakeRules(staking.SlotsPerEpoch, staking.WarmupCooldownBps, rent) { GenesisHash = genesisHash };

    /// <summary>The rent-exempt minimum schedule (from genesis; fixed for the chain).</summary>
    public Rent Rent { get; } = rent;

    public AccountsDb Accounts { get; } = accounts;

    public StatusCache Status { get; } = new();

    public AccountOverlayPool OverlayPool { get; } = new(dataPool: dataPool);

    /// <summary>The account data arrays the tree's overlays and transactions rent and give back (<see cref="AccountDataPool"/> states the one-owner rule).</summary>
    public AccountDataPool DataPool => OverlayPool.DataPool;

    public ulong LamportsPerSignature { get; } = lamportsPerSignature;

    /// <summary>Total lamports at the bank the tree started from (genesis or the recovered root); each bank carries its own since rewards and slashing change it.</summary>
    public ulong Capitalization { get; } = capitalization;

    public ulong RootSlot { get; set; }

    private int _lastBankId;

    /// <summary>A new <see cref="Bank.Id"/> (any thread).</summary>
    public uint NextBankId() => (uint)Interlocked.Increment(ref _lastBankId);

    /// <summary>Scratch for <see cref="Bank.Process(in Fast.Core.Transactions.TransactionView)"/> (the serial path, owner thread).</summary>
    public ExecutionScratch SerialScratch { get; } = new();

    private AccountsDeltaHash? _spareDeltaHasher = new();

    /// <summary>The delta hasher for a freeze (its grown buffers are reused; a second concurrent freeze gets a fresh one). Any thread.</summary>
    public AccountsDeltaHash TakeDeltaHasher() => Interlocked.Exchange(ref _spareDeltaHasher, null) ?? new AccountsDeltaHash();

    public void ReturnDeltaHasher(AccountsDeltaHash hasher) => Volatile.Write(ref _spareDeltaHasher, hasher);
}
