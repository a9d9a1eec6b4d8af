using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Fast.Core.Ledger;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Exec.Scheduling;

namespace Fast.Exec.Validity;

/// <summary>
/// The block rule "every signature of every transaction verifies", checked the way a replayer can
/// afford: all the block's signatures, in block order, are cut into batches of
/// <see cref="BatchSize"/> and each batch is checked with one BIP-340 batch equation
/// (<see cref="SchnorrBatch"/>; random weights seeded by a hash of the whole batch, so the check is
/// deterministic and a sender cannot predict the weights). The batches are parts of a
/// <see cref="ParallelJob"/> that the scheduler's idle workers share
/// (<see cref="SealevelScheduler.RunParallel"/>) when the block has more than one batch. Only when a
/// batch fails is it bisected (<see cref="SchnorrBatch.VerifyEach"/>, every invalid signature
/// confirmed singly) to name the first transaction with a bad signature — the answer
/// <see cref="FirstInvalidSingly"/> (one signature at a time, the definition) gives.
/// <para>Threads: one check at a time per instance, started on the thread that executes on the
/// scheduler; its parts run there and on the helpers, each taking one of this instance's batch
/// objects. Buffers grow to the largest block and are kept: no allocation per transaction or per
/// block in steady state.</para>
/// </summary>
public sealed class BlockSignatures : IDisposable
{
    /// <summary>
    /// Signatures per batch equation. Measured with <c>fast bench replay-verify</c> (batch 256 / 512 /
    /// 1,024 on 8,192 transfers): the batch gain flattens past 512 while a 2,048-transfer block still
    /// splits into 4 parts for 2 threads.
    /// </summary>
    public const int DefaultBatchSize = 512;

    private readonly Job _job;
    private readonly SchnorrBatch?[] _batches;
    private readonly int[] _batchTaken;
    private readonly bool[] _valid;
    private ReadOnlyMemory<byte> _entries;
    private int _count;
    private int[] _transaction = []; // per signature: the position of its transaction in the block
    private int[] _keyOffset = [];
    private int[] _signatureOffset = [];
    private int[] _messageOffset = [];
    private int[] _messageLength = [];
    private bool[] _partValid = [];
    private int _checkingThread;
    private long _partsOnHelpers;
    private bool _disposed;

    /// <param name="batchSize">Signatures per batch equation (1 .. <see cref="SchnorrBatchScratch.MaxCapacity"/>).</param>
    /// <param name="threads">Most threads that run parts at once (the scheduler's workers); each gets a batch object, made on first use.</param>
    public BlockSignatures(int batchSize = DefaultBatchSize, int threads = 2)
    {
        if (batchSize < 1 || batchSize > SchnorrBatchScratch.MaxCapacity) ThrowHelper.ThrowArgument(nameof(batchSize), $"1..{SchnorrBatchScratch.MaxCapacity}");
        if (threads < 1) ThrowHelper.ThrowArgument(nameof(threads), "at least one thread");
        BatchSize = batchSize;
        _batches = new SchnorrBatch?[threads];
        _batchTaken = new int[threads];
        _valid = new bool[batchSize];
        _job = new Job(this);
    }

    public int BatchSize { get; }

    /// <summary>Signatures the last check covered (not counting those of transactions found in <see cref="Known"/>).</summary>
    public int LastSignatureCount => _count;

    /// <summary>
    /// Transactions whose signatures this node already verified (null: none): a check skips each one it
    /// finds there — the same answer, since only transactions with every signature valid are added.
    /// </summary>
    public VerifiedTransactions? Known { get; init; }

    /// <summary>Batches, over this instance's life, that a thread other than the checking one verified (the workers took part).</summary>
    public long PartsOnHelpers => Interlocked.Read(ref _partsOnHelpers);

    /// <summary>
    /// The position (in block order, counting every transaction of every entry) of the first
    /// transaction with a signature that does not verify, or −1 when all verify. Batches run on
    /// <paramref name="workers"/>' threads when given and the block has more than one batch
    /// (call from the thread that executes on it, between executions). Entries are read as
    /// <see cref="EntryStream"/> reads them: a malformed tail ends the walk (the PoH rule rejects it).
    /// </summary>
    public int FirstInvalid(ReadOnlyMemory<byte> entries, SealevelScheduler? workers)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Collect(entries.Span);
        if (_count == 0) return -1;
        int parts = (_count + BatchSize - 1) / BatchSize;
        if (_partValid.Length < parts) _partValid = new bool[Math.Max(parts, 2 * _partValid.Length)];
        _entries = entries;
        _checkingThread = Environment.CurrentManagedThreadId;
        try
        {
            if (workers is null || parts < 2 || _batches.Length < 2) _job.RunSerially(parts);
            else workers.RunParallel(_job, parts);
            for (int part = 0; part < parts; part++)
            {
                if (_partValid[part]) continue;
                int first = FirstInvalidIn(part);
                if (first >= 0) return first;
            }
            return -1;
        }
        finally
        {
            _entries = default;
        }
    }

    /// <summary>The same answer by single verification of each signature in order, on this thread (the definition; a baseline).</summary>
    public static int FirstInvalidSingly(ReadOnlySpan<byte> entries)
    {
        int position = 0;
        foreach (EntryView entry in new EntryStream(entries))
        {
            foreach (TransactionView tx in entry.Transactions)
            {
                if (!TransactionSignatures.VerifyAll(tx)) return position;
                position++;
            }
        }
        return -1;
    }

    /// <summary>Records where each signature's key, signature and message lie in the block (offsets, so parts on other threads can read them).</summary>
    private void Collect(ReadOnlySpan<byte> entries)
    {
        ref byte origin = ref MemoryMarshal.GetReference(entries);
        int count = 0, position = 0;
        foreach (EntryView entry in new EntryStream(entries))
        {
            foreach (TransactionView tx in entry.Transactions)
            {
                if (Known is not null && Known.Contains(VerifiedTransactions.KeyOf(tx.Bytes)))
                {
                    position++;
                    continue;
                }
                int signatures = tx.SignatureCount;
                if (count + signatures > _transaction.Length) Grow(count + signatures);
                ReadOnlySpan<byte> message = tx.Message;
                int messageOffset = Offset(ref origin, message);
                for (int i = 0; i < signatures; i++)
                {
                    _transaction[count] = position;
                    _keyOffset[count] = Offset(ref origin, tx.GetAccountKeyBytes(i));
                    _signatureOffset[count] = Offset(ref origin, tx.GetSignatureBytes(i));
                    _messageOffset[count] = messageOffset;
                    _messageLength[count] = message.Length;
                    count++;
                }
                position++;
            }
        }
        _count = count;
    }

    private static int Offset(ref byte origin, ReadOnlySpan<byte> inside) =>
        (int)Unsafe.ByteOffset(ref origin, ref MemoryMarshal.GetReference(inside));

    private void Grow(int needed)
    {
        int size = Math.Max(needed, Math.Max(1024, 2 * _transaction.Length));
        Array.Resize(ref _transaction, size);
        Array.Resize(ref _keyOffset, size);
        Array.Resize(ref _signatureOffset, size);
        Array.Resize(ref _messageOffset, size);
        Array.Resize(ref _messageLength, size);
    }

    /// <summary>One part: its batch's signatures in one batch equation (any thread).</summary>
    private void VerifyPart(int part)
    {
        int slot = TakeBatch();
        try
        {
            SchnorrBatch batch = Fill(_batches[slot]!, part);
            _partValid[part] = batch.VerifyAll();
            if (Environment.CurrentManagedThreadId != _checkingThread) Interlocked.Increment(ref _partsOnHelpers);
        }
        finally
        {
            Volatile.Write(ref _batchTaken[slot], 0);
        }
    }

    /// <summary>The first bad transaction of a failed part, by bisection (on the checking thread, after the round): −1 when none is confirmed singly.</summary>
    private int FirstInvalidIn(int part)
    {
        int slot = TakeBatch();
        try
        {
            SchnorrBatch batch = Fill(_batches[slot]!, part);
            if (batch.VerifyEach(_valid) == 0) return -1;
            for (int i = 0; i < batch.Count; i++)
            {
                if (!_valid[i]) return _transaction[part * BatchSize + i];
            }
            return -1;
        }
        finally
        {
            Volatile.Write(ref _batchTaken[slot], 0);
        }
    }

    private SchnorrBatch Fill(SchnorrBatch batch, int part)
    {
        batch.Clear();
        ReadOnlySpan<byte> bytes = _entries.Span;
        int start = part * BatchSize, end = Math.Min(start + BatchSize, _count);
        for (int s = start; s < end; s++)
        {
            batch.TryAdd(bytes.Slice(_keyOffset[s], Schnorr.PublicKeySize), bytes.Slice(_messageOffset[s], _messageLength[s]),
                         bytes.Slice(_signatureOffset[s], Schnorr.SignatureSize));
        }
        return batch;
    }

    /// <summary>A free batch object (made on its first use; at most one per thread running parts, so one is always free).</summary>
    private int TakeBatch()
    {
        while (true)
        {
            for (int slot = 0; slot < _batches.Length; slot++)
            {
                if (Interlocked.CompareExchange(ref _batchTaken[slot], 1, 0) != 0) continue;
                // Room for every signature's own copy of a largest-possible message: TryAdd never refuses.
                _batches[slot] ??= new SchnorrBatch(BatchSize, BatchSize * TransactionLimits.MaxTransactionSize, XOnlyKeyCache.DefaultEntries);
                return slot;
            }
            Thread.SpinWait(16); // more threads than batch objects: wait for one (a mis-sized pool, never expected)
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (SchnorrBatch? batch in _batches) batch?.Dispose();
    }

    /// <summary>The check's batches as parts of a scheduler round.</summary>
    private sealed class Job(BlockSignatures owner) : ParallelJob
    {
        protected override void RunPart(int part) => owner.VerifyPart(part);
    }
}
