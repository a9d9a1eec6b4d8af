using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Exec.Banking;
using Fast.Storage;
using Fast.Storage.Accounts;

namespace Fast.Exec.Scheduling;

/// <summary>The coordinator's side: admitting transactions, account locks, building and completing batches.</summary>
public sealed partial class SealevelScheduler
{
    // Coordinator-thread state for the current execution.
    private int _count;
    private int _next;
    private int _remaining;
    private int _inFlight;
    private bool _stalled;
    private int _handleCursor;
    private readonly int[] _pending;
    private Hash _lastBlockhash;
    private bool _lastBlockhashKnown;
    private StatusCache.Group? _lastStatusGroup;
    private TransactionError _lastBlockhashAge;
    private int _pendingCount;

    // Lock state per overlay entry; batch ids and pass epochs only grow, so state left by earlier
    // executions (on any bank) never matches a live batch or pass.
    private AccountLock[] _locks = new AccountLock[1024];
    private long _batchCounter;
    private long _epoch;
    private SchedulerStats _stats;

    /// <summary>
    /// Fills <paramref name="batch"/> in order: first the transactions already waiting, then new
    /// ones while the window has room. A transaction that cannot go reserves its accounts for the
    /// rest of this pass, so nothing that conflicts with it overtakes it.
    /// </summary>
    private void BuildBatch(ExecutionBatch batch)
    {
        batch.Reset(++_batchCounter);
        long epoch = ++_epoch;
        int batchSize = _options.BatchSize;
        int kept = 0;
        int read = 0;
        for (; read < _pendingCount && batch.Count < batchSize; read++)
        {
            int t = _pending[read];
            if (!TrySchedule(t, batch, epoch)) _pending[kept++] = t;
        }
        if (read < _pendingCount)
        {
            Array.Copy(_pending, read, _pending, kept, _pendingCount - read);
            kept += _pendingCount - read;
        }
        _pendingCount = kept;
        while (batch.Count < batchSize && _pendingCount < _pending.Length && _next < _count)
        {
            int t = _next++;
            if (t + BytesPrefetchDistance < _count) PrefetchBytes(t + BytesPrefetchDistance);
            if (t + PrefetchDistance < _count) Prefetch(t + PrefetchDistance);
            Admit(t);
            if (!TrySchedule(t, batch, epoch)) _pending[_pendingCount++] = t;
        }
    }

    /// <summary>How many transactions ahead of admission the coordinator hashes keys and prefetches their index slots.</summary>
    private const int PrefetchDistance = 8;

    /// <summary>How many transactions ahead of admission the coordinator starts loading a transaction's key bytes (the first stage).</summary>
    private const int BytesPrefetchDistance = 16;

    /// <summary>Ring of the key hashes <see cref="Prefetch"/> computed, <see cref="TransactionLimits.MaxAccountKeys"/> per transaction, indexed by transaction mod this.</summary>
    private const int HashRing = 16;

    private readonly int[] _aheadHashes = new int[HashRing * TransactionLimits.MaxAccountKeys];

    /// <summary>Primes the look-ahead for the first transactions of an execution (later ones are prefetched as earlier ones are admitted).</summary>
    private void PrefetchFirst()
    {
        for (int t = 0; t < Math.Min(_count, BytesPrefetchDistance); t++) PrefetchBytes(t);
        for (int t = 0; t < Math.Min(_count, PrefetchDistance); t++) Prefetch(t);
    }

    /// <summary>First stage: starts loading the lines holding transaction <paramref name="t"/>'s account keys.</summary>
    private unsafe void PrefetchBytes(int t)
    {
        if (!Sse.IsSupported) return;
        ref readonly VerifiedTransaction tx = ref _txs[t];
        TransactionLayout layout = tx.Layout;
        ref byte keys = ref tx.Buffer[tx.Offset + layout.AccountKeysOffset];
        int length = layout.AccountKeyCount * Pubkey.Size;
        for (int offset = 0; offset < length; offset += 64) Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref keys, offset)));
        Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref keys, length - 1)));
    }

    /// <summary>
    /// Second stage: hashes transaction <paramref name="t"/>'s keys (kept for its <see cref="Admit"/>) and
    /// starts loading the index slots they land in.
    /// </summary>
    private void Prefetch(int t)
    {
        ref readonly VerifiedTransaction tx = ref _txs[t];
        TransactionLayout layout = tx.Layout;
        ReadOnlySpan<Pubkey> keys = MemoryMarshal.Cast<byte, Pubkey>(tx.Buffer.AsSpan(tx.Offset + layout.AccountKeysOffset, layout.AccountKeyCount * Pubkey.Size));
        AccountOverlay overlay = _bank!.OverlayForExecution;
        Span<int> hashes = _aheadHashes.AsSpan((t % HashRing) * TransactionLimits.MaxAccountKeys, keys.Length);
        for (int i = 0; i < keys.Length; i++)
        {
            int hash = SeededHash.Of(keys[i]);
            hashes[i] = hash;
            overlay.PrefetchSlot(hash);
        }
    }

    /// <summary>Resolves a transaction's account keys to entries of the bank's overlay (loading them on first touch).</summary>
    private void Admit(int t)
    {
        ref readonly VerifiedTransaction tx = ref _txs[t];
        TransactionLayout layout = tx.Layout;
        ReadOnlySpan<Pubkey> keys = MemoryMarshal.Cast<byte, Pubkey>(tx.Buffer.AsSpan(tx.Offset + layout.AccountKeysOffset, layout.AccountKeyCount * Pubkey.Size));
        AccountOverlay overlay = _bank!.OverlayForExecution;
        int start = _handleCursor;
        Span<int> handles = _handles.AsSpan(start, keys.Length);
        Span<int> hashes = _hashes.AsSpan(start, keys.Length);
        _aheadHashes.AsSpan((t % HashRing) * TransactionLimits.MaxAccountKeys, keys.Length).CopyTo(hashes); // computed by Prefetch
        for (int i = 0; i < keys.Length; i++) handles[i] = overlay.FindOrAddUnloaded(keys[i], hashes[i]);
        _handleStart[t] = start;
        _handleCursor = start + keys.Length;
        EnsureLockCapacity(overlay.Count);
    }

    /// <summary>True when transaction <paramref name="t"/> is scheduled into <paramref name="batch"/> or finished; false when it must wait.</summary>
    private bool TrySchedule(int t, ExecutionBatch batch, long epoch)
    {
        ref readonly VerifiedTransaction tx = ref _txs[t];
        TransactionLayout layout = tx.Layout;
        ReadOnlySpan<byte> blockhash = tx.Buffer.AsSpan(tx.Offset + layout.BlockhashOffset, Hash.Size);
        if (!_lastBlockhashKnown || !blockhash.SequenceEqual(_lastBlockhash.Span)) CheckBlockhash(blockhash);
        if (_lastBlockhashAge != TransactionError.None) return Finish(t, _lastBlockhashAge);

        ReadOnlySpan<int> handles = _handles.AsSpan(_handleStart[t], layout.AccountKeyCount);
        AccountLock[] locks = _locks;
        long batchId = batch.Id;
        for (int i = 0; i < handles.Length; i++)
        {
            if (Conflicts(ref locks[handles[i]], IsWritable(layout, i), batchId, epoch)) return Defer(handles, layout, epoch);
        }

        Bank bank = _bank!;
        AccountOverlay overlay = bank.OverlayForExecution;
        for (int i = 0; i < handles.Length; i++)
        {
            ref AccountLock entry = ref locks[handles[i]];
            if (entry.LastBatch != batchId)
            {
                entry.LastBatch = batchId;
                entry.Holders++;
                batch.Hold(handles[i]);
            }
            if (IsWritable(layout, i))
            {
                entry.WriteHeld = true;
            }
            else
            {
                // A shared entry may be read by several workers at once: load it now, while no worker can touch it.
                ref AccountEntry account = ref overlay[handles[i]];
                if (!account.Loaded) bank.Load(ref account, overlay.KeyAt(handles[i]), _hashes[_handleStart[t] + i]);
            }
        }
        _statusGroup[t] = _lastStatusGroup!;
        batch.Transactions[batch.Count++] = t;
        return true;
    }

    /// <summary>Looks up a blockhash the previous transaction did not share: its age here and its status-cache group.</summary>
    private void CheckBlockhash(ReadOnlySpan<byte> bytes)
    {
        Bank bank = _bank!;
        Hash blockhash = new(bytes);
        _lastBlockhash = blockhash;
        _lastBlockhashKnown = true;
        _lastBlockhashAge = bank.CheckAge(blockhash, out _);
        _lastStatusGroup = _lastBlockhashAge == TransactionError.None ? bank.Context.Status.GroupOf(blockhash) : null;
    }

    /// <summary>Ends a transaction that will not run (not committed): it takes no lock and holds nothing back.</summary>
    private bool Finish(int t, TransactionError error)
    {
        _results[t] = TransactionResult.NotCommitted(error);
        _remaining--;
        return true;
    }

    /// <summary>
    /// Whether taking this account (for write when <paramref name="write"/>) into batch
    /// <paramref name="batchId"/> would conflict: with another batch's lock, or with a reservation an
    /// earlier waiting transaction made in this pass. Sharing a lock with this batch is fine: the
    /// batch runs its transactions in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Conflicts(ref AccountLock entry, bool write, long batchId, long epoch)
    {
        if (entry.ReservedWriteEpoch == epoch || (write && entry.ReservedReadEpoch == epoch)) return true;
        if (entry.LastBatch == batchId) return write && entry.Holders > 1; // others read it too
        return entry.WriteHeld || (write && entry.Holders > 0);
    }

    private bool Defer(ReadOnlySpan<int> handles, in TransactionLayout layout, long epoch)
    {
        AccountLock[] locks = _locks;
        for (int i = 0; i < handles.Length; i++)
        {
            ref AccountLock entry = ref locks[handles[i]];
            if (IsWritable(layout, i)) entry.ReservedWriteEpoch = epoch;
            else entry.ReservedReadEpoch = epoch;
        }
        _stats.Deferrals++;
        return false;
    }

    /// <summary>Records a finished batch: statuses committed or cancelled, totals added, locks released (coordinator).</summary>
    private void Complete(ExecutionBatch batch)
    {
        bool sampled = batch.Id % CpuSampleEvery == 0;
        long start = sampled ? ThreadClock.NowNanoseconds() : 0;
        Bank bank = _bank!;
        _remaining -= batch.Count;
        if (sampled)
        {
            _stats.ExecutionNanoseconds += batch.ExecutionNanoseconds;
            _stats.SampledTransactions += batch.Count;
            if (batch.ByHelper)
            {
                _stats.HelperExecutionNanoseconds += batch.ExecutionNanoseconds;
                _stats.HelperSampledTransactions += batch.Count;
            }
        }
        bank.AddCommitted(batch.Fees, batch.Signatures, batch.Committed);
        AccountLock[] locks = _locks;
        for (int h = 0; h < batch.HeldCount; h++)
        {
            ref AccountLock entry = ref locks[batch.Held[h]];
            if (--entry.Holders == 0) entry.WriteHeld = false;
        }
        _stalled = false;
        ReturnBatch(batch);
        if (sampled) _stats.SchedulingNanoseconds += ThreadClock.NowNanoseconds() - start;
    }

    /// <summary>Writable: a signer before the read-only-signed tail, or a non-signer before the read-only-unsigned tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsWritable(in TransactionLayout layout, int index)
    {
        int required = layout.RequiredSignatures;
        return index < required ? index < required - layout.ReadonlySigned : index < layout.AccountKeyCount - layout.ReadonlyUnsigned;
    }

    private void EnsureLockCapacity(int entries)
    {
        if (entries <= _locks.Length) return;
        int size = _locks.Length;
        while (size < entries) size *= 2;
        Array.Resize(ref _locks, size);
    }
}
