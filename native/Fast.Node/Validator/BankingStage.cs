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
/// priority order), drops those that cannot land (unknown or expired blockhash, already
/// processed, a fee payer that cannot pay), copies the rest into a shared entry buffer, records
/// them into PoH, and only once PoH answers "recorded" executes them in the working bank with the
/// Sealevel scheduler — so a bank never holds a transaction its slot's ledger does not, and a
/// record refused at a slot boundary is simply re-recorded into the next slot. When PoH ends a
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
    private readonly Hash[] _leaves;
    private readonly Dictionary<Pubkey, ulong> _payerFees = [];
    private readonly HashSet<Signature> _batchSignatures = [];
    private TransactionResult[] _slotResults = new TransactionResult[4096];
    private int _slotResultCount;
    private int _slotCommitted;
    private ulong _cumulativeTransactions;
    private ulong _blockHeight;
    private long _slotStarted;
    private long _nextRecordId;
    private volatile bool _stopping;
    private Exception? _failure;

    private Bank _working;

    public BankingStage(BankForks forks, Bank working, ulong blockHeight, ulong cumulativeTransactions, SealevelScheduler scheduler, PohService poh,
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
        _leaves = new Hash[config.MaxEntryTransactions * TransactionLimits.MaxSignatures];
        _thread = new Thread(Run) { Name = "fast-banking", IsBackground = true };
        _chain.SetProcessed(working.Slot);
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
        _payerFees.Clear();
        _batchSignatures.Clear();
        Bank bank = _working;
        int count = 0;
        while (count < _transactions.Length && buffer.Length + TransactionLimits.MaxTransactionSize <= buffer.Array.Length && _input.TryDequeue(out VerifiedPacket packet))
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

    /// <summary>Read-only checks against the working bank; counts what it drops.</summary>
    private bool Admit(Bank bank, in TransactionView tx)
    {
        Signature signature = tx.FirstSignature;
        if (!_batchSignatures.Add(signature))
        {
            Counters.DroppedDuplicate++;
            return false;
        }
        if (!bank.IsBlockhashValid(tx.RecentBlockhash))
        {
            Counters.DroppedBlockhash++;
            return false;
        }
        if (bank.TryGetSignatureStatus(signature, out _, out _))
        {
            Counters.DroppedAlreadyProcessed++;
            return false;
        }
        Pubkey payer = tx.FeePayer;
        ulong fee = checked(bank.LamportsPerSignature * (ulong)tx.SignatureCount);
        ulong spent = _payerFees.GetValueOrDefault(payer);
        if (bank.GetBalance(payer) < checked(spent + fee))
        {
            Counters.DroppedFeePayer++;
            return false;
        }
        _payerFees[payer] = spent + fee;
        return true;
    }

    private void RecordAndExecute(EntryBuffer buffer, int count)
    {
        Hash mixin = Mixin(count);
        ReadOnlyMemory<byte> memory = buffer.Memory[..buffer.Length];
        while (true)
        {
            long id = ++_nextRecordId;
            PohRecord record = new(_working.Slot, mixin, count, memory, id);
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
            if (outcome.Status is PohRecordStatus.SlotEnded or PohRecordStatus.SlotNotStarted)
            {
                // The slot ended under us: nothing executed, so the same entry goes into the next slot.
                Counters.RecordsRetriedNextSlot++;
                WaitForSlotEnd(outcome.Slot);
                if (_stopping)
                {
                    buffer.Release();
                    buffer.Release();
                    return;
                }
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
        Bank bank = _working;
        _scheduler.Execute(bank, _transactions.AsSpan(0, count), _results);
        Counters.Entries++;
        Counters.Executed += count;
        EnsureSlotResults(count);
        int committed = 0;
        for (int i = 0; i < count; i++)
        {
            TransactionResult result = _results[i];
            int position = _slotResultCount++;
            _slotResults[position] = result;
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
        if (_thread.IsAlive) _thread.Join();
    }

    public void Dispose() => Stop();
}
