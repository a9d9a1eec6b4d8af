using Fast.Core.Primitives;

namespace Fast.Storage.Accounts;

/// <summary>
/// One account as a slot's overlay holds it: the state the slot sees (loaded from an ancestor or the
/// rooted store the first time the slot needs it — see <see cref="Loaded"/>) and whether the slot
/// wrote it. Mutated in place by the one execution worker that holds the account's write lock.
/// </summary>
public struct AccountEntry
{
    public Pubkey Key;
    public Pubkey Owner;
    public ulong Lamports;

    /// <summary>Never null once loaded; an empty array when the account has no data. Replaced (never written into) on change.</summary>
    public byte[] Data;
    public bool Executable;

    /// <summary>
    /// True when <see cref="Data"/> is an array only this entry holds — rented from the slot's
    /// <see cref="AccountDataPool"/> (a program's new data, a private copy loaded from an ancestor) or
    /// read fresh from the store — so the overlay gives it back to the pool when it is reset, and
    /// whoever replaces it within the slot gives the old one back. False for arrays shared with
    /// anything else (genesis, a caller's array, the empty array): those are left to the GC.
    /// </summary>
    public bool OwnsData;

    /// <summary><see cref="SeededHash"/> of <see cref="Key"/> (the same in every overlay of the process), so a load from an ancestor need not hash again.</summary>
    public int KeyHash;

    /// <summary>
    /// False while only the key is known: the scheduler adds entries unloaded (to lock them) and the
    /// worker that takes the write lock loads the state, so loads run in parallel. An unloaded entry is
    /// all zero — even <see cref="Key"/>, <see cref="KeyHash"/> and <see cref="Data"/> are set by the load
    /// (the overlay keeps the key beside it: <see cref="AccountOverlay.KeyAt"/>). A loaded entry never
    /// goes back.
    /// </summary>
    public bool Loaded;

    /// <summary>True once a committed transaction of this slot stored the account (it is in the slot's accounts-delta hash and is flushed on root).</summary>
    public bool Written;

    public readonly bool Exists => Lamports > 0;

    /// <summary>
    /// The account as a reader outside execution may keep it: data this entry owns is copied (into a
    /// new array: the entry's goes back to the pool when its overlay is recycled), shared data is not.
    /// </summary>
    public readonly Account ToAccount() => Lamports == 0 ? Account.Empty : new Account(Lamports, Owner, Executable, OwnsData ? Data.AsSpan().ToArray() : Data);
}
