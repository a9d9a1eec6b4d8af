using Fast.Storage.Accounts;

namespace Fast.Exec.Banking;

/// <summary>
/// Released banks' overlays: retired with the root advance they left at, and handed back to the
/// overlay pool once <see cref="BankForksOptions.OverlayGraceRoots"/> further roots passed (a reader that
/// took a bank just before its release still reads valid memory). Owner thread.
/// </summary>
public sealed partial class BankForks
{
    private void Release(Bank bank)
    {
        bank.IsReleased = true;
        if (bank.IsRooted && !bank.IsFlushed) return; // its background flush still reads the overlay; retired when that flush is collected
        AccountOverlay? overlay = bank.DetachOverlay();
        if (overlay is not null) Retire(overlay);
    }

    private void Retire(AccountOverlay overlay) => _retired.Enqueue((overlay, _rootAdvances));

    private void RecycleRetired()
    {
        AccountOverlayPool pool = Root.Context.OverlayPool;
        while (_retired.Count > 0 && _retired.Peek().ReleasedAt + Options.OverlayGraceRoots <= _rootAdvances)
        {
            pool.Return(_retired.Dequeue().Overlay);
        }
    }
}
