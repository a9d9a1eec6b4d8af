using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Fast.Core.Collections;
using Fast.Core.Ledger;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Exec.Validity;
using Fast.Node.Pipeline;

namespace Fast.Node.Cluster;

/// <summary>
/// Verifies the signatures of another leader's block while its shreds arrive, so replay at the slot's
/// end finds them done (<see cref="VerifiedTransactions"/>, read by replay's <see cref="BlockSignatures"/>).
/// Measured on a 4-validator devnet on 2 cores before it: blocks were whole ~50 ms after their slot
/// ended, then replay took 210–260 ms on average (p99 1.2 s), most of it the block's signatures, and
/// all replayers did it at once at each slot end; with replay's signatures off the nodes stayed within
/// 2 slots of each other. The network thread cuts each slot's arriving data shreds into whole entries
/// (<see cref="SlotEntryPrefixes"/>) and queues them here; this thread verifies them in BIP-340 batches
/// and records each transaction whose every signature verified. Work for a slot whose replay has
/// started is skipped (replay verifies what is missing itself), and a full queue drops a chunk (the
/// same): the pre-verifier can only save work, never change a verdict.
/// <para>Threads: <see cref="TryQueue"/> the network thread; <see cref="ReplayStarted"/> the banking thread; its own thread verifies.</para>
/// </summary>
public sealed class ReplayPreverifier : IDisposable
{
    /// <summary>Signatures per batch equation (the sigverify stage's default: a chunk waits ≤ ~20 ms).</summary>
    public const int BatchSignatures = SigverifyStage.DefaultBatchSignatures;

    private readonly record struct Chunk(ulong Slot, byte[] Bytes, int Length);

    private readonly BoundedQueue<Chunk> _queue = new(4096);
    private readonly Doorbell _doorbell = new();
    private readonly VerifiedTransactions _known;
    private readonly Thread _thread;
    private readonly Func<bool> _hasWork;
    private readonly SchnorrBatch _batch = new(BatchSignatures, BatchSignatures * TransactionLimits.MaxTransactionSize, XOnlyKeyCache.DefaultEntries);
    private readonly List<Chunk> _held = [];
    private readonly int[] _txChunk = new int[BatchSignatures];
    private readonly int[] _txOffset = new int[BatchSignatures];
    private readonly int[] _txLength = new int[BatchSignatures];
    private readonly int[] _txSignatures = new int[BatchSignatures];
    private readonly bool[] _valid = new bool[BatchSignatures];
    private int _txCount;
    private long _replayStartedSlot = -1;
    private volatile bool _stopping;

    public long ChunksQueued;
    public long ChunksDroppedQueueFull;
    public long ChunksSkippedReplayStarted;
    public long TransactionsVerified;
    public long TransactionsInvalid;

    public ReplayPreverifier(VerifiedTransactions known)
    {
        ArgumentNullException.ThrowIfNull(known);
        _known = known;
        _queue.Waker = _doorbell;
        _hasWork = () => !_queue.IsEmpty || _stopping;
        _thread = new Thread(Run) { Name = "fast-preverify", IsBackground = true };
    }

    public VerifiedTransactions Known => _known;

    /// <summary>The highest slot whose replay has started (−1: none): its chunks, and older ones, are skipped.</summary>
    public long ReplayStartedSlot => Volatile.Read(ref _replayStartedSlot);

    /// <summary>Set when the thread died (a bug): replay then verifies everything itself.</summary>
    public Exception? Failure { get; private set; }

    public void Start() => _thread.Start();

    /// <summary>Replay of <paramref name="slot"/> started (banking thread).</summary>
    public void ReplayStarted(ulong slot)
    {
        if ((long)slot > Volatile.Read(ref _replayStartedSlot)) Volatile.Write(ref _replayStartedSlot, (long)slot);
    }

    /// <summary>Queues whole entries of <paramref name="slot"/> (network thread); false when dropped (queue full).</summary>
    public bool TryQueue(ulong slot, ReadOnlySpan<byte> entries)
    {
        byte[] bytes = ArrayPool<byte>.Shared.Rent(entries.Length);
        entries.CopyTo(bytes);
        if (_queue.TryEnqueue(new Chunk(slot, bytes, entries.Length)))
        {
            Interlocked.Increment(ref ChunksQueued);
            return true;
        }
        ArrayPool<byte>.Shared.Return(bytes);
        Interlocked.Increment(ref ChunksDroppedQueueFull);
        return false;
    }

    private void Run()
    {
        try
        {
            while (!_stopping)
            {
                if (TryStep()) continue;
                if (_held.Count > 0) Flush(keep: null);
                else _doorbell.Wait(100, _hasWork);
            }
            if (_held.Count > 0) Flush(keep: null);
        }
        catch (Exception e)
        {
            Failure = e;
        }
    }

    /// <summary>Verifies everything queued on the calling thread (tests: the thread's own steps, never while it runs).</summary>
    internal void DrainOnThisThread()
    {
        if (_thread.IsAlive) throw new InvalidOperationException("the pre-verifier's thread is running");
        while (TryStep())
        {
        }
        if (_held.Count > 0) Flush(keep: null);
    }

    /// <summary>Takes one queued chunk into the batch (or skips it); false when the queue was empty.</summary>
    private bool TryStep()
    {
        if (!_queue.TryDequeue(out Chunk chunk)) return false;
        if ((long)chunk.Slot <= ReplayStartedSlot)
        {
            Interlocked.Increment(ref ChunksSkippedReplayStarted);
            ArrayPool<byte>.Shared.Return(chunk.Bytes);
            return true;
        }
        Add(chunk);
        return true;
    }

    /// <summary>Every transaction of the chunk into the batch, flushing it whenever the next one does not fit.</summary>
    private void Add(Chunk chunk)
    {
        _held.Add(chunk);
        ReadOnlySpan<byte> bytes = chunk.Bytes.AsSpan(0, chunk.Length);
        ref byte origin = ref MemoryMarshal.GetReference(bytes);
        foreach (EntryView entry in new EntryStream(bytes))
        {
            foreach (TransactionView tx in entry.Transactions)
            {
                int signatures = tx.SignatureCount;
                if (signatures == 0 || signatures > BatchSignatures) continue;
                if (_batch.Count + signatures > _batch.Capacity || _batch.FreeMessageBytes < signatures * tx.Message.Length || _txCount == BatchSignatures)
                {
                    Flush(keep: chunk); // the rest of this chunk still reads its buffer
                }
                ReadOnlySpan<byte> message = tx.Message;
                for (int i = 0; i < signatures; i++) _batch.TryAdd(tx.GetAccountKeyBytes(i), message, tx.GetSignatureBytes(i));
                _txChunk[_txCount] = _held.Count - 1;
                _txOffset[_txCount] = (int)Unsafe.ByteOffset(ref origin, ref MemoryMarshal.GetReference(tx.Bytes));
                _txLength[_txCount] = tx.Length;
                _txSignatures[_txCount] = signatures;
                _txCount++;
            }
        }
    }

    /// <summary>
    /// Verifies the batch; records every transaction whose signatures all verified; returns the chunks'
    /// buffers except <paramref name="keep"/>'s (the chunk being added, which stays held).
    /// </summary>
    private void Flush(Chunk? keep)
    {
        if (_batch.Count > 0)
        {
            bool all = _batch.VerifyAll();
            if (!all) _batch.VerifyEach(_valid);
            int signature = 0;
            for (int t = 0; t < _txCount; t++)
            {
                bool valid = true;
                for (int i = 0; i < _txSignatures[t]; i++) valid &= all || _valid[signature + i];
                signature += _txSignatures[t];
                if (!valid)
                {
                    Interlocked.Increment(ref TransactionsInvalid);
                    continue;
                }
                _known.Add(VerifiedTransactions.KeyOf(_held[_txChunk[t]].Bytes.AsSpan(_txOffset[t], _txLength[t])));
                Interlocked.Increment(ref TransactionsVerified);
            }
        }
        _batch.Clear();
        _txCount = 0;
        foreach (Chunk held in _held)
        {
            if (keep is not Chunk k || !ReferenceEquals(held.Bytes, k.Bytes)) ArrayPool<byte>.Shared.Return(held.Bytes);
        }
        _held.Clear();
        if (keep is Chunk kept) _held.Add(kept);
    }

    public void Dispose()
    {
        _stopping = true;
        _doorbell.Wake();
        if (_thread.IsAlive) _thread.Join();
        while (_queue.TryDequeue(out Chunk chunk)) ArrayPool<byte>.Shared.Return(chunk.Bytes);
        if (!_thread.IsAlive) _batch.Dispose();
    }
}
