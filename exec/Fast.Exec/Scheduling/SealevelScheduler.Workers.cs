using System.Diagnostics;
using Fast.Core.Platform;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Exec.Banking;
using Fast.Exec.Runtime;
using Fast.Storage.Accounts;

namespace Fast.Exec.Scheduling;

/// <summary>The execution side: running a batch (on any execution thread), its look-ahead prefetches, and the helper threads' loop.</summary>
public sealed partial class SealevelScheduler
{
    /// <summary>Runs a batch's transactions in order (any execution thread).</summary>
    private void ExecuteBatch(ExecutionBatch batch, ExecutionScratch scratch)
    {
        bool sampled = batch.Id % CpuSampleEvery == 0;
        long start = sampled ? ThreadClock.NowNanoseconds() : 0;
        Bank bank = _bank!;
        VerifiedTransaction[] txs = _txs;
        TransactionResult[] results = _results;
        int[] handleStart = _handleStart;
        int[] handles = _handles;
        int[] hashes = _hashes;
        StatusCache.Group[] statusGroup = _statusGroup;
        ulong[]? balances = _captureBalances ? _balances : null;
        AccountOverlay overlay = bank.OverlayForExecution;
        AccountOverlay? parent = bank.ParentOverlay;
        ulong fees = 0, signatures = 0, committed = 0;
        for (int k = 0; k < batch.Count; k++)
        {
            if (parent is not null)
            {
                // First touches load from the parent's overlay: start those memory loads a few transactions ahead.
                if (k + 4 < batch.Count) PrefetchLoads(parent, batch.Transactions[k + 4], entryStage: false);
                if (k + 2 < batch.Count) PrefetchLoads(parent, batch.Transactions[k + 2], entryStage: true);
            }
            int t = batch.Transactions[k];
            ref readonly VerifiedTransaction tx = ref txs[t];
            TransactionView view = tx.View;
            int count = tx.Layout.AccountKeyCount;
            Span<ulong> txBalances = balances is null ? [] : balances.AsSpan(2 * handleStart[t], 2 * count);
            TransactionResult result = TransactionProcessor.Execute(bank, view, handles.AsSpan(handleStart[t], count), hashes.AsSpan(handleStart[t], count), scratch, statusGroup[t], txBalances);
            results[t] = result;
            if (result.IsCommitted)
            {
                fees += result.Fee;
                signatures += tx.Layout.SignatureCount;
                committed++;
            }
        }
        batch.Fees = fees;
        batch.Signatures = signatures;
        batch.Committed = committed;
        batch.ExecutionNanoseconds = sampled ? ThreadClock.NowNanoseconds() - start : 0;
    }

    private void PrefetchLoads(AccountOverlay parent, int t, bool entryStage)
    {
        ref readonly VerifiedTransaction tx = ref _txs[t];
        if (!entryStage) StatusCache.Prefetch(_statusGroup[t], tx.Buffer.AsSpan(tx.Offset + tx.Layout.SignaturesOffset, Signature.Size));
        // The hashes, not the entries: an entry's first touch is its load (by this worker), and a hot account
        // loaded earlier in the slot only costs a needless prefetch.
        foreach (int hash in _hashes.AsSpan(_handleStart[t], tx.Layout.AccountKeyCount))
        {
            if (entryStage) parent.PrefetchEntry(hash);
            else parent.PrefetchSlot(hash);
        }
    }

    private void HelperLoop(int index)
    {
        IReadOnlyList<int>? cores = _options.HelperCores;
        if (cores is { Count: > 0 }) CpuAffinity.TryPinCurrentThread(cores[index % cores.Count], out _);
        ExecutionScratch scratch = _scratch[index + 1];
        long spinUntil = 0;
        while (true)
        {
            if (Volatile.Read(ref _parallel) is { HasWork: true } job)
            {
                job.Help(); // between slots: e.g. a part of the accounts-delta hash
                spinUntil = 0;
                continue;
            }
            if (_work.TryDequeue(out int slot))
            {
                try
                {
                    ExecuteBatch(_batches[slot], scratch);
                    _batches[slot].ByHelper = true;
                }
                catch (Exception e)
                {
                    // A bug, not a transaction failure: hand it to the coordinator rather than kill the process.
                    Interlocked.CompareExchange(ref _helperFailure, e, null);
                }
                while (!_done.TryEnqueue(slot)) Thread.SpinWait(1);
                spinUntil = 0;
                continue;
            }
            if (_stopping) return;
            long now = Stopwatch.GetTimestamp();
            if (spinUntil == 0) spinUntil = now + _idleSpinTicks;
            if (now < spinUntil && !_parkNow)
            {
                Thread.SpinWait(16);
                continue;
            }
            Interlocked.Increment(ref _sleepers);
            if (_work.IsEmpty && !_stopping && Volatile.Read(ref _parallel) is not { HasWork: true }) _wake.Wait();
            Interlocked.Decrement(ref _sleepers);
            spinUntil = 0;
        }
    }
}
