using Fast.Core.Primitives;
using Fast.Storage.Accounts;

namespace Fast.Exec.Banking;

/// <summary>
/// The accounts a program owns, as this bank sees them: the rooted store's owner index
/// (<see cref="AccountsDb.ReadOwnedKeys"/>) overlaid by the accounts this bank and its unflushed
/// ancestors stored, newest first; an account with no lamports is deleted. Never a scan of the store:
/// the cost is the program's index records plus the unflushed overlays. Used by the stake program's
/// epoch-boundary processing (consensus: the same list, in the same order, on every node) and by RPC.
/// </summary>
public sealed partial class Bank
{
    /// <summary>
    /// Appends to <paramref name="accounts"/> every existing account owned by <paramref name="owner"/> (not
    /// the system program) as this bank sees it, in ascending pubkey order. On the owner thread, or on
    /// another thread under <see cref="BankForks"/>' root lock while the bank is live. Cold path: allocates.
    /// </summary>
    public void GetProgramAccounts(in Pubkey owner, List<KeyValuePair<Pubkey, Account>> accounts)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        if (owner.IsZero) ThrowHelper.ThrowArgument(nameof(owner), "the system program's accounts are not enumerable by owner");
        // Newest first: the first overlay that stored a key decides its state.
        Dictionary<Pubkey, Account> stored = [];
        for (Bank? bank = this; bank is not null && !bank.IsFlushed; bank = bank.Parent)
        {
            AccountOverlay overlay = bank.ReadableOverlay() ?? throw new InvalidOperationException($"bank {bank.Slot} has no overlay");
            for (int i = 0; i < overlay.Count; i++)
            {
                ref AccountEntry entry = ref overlay[i];
                if (!entry.Written) continue;
                stored.TryAdd(entry.Key, entry.ToAccount());
            }
        }
        List<Pubkey> keys = [];
        Context.Accounts.ReadOwnedKeys(owner, keys);
        int before = accounts.Count;
        foreach (Pubkey key in keys)
        {
            if (stored.ContainsKey(key)) continue;
            if (!Context.Accounts.TryRead(key, out ulong lamports, out Pubkey accountOwner, out bool executable, out byte[] data)) continue;
            if (lamports == 0 || accountOwner != owner) continue;
            accounts.Add(new KeyValuePair<Pubkey, Account>(key, new Account(lamports, accountOwner, executable, data)));
        }
        foreach ((Pubkey key, Account account) in stored)
        {
            if (account.Exists && account.Owner == owner) accounts.Add(new KeyValuePair<Pubkey, Account>(key, account));
        }
        accounts.Sort(before, accounts.Count - before, KeyOrder.Instance);
    }

    /// <summary>Orders (key, account) pairs by key: the byte order of the pubkeys, the same on every node.</summary>
    private sealed class KeyOrder : IComparer<KeyValuePair<Pubkey, Account>>
    {
        public static readonly KeyOrder Instance = new();

        public int Compare(KeyValuePair<Pubkey, Account> x, KeyValuePair<Pubkey, Account> y) => x.Key.CompareTo(y.Key);
    }
}
