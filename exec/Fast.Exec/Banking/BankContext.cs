using Fast.Core.Genesis;
using Fast.Exec.Runtime;
using Fast.Storage.Accounts;

namespace Fast.Exec.Banking;

/// <summary>
/// What every bank of one bank tree shares: the rooted accounts store, the status cache, the pool
/// of slot overlays, the fee and rent schedules and the current root slot. Owned by the bank owner thread.
/// </summary>
internal sealed class BankContext(AccountsDb accounts, ulong lamportsPerSignature, ulong capitalization, Rent rent)
{
    /// <summary>The rent-exempt minimum schedule (from genesis; fixed for the chain).</summary>
    public Rent Rent { get; } = rent;

    public AccountsDb Accounts { get; } = accounts;

    public StatusCache Status { get; } = new();

    public AccountOverlayPool OverlayPool { get; } = new();

    public ulong LamportsPerSignature { get; } = lamportsPerSignature;

    /// <summary>Total lamports in existence (constant: fees move lamports, nothing mints or burns them).</summary>
    public ulong Capitalization { get; } = capitalization;

    public ulong RootSlot { get; set; }

    /// <summary>Scratch for <see cref="Bank.Process(in Fast.Core.Transactions.TransactionView)"/> (the serial path, owner thread).</summary>
    public ExecutionScratch SerialScratch { get; } = new();

    private AccountsDeltaHash? _spareDeltaHasher = new();

    /// <summary>The delta hasher for a freeze (its grown buffers are reused; a second concurrent freeze gets a fresh one). Any thread.</summary>
    public AccountsDeltaHash TakeDeltaHasher() => Interlocked.Exchange(ref _spareDeltaHasher, null) ?? new AccountsDeltaHash();

    public void ReturnDeltaHasher(AccountsDeltaHash hasher) => Volatile.Write(ref _spareDeltaHasher, hasher);
}
