using Fast.Core.Codec;
using Fast.Core.Ledger;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Exec.Banking;
using Fast.Exec.Scheduling;

namespace Fast.Exec.Replay;

/// <summary>What replaying a slot's entries did.</summary>
public readonly record struct ReplayOutcome(DecodeResult Decode, int Entries, int Transactions, int Committed, int NotCommitted, Hash LastEntryHash)
{
    public bool DecodedAll => Decode.IsOk;
}

/// <summary>
/// Re-executes a slot's entries (the bytes the Blockstore returns) on a bank: parses the entries,
/// runs all their transactions in block order through the Sealevel scheduler, and reports the last
/// entry hash (the slot's last blockhash, for <see cref="Bank.Freeze"/>). PoH and signatures are
/// the caller's to verify. Keeps its buffers between slots; one thread at a time.
/// </summary>
public sealed class SlotReplayer(SealevelScheduler scheduler)
{
    private VerifiedTransaction[] _transactions = new VerifiedTransaction[256];
    private TransactionResult[] _results = new TransactionResult[256];
    private ulong[] _balances = new ulong[1024];
    private int _balanceCount;

    public SealevelScheduler Scheduler { get; } = scheduler;

    /// <summary>Results of the last replay, in block order.</summary>
    public ReadOnlySpan<TransactionResult> Results => _results.AsSpan(0, _lastCount);

    private int _lastCount;

    /// <summary>Balances of the last replay: per transaction in block order, its accounts' lamports before then after (see <see cref="SealevelScheduler.BalanceCount"/>).</summary>
    public ReadOnlySpan<ulong> Balances => _balances.AsSpan(0, _balanceCount);

    /// <summary>Account keys of transaction <paramref name="index"/> of the last replay (its share of <see cref="Balances"/> is twice this).</summary>
    public int AccountCount(int index) => _transactions[index].Layout.AccountKeyCount;

    public ReplayOutcome Replay(Bank bank, byte[] entries)
    {
        int count = 0;
        int entryCount = 0;
        int position = 0;
        Hash last = default;
        while (position < entries.Length)
        {
            DecodeResult decoded = EntryView.TryParsePrefix(entries.AsSpan(position), out EntryView entry);
            if (!decoded.IsOk) return new ReplayOutcome(new DecodeResult(decoded.Status, position + decoded.Offset), entryCount, 0, 0, 0, last);
            int txOffset = position + entry.Length - entry.TransactionBytes.Length;
            foreach (TransactionView tx in entry.Transactions)
            {
                if (count == _transactions.Length)
                {
                    Array.Resize(ref _transactions, count * 2);
                    Array.Resize(ref _results, count * 2);
                }
                _transactions[count++] = new VerifiedTransaction(entries, txOffset, tx.Layout);
                txOffset += tx.Length;
            }
            last = entry.Hash;
            position += entry.Length;
            entryCount++;
        }
        _balanceCount = SealevelScheduler.BalanceCount(_transactions.AsSpan(0, count));
        if (_balances.Length < _balanceCount) _balances = new ulong[Math.Max(_balanceCount, _balances.Length * 2)];
        Scheduler.Execute(bank, _transactions.AsSpan(0, count), _results, _balances.AsSpan(0, Math.Max(_balanceCount, 1)));
        _lastCount = count;
        int committed = 0;
        for (int i = 0; i < count; i++)
        {
            if (_results[i].IsCommitted) committed++;
        }
        return new ReplayOutcome(DecodeResult.Success, entryCount, count, committed, count - committed, last);
    }
}
