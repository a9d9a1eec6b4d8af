using Fast.Core.Primitives;

namespace Fast.Node.Rpc;

/// <summary>One getLargestAccounts entry.</summary>
public readonly record struct LargestAccount(Pubkey Address, ulong Lamports);

/// <summary>A finished ranking: the largest accounts (most lamports first) as of <see cref="Slot"/>, and how long the scan took.</summary>
public sealed record LargestAccountsSnapshot(ulong Slot, IReadOnlyList<LargestAccount> Accounts, long RecordsScanned, double ScanSeconds);

/// <summary>
/// The bounded ranking behind getLargestAccounts: keeps the <see cref="Capacity"/> accounts with the
/// most lamports offered so far, one entry per address (offering an address again replaces its
/// balance: the newer read wins), ties broken by address so the answer does not depend on scan order.
/// Memory is the capacity, whatever the number of accounts offered. One thread (the scan's).
/// </summary>
public sealed class TopAccounts(int capacity)
{
    private readonly List<LargestAccount> _entries = new(capacity + 1);

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    public int Count => _entries.Count;

    /// <summary>
    /// A balance that could enter the ranking: any while it is not full, else more than the smallest
    /// held (ties too, as the address may break them). A scan reads an account again only above this.
    /// </summary>
    public bool CouldEnter(ulong lamports) => _entries.Count < Capacity || lamports >= _entries[^1].Lamports;

    /// <summary>Records <paramref name="address"/> with <paramref name="lamports"/> (0: it is gone, dropped from the ranking).</summary>
    public void Offer(in Pubkey address, ulong lamports)
    {
        for (int i = 0; i < _entries.Count; i++)
        {
            if (_entries[i].Address == address)
            {
                _entries.RemoveAt(i);
                break;
            }
        }
        if (lamports == 0) return;
        LargestAccount entry = new(address, lamports);
        int at = _entries.Count;
        while (at > 0 && Before(entry, _entries[at - 1])) at--;
        if (at >= Capacity) return;
        _entries.Insert(at, entry);
        if (_entries.Count > Capacity) _entries.RemoveAt(_entries.Count - 1);
    }

    /// <summary>The ranking, most lamports first.</summary>
    public LargestAccount[] ToArray() => [.. _entries];

    private static bool Before(in LargestAccount a, in LargestAccount b) =>
        a.Lamports != b.Lamports ? a.Lamports > b.Lamports : a.Address.Span.SequenceCompareTo(b.Address.Span) < 0;
}
