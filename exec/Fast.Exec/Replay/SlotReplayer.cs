using Fast.Core.Codec;
using Fast.Core.Ledger;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Exec.Banking;
using Fast.Exec.Scheduling;

namespace Fast.Exec.Replay;

/// <summary>Which block-validity rule (docs/block-validity.md) a replayed block broke.</summary>
public enum BlockRuleViolation : byte
{
    None,

    /// <summary>Its transactions declare more new account data than <see cref="Validity.AccountDataBudget.MaxNewDataBytesPerBlock"/>.</summary>
    AccountDataBlockLimit,

    /// <summary>It carries more transactions or signatures than <see cref="Validity.BlockCapacity"/> allows.</summary>
    BlockCapacity,

    /// <summary>It carries a transaction that was not committed — that did not pay its fee (fee payer, blockhash, duplicate).</summary>
    UncommittedTransaction,
}

/// <summary>
/// What replaying a slot's entries did. A block that does not decode or breaks a rule is invalid:
/// the caller discards the bank (<see cref="IsValid"/>).
/// </summary>
public readonly record struct ReplayOutcome(DecodeResult Decode, int Entries, int Transactions, int Committed, int NotCommitted, Hash LastEntryHash,
    BlockRuleViolation Violation = BlockRuleViolation.None, int ViolationIndex = -1, TransactionError ViolationError = TransactionError.None)
{
    public bool DecodedAll => Decode.IsOk;

    public bool IsValid => DecodedAll && Violation == BlockRuleViolation.None;

    /// <summary>One line on why the block is invalid (cold).</summary>
    public string Describe() => !DecodedAll ? $"does not decode ({Decode})"
        : Violation switch
        {
            BlockRuleViolation.AccountDataBlockLimit => $"transaction {ViolationIndex} takes the block's new account data past {Validity.AccountDataBudget.MaxNewDataBytesPerBlock} bytes",
            BlockRuleViolation.BlockCapacity => $"transaction {ViolationIndex} takes the block past {Core.Transactions.TransactionLimits.MaxTransactionsPerBlock} transactions or {Validity.BlockCapacity.MaxSignaturesPerBlock} signatures",
            BlockRuleViolation.UncommittedTransaction => $"transaction {ViolationIndex} did not pay its fee ({ViolationError})",
            _ => "valid",
        };
}

/// <summary>
/// Re-executes a slot's entries (the bytes the Blockstore returns) on a bank: parses the entries,
/// runs all their transactions in block order through the Sealevel scheduler, and reports the last
/// entry hash (the slot's last blockhash, for <see cref="Bank.Freeze"/>). Applies the block rules
/// that need execution, with the functions the leader's <see cref="Validity.EntryAdmission"/>
/// applies: the block's transaction and signature counts (<see cref="Validity.BlockCapacity"/>) and
/// new account data (<see cref="Validity.AccountDataBudget"/>), checked before anything runs, and "every transaction pays its fee" (every result committed, checked by
/// <see cref="Validity.FeeRule"/> inside execution); a block breaking one is invalid and its bank
/// must be discarded. PoH and signatures are the caller's to verify. Keeps its buffers between
/// slots; one thread at a time.
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
        ulong newData = 0;
        int blockSignatures = 0, blockTransactions = 0;
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
                if (!Validity.BlockCapacity.TryReserve(ref blockTransactions, ref blockSignatures, tx))
                {
                    return new ReplayOutcome(DecodeResult.Success, entryCount, count, 0, 0, last, BlockRuleViolation.BlockCapacity, count);
                }
                if (!Validity.AccountDataBudget.TryReserve(ref newData, tx))
                {
                    return new ReplayOutcome(DecodeResult.Success, entryCount, count, 0, 0, last, BlockRuleViolation.AccountDataBlockLimit, count);
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
        int committed = 0, firstUncommitted = -1;
        for (int i = 0; i < count; i++)
        {
            if (_results[i].IsCommitted) committed++;
            else if (firstUncommitted < 0) firstUncommitted = i;
        }
        return firstUncommitted < 0
            ? new ReplayOutcome(DecodeResult.Success, entryCount, count, committed, 0, last)
            : new ReplayOutcome(DecodeResult.Success, entryCount, count, committed, count - committed, last,
                BlockRuleViolation.UncommittedTransaction, firstUncommitted, _results[firstUncommitted].Error);
    }
}
