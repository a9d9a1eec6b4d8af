using System.Diagnostics;
using Fast.Core.Collections;
using Fast.Core.Merkle;
using Fast.Core.Platform;
using Fast.Core.Poh;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Exec;
using Fast.Exec.Banking;
using Fast.Exec.Scheduling;
using Fast.Exec.Validity;
using Fast.Net.Packets;
using Fast.Node.Pipeline;
using Fast.Storage.Blocks;

namespace Fast.Node.Validator;

/// <summary>Tuning of the banking stage.</summary>
public sealed record BankingConfig
{
    /// <summary>Most transactions per entry (one PoH record, one Sealevel execution).</summary>
    public int MaxEntryTransactions { get; init; } = 512;

    /// <summary>A slot becomes root this many slots after it froze (Tower BFT: lockout depth 31).</summary>
    public ulong RootDistance { get; init; } = 31;

    /// <summary>Rooted slots of ledger to keep (0: all); see <see cref="LedgerRetention"/>.</summary>
    public ulong LimitLedgerSlots { get; init; }

    public int? Core { get; init; }
}

/// <summary>
/// The leader's banking stage: one named thread ("fast-banking") that owns the bank tree. It takes
/// verified transactions in arrival order (every fee per signature is equal, so that is the
/// priority order), drops those that cannot land — by <see cref="EntryAdmission"/>, the block
/// rules the replayer applies (unknown or expired blockhash, already processed, a fee payer that
/// will not be able to pay when the entry runs, the block's new-data budget spent) — copies the
/// rest into a shared entry buffer, records them into PoH, and only once PoH answers "recorded"
/// executes them in the working bank with the Sealevel scheduler — so a bank never holds a
/// transaction its slot's ledger does not, and the ledger never holds one that did not pay (block
/// space is never free: docs/block-validity.md). A record refused at a slot boundary is admitted
/// again against the next slot's bank and re-recorded there. PoH answers "recorded" only once the
/// entry is queued for the ledger: an entry it had no room for is retried for a moment, then its
/// transactions are dropped and counted; a slot PoH abandoned (a tick found the ledger's queue
/// full) is discarded with everything it executed, and the next bank builds on its parent. When PoH ends a
/// slot, it freezes the bank, roots the slot <see cref="BankingConfig.RootDistance"/> behind, and
/// opens the next bank. Threads: its own; talks to PoH, sigverify and the ledger writer only by queues.
/// </summary>
public sealed partial class BankingStage : IDisposable
{
    private readonly BankForks _forks;
    private readonly SealevelScheduler _scheduler;
    private readonly PohService _poh;
    private readonly PacketPool _packets;
    private readonly BoundedQueue<VerifiedPacket> _input;
    private readonly EntryBufferPool _entryBuffers;
    private readonly ChainState _chain;
    private readonly SignatureIndex _index;
    private readonly Blockstore _blockstore;
    private readonly Pubkey _identity;
    private readonly BankingConfig _config;
    private readonly TextWriter? _log;

    /// <summary>Roots slower than this are logged: banking (and RPC account reads) waited for them.</summary>
    private const double SlowRootMilliseconds = 50;
    private readonly Thread _thread;

    private readonly VerifiedTransaction[] _transactions;
    private readonly TransactionResult[] _results;
    private readonly ulong[] _balances; // the entry's pre/post balances, 2 per account key (SealevelScheduler.BalanceCount)
    private readonly SlotStatusBuffer _slotStatuses = new();
    private readonly Hash[] _leaves;
    private readonly EntryAdmission _admission = new();
    private TransactionResult[] _slotResults = new TransactionResult[4096];
    private int _slotResultCount;
    private int _slotCommitted;
    private ulong _cumulativeTransactions;
    private ulong _blockHeight;
    private long _slotStarted;
    private long _nextRecordId;
    private volatile bool _stopping;
    private Exception? _failure;

    private Bank? _working; // null on a cluster node between its leader slots

    public BankingStage(BankForks forks, Bank? working, ulong blockHeight, ulong cumulativeTransactions, SealevelScheduler scheduler, PohService poh,
        PacketPool packets, BoundedQueue<VerifiedPacket> input, EntryBufferPool entryBuffers, ChainState chain, SignatureIndex index,
        Blockstore blockstore, Pubkey identity, BankingConfig config, TextWriter? log = null)
    {
        _forks = forks;
        _working = working;
        _blockHeight = blockHeight;
        _cumulativeTransactions = cumulativeTransactions;
        _scheduler = scheduler;
        _poh = poh;
        _packets = packets;
        _input = input;
        _entryBuffers = entryBuffers;
        _chain = chain;
        _index = index;
        _blockstore = blockstore;
        _identity = identity;
        _config = config;
        _log = log;
        _transactions = new VerifiedTransaction[config.MaxEntryTransactions];
        _results = new TransactionResult[config.MaxEntryTransactions];
        _balances = new ulong[config.MaxEntryTransactions * 2 * TransactionLimits.MaxAccountKeys];
        _leaves = new Hash[config.MaxEntryTransactions * TransactionLimits.MaxSignatures];
        _thread = new Thread(Run) { Name = "fast-banking", IsBackground = true };
        if (working is not null) _chain.SetProcessed(working.Slot);
    }

    public BankingCounters Counters { get; } = new();

    /// <summary>Set when the banking thread died (a bug or a storage failure); the node stops.</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    public void Start()
    {
        _slotStarted = Stopwatch.GetTimestamp();
        _thread.Start();
    }

    private void Run()
    {
        if (_config.Core is int core) CpuAffinity.TryPinCurrentThread(core, out _);
        try
        {
            if (Cluster is not null)
            {
                RunCluster();
                return;
            }
            while (!_stopping)
            {
                ProcessSlotEnds();
                int count = Gather(out EntryBuffer? buffer);
                if (count == 0)
                {
                    Thread.Sleep(1);
                    continue;
                }
                RecordAndExecute(buffer!, count);
            }
        }
        catch (Exception e)
        {
            Volatile.Write(ref _failure, e);
        }
    }

    /// <summary>
    /// Takes verified packets, drops those that cannot land in the working bank, and copies the rest
    /// into an entry buffer (two references: this stage's and the ledger writer's).
    /// </summary>
    private int Gather(out EntryBuffer? buffer)
    {
        buffer = null;
        if (_input.IsEmpty) return 0;
        buffer = _entryBuffers.TryRent(references: 2);
        if (buffer is null)
        {
            Counters.NoEntryBuffer++;
            return 0;
        }
        Bank bank = _working!;
        _admission.BeginEntry(bank);
        int count = 0;
        // A block holds at most MaxTransactionsPerBlock transactions and MaxSignaturesPerBlock signatures (BlockCapacity):
        // once the slot is full, the rest wait for the next one.
        int room = TransactionLimits.MaxTransactionsPerBlock - _slotResultCount;
        while (count < _transactions.Length && count < room && _admission.BlockHasRoom && buffer.Length + TransactionLimits.MaxTransactionSize <= buffer.Array.Length
               && _input.TryDequeue(out VerifiedPacket packet))
        {
            ReadOnlySpan<byte> bytes = _packets.Data(packet.Packet);
            var tx = TransactionView.FromValidated(bytes, packet.Layout);
            if (Admit(bank, tx))
            {
                bytes.CopyTo(buffer.Array.AsSpan(buffer.Length));
                _transactions[count++] = new VerifiedTransaction(buffer.Array, buffer.Length, packet.Layout);
                buffer.Length += bytes.Length;
            }
            _packets.Return(packet.Packet.Slot);
        }
        if (count == 0)
        {
            buffer.Release();
            buffer.Release();
            buffer = null;
        }
        return count;
    }

    /// <summary>The block rules against the working bank and the entry so far (<see cref="EntryAdmission"/>); counts what it drops.</summary>
    private bool Admit(Bank bank, in TransactionView tx)
    {
        switch (_admission.Admit(bank, tx))
        {
            case Admission.Admitted:
                return true;
            case Admission.Duplicate:
                Counters.DroppedDuplicate++;
                return false;
            case Admission.Blockhash:
                Counters.DroppedBlockhash++;
                return false;
            case Admission.AlreadyProcessed:
                Counters.DroppedAlreadyProcessed++;
                return false;
            case Admission.BlockDataFull:
                Counters.DroppedBlockData++;
                return false;
            case Admission.BlockFull:
                Counters.DroppedBlockFull++;
                return false;
            default:
                Counters.DroppedFeePayer++;
                return false;
        }
    }

    /// <summary>
    /// Admits an entry's transactions again against the (new) working bank after a slot boundary
    /// refused its record (a blockhash may have expired, the block's data budget starts over),
    /// moving the ones that pass to the front of the buffer; returns how many remain.
    /// </summary>
    private int Readmit(EntryBuffer buffer, int count)
    {
        Bank? bank = _working;
        if (bank is null)
        {
            ForwardEntry(count); // a cluster node's slot ended and the next is not its own: to the leaders
            return 0;
        }
        _admission.BeginEntry(bank);
        int kept = 0, length = 0;
        for (int i = 0; i < count; i++)
        {
            VerifiedTransaction tx = _transactions[i];
            if (!Admit(bank, tx.View)) continue;
            int size = tx.Layout.Length;
            if (tx.Offset != length) buffer.Array.AsSpan(tx.Offset, size).CopyTo(buffer.Array.AsSpan(length));
            _transactions[kept++] = new VerifiedTransaction(buffer.Array, length, tx.Layout);
            length += size;
        }
        buffer.Length = length;
        return kept;
    }

    /// <summary>How long an entry waits for room in the ledger writer's queue before its transactions are dropped (clients retry).</summary>
    private static readonly long LedgerBehindPatience = Stopwatch.Frequency / 5;

    private void RecordAndExecute(EntryBuffer buffer, int count)
    {
        long ledgerBehindSince = 0;
        while (true)
        {
            Hash mixin = Mixin(count);
            ReadOnlyMemory<byte> memory = buffer.Memory[..buffer.Length];
            long id = ++_nextRecordId;
            PohRecord record = new(_working!.Slot, mixin, count, memory, id);
            SpinWait spin = default;
            while (!_poh.Records.TryEnqueue(record))
            {
                if (_stopping) return;
                spin.SpinOnce(sleep1Threshold: 20);
            }
            PohRecordOutcome outcome = AwaitOutcome(id);
            if (outcome.Status == PohRecordStatus.Recorded)
            {
                Execute(count);
                buffer.Release(); // ours; the ledger writer releases its own after persisting the entry
                return;
            }
            if (outcome.Status is PohRecordStatus.SlotEnded or PohRecordStatus.SlotNotStarted or PohRecordStatus.SlotAbandoned)
            {
                // The slot ended (or was abandoned) under us: nothing executed, so the same entry goes into the next slot.
                Counters.RecordsRetriedNextSlot++;
                WaitForSlotEnd(outcome.Slot);
                count = _stopping ? 0 : Readmit(buffer, count);
                if (count == 0)
                {
                    buffer.Release();
                    buffer.Release();
                    return;
                }
                continue;
            }
            if (outcome.Status == PohRecordStatus.LedgerBehind)
            {
                // Nothing was hashed: PoH had no room to queue the entry for the ledger. Retry briefly, then drop (counted).
                Counters.RecordsLedgerBehind++;
                long now = Stopwatch.GetTimestamp();
                if (ledgerBehindSince == 0) ledgerBehindSince = now;
                if (_stopping || now - ledgerBehindSince > LedgerBehindPatience)
                {
                    Counters.DroppedLedgerBehind += count;
                    buffer.Release();
                    buffer.Release();
                    return;
                }
                Thread.Sleep(1);
                ProcessSlotEnds();
                continue;
            }
            buffer.Release();
            buffer.Release();
            throw new InvalidOperationException($"PoH refused an entry of {count} transactions: {outcome.Status}");
        }
    }

    private PohRecordOutcome AwaitOutcome(long id)
    {
        long deadline = Stopwatch.GetTimestamp() + 10 * Stopwatch.Frequency;
        SpinWait spin = default;
        while (true)
        {
            if (_poh.RecordOutcomes.TryDequeue(out PohRecordOutcome outcome))
            {
                if (outcome.RecordId == id) return outcome;
                continue; // an outcome of an earlier attempt we gave up on
            }
            if (Stopwatch.GetTimestamp() > deadline || !_poh.IsRunning) throw new InvalidOperationException("PoH did not answer a record within 10 s");
            spin.SpinOnce(sleep1Threshold: 30);
        }
    }

    /// <summary>Merkle root of the entry's signatures, in order: the PoH mixin (EntryHashing's rule).</summary>
    private Hash Mixin(int count)
    {
        int leaves = 0;
        for (int i = 0; i < count; i++)
        {
            TransactionView tx = _transactions[i].View;
            for (int s = 0; s < tx.SignatureCount; s++) _leaves[leaves++] = MerkleTree.HashLeaf(tx.GetSignatureBytes(s));
        }
        return MerkleTree.ComputeRootInPlace(_leaves.AsSpan(0, leaves));
    }

    private void Execute(int count)
    {
        Bank bank = _working!;
        ReadOnlySpan<VerifiedTransaction> transactions = _transactions.AsSpan(0, count);
        _scheduler.Execute(bank, transactions, _results, _balances.AsSpan(0, SealevelScheduler.BalanceCount(transactions)));
        Counters.Entries++;
        Counters.Executed += count;
        EnsureSlotResults(count);
        int committed = 0;
        int balanceAt = 0;
        for (int i = 0; i < count; i++)
        {
            TransactionResult result = _results[i];
            int position = _slotResultCount++;
            _slotResults[position] = result;
            int balanceCount = 2 * _transactions[i].Layout.AccountKeyCount;
            _slotStatuses.Add(result, _balances.AsSpan(balanceAt, balanceCount));
            balanceAt += balanceCount;
            if (!result.IsCommitted)
            {
                Counters.NotCommitted++;
                continue;
            }
            committed++;
            if (!result.IsOk) Counters.FailedCommitted++;
            _index.Add(_transactions[i].View.FirstSignature, new SignatureLocation(bank.Slot, position, result.Error, result.InstructionIndex, result.Fee));
        }
        Counters.Committed += committed;
        _slotCommitted += committed;
        _chain.AddProcessedTransactions(committed);
    }

    private void EnsureSlotResults(int more)
    {
        if (_slotResultCount + more <= _slotResults.Length) return;
        Array.Resize(ref _slotResults, Math.Max(_slotResults.Length * 2, _slotResultCount + more));
    }

    public void Stop()
    {
        _stopping = true;
        _stopDoorbell?.Wake();
        if (_thread.IsAlive) _thread.Join();
        _forwardSocket?.Dispose();
        _blockSignatures?.Dispose();
    }

    public void Dispose() => Stop();
}
