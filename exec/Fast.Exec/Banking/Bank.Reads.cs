using Fast.Core.Primitives;
using Fast.Storage.Accounts;

namespace Fast.Exec.Banking;

/// <summary>
/// Reads of a frozen bank from other threads (RPC) that never wait on the disk: what the overlays and
/// FASTER's memory hold is answered at once; an account whose record is on disk is left for the
/// caller to finish with <see cref="AccountsDb.CompletePendingReads"/> once it released the root lock
/// (see <see cref="BankForks.ReadAccounts"/>).
/// </summary>
public sealed partial class Bank
{
    /// <summary>
    /// The account as this slot sees it, like <see cref="GetAccount"/>, when it can be read from
    /// memory; false when the rooted store has started a disk read for it on this thread (the caller
    /// must finish it with <see cref="AccountsDb.CompletePendingReads"/> on this thread). Call under
    /// the root lock, on a live bank.
    /// </summary>
    internal bool TryGetAccountWithoutWaiting(in Pubkey key, out Account account)
    {
        AccountOverlay? overlay = ReadableOverlay();
        if (overlay is not null)
        {
            int index = overlay.Find(key);
            if (index >= 0 && overlay[index].Loaded)
            {
                account = overlay[index].ToAccount();
                return true;
            }
        }
        if (!IsFlushed)
        {
            int hash = Storage.SeededHash.Of(key);
            for (Bank? ancestor = Parent; ancestor is not null && !ancestor.IsFlushed; ancestor = ancestor.Parent)
            {
                AccountOverlay? below = ancestor._overlay;
                if (below is null) break;
                int index = below.Find(key, hash);
                if (index < 0 || !below[index].Loaded) continue;
                account = below[index].ToAccount();
                return true;
            }
        }
        return Context.Accounts.TryReadWithoutWaiting(key, out account);
    }
}
