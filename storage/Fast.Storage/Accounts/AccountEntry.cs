using Fast.Core.Primitives;

namespace Fast.Storage.Accounts;

/// <summary>
/// One account as a slot's overlay holds it: the state the slot sees (loaded from an ancestor or the
/// rooted store the first time the slot touches the key) and whether the slot wrote it. Mutated in
/// place by the one execution worker that holds the account's write lock.
/// </summary>
public struct AccountEntry
{
    public Pubkey Key;
    public Pubkey Owner;
    public ulong Lamports;

    /// <summary>Never null; an empty array when the account has no data. Replaced (never written into) on change.</summary>
    public byte[] Data;
    public bool Executable;

    /// <summary>True once a committed transaction of this slot stored the account (it is in the slot's accounts-delta hash and is flushed on root).</summary>
    public bool Written;

    public readonly bool Exists => Lamports > 0;

    public readonly Account ToAccount() => Lamports == 0 ? Account.Empty : new Account(Lamports, Owner, Executable, Data);
}
