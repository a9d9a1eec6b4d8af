namespace Fast.Storage.Accounts;

/// <summary>
/// Reuses the overlays of finished slots so that steady state allocates no overlay memory. Keeps
/// at most <see cref="MaxPooled"/> overlays; one that grew past <see cref="MaxPooledEntries"/>
/// (a freak slot) goes back to the GC instead. A returned overlay gives the data arrays it owns back
/// to <see cref="DataPool"/> (whether or not the overlay itself is kept). Owner thread only.
/// </summary>
public sealed class AccountOverlayPool(int maxPooled = 64, int maxPooledEntries = 1 << 22, AccountDataPool? dataPool = null)
{
    private readonly Stack<AccountOverlay> _free = new(maxPooled);

    public int MaxPooled { get; } = maxPooled;

    public int MaxPooledEntries { get; } = maxPooledEntries;

    /// <summary>Where the account data arrays of this pool's overlays come from and go back to.</summary>
    public AccountDataPool DataPool { get; } = dataPool ?? new AccountDataPool();

    /// <summary>Overlays waiting for reuse.</summary>
    public int Count => _free.Count;

    public AccountOverlay Rent() => _free.Count > 0 ? _free.Pop() : new AccountOverlay();

    public void Return(AccountOverlay overlay)
    {
        overlay.Reset(DataPool);
        if (_free.Count < MaxPooled && overlay.Capacity <= MaxPooledEntries) _free.Push(overlay);
    }
}
