using FASTER.core;
using Fast.Core.Primitives;

using AccountSession = FASTER.core.ClientSession<FASTER.core.SpanByte, FASTER.core.SpanByte, FASTER.core.SpanByte,
    Fast.Storage.Accounts.AccountReadOutput, long, Fast.Storage.Accounts.AccountStoreFunctions>;

namespace Fast.Storage.Accounts;

/// <summary>
/// Reads that do not wait on the disk: a read FASTER cannot answer from memory is left pending on the
/// calling thread's session (FASTER's pending-I/O path), so a caller can start many disk reads, keep
/// them in flight together, and collect them later on the same thread — the RPC path (which must not
/// wait under the root lock) and the scheduler's preload of a block's cold accounts. A read may carry a
/// ticket (FASTER's per-operation context): its completion is then stored at that index, with no
/// search by key. Any thread (each thread has its own session); cold path (allocates only account data
/// arrays, and FASTER's own per-pending-read state).
/// <para>With <see cref="PreadLogDevice"/> (the default off Windows) the device read itself runs inside
/// the call that starts it — one pread, normally served by the page cache — and only FASTER's completion
/// bookkeeping is left for the collecting call; with FASTER's own device the read is on the thread pool
/// and the collecting call waits for it.</para>
/// </summary>
public sealed unsafe partial class AccountsDb
{
    private long _diskReadsStarted;
    private long _blockingDiskReads;

    /// <summary>Reads (<see cref="TryRead(in Pubkey, AccountDataPool?, out ulong, out Pubkey, out bool, out byte[])"/>) that found the record on disk and waited for it on the reading thread.</summary>
    public long BlockingDiskReads => Volatile.Read(ref _blockingDiskReads);

    /// <summary>Reads <see cref="TryReadWithoutWaiting(in Pubkey, out Account)"/> left to the disk (the record was not in memory).</summary>
    public long DiskReadsStarted => Volatile.Read(ref _diskReadsStarted);

    /// <summary>
    /// Reads an account if FASTER can answer from memory; false when the record is on disk. The disk
    /// read has then been started on this thread's session, and <see cref="CompletePendingReads(ReadOnlySpan{Pubkey}, ReadOnlySpan{bool}, Span{Account})"/>,
    /// on this same thread, waits for it — so a caller can drop a lock before it waits on the device. Any
    /// thread; allocates only the account's data array.
    /// </summary>
    public bool TryReadWithoutWaiting(in Pubkey key, out Account account) => TryReadWithoutWaiting(key, ticket: 0, out account);

    /// <summary>
    /// <see cref="TryReadWithoutWaiting(in Pubkey, out Account)"/> for a read whose completion
    /// <see cref="CompletePendingReadsByTicket"/> stores at index <paramref name="ticket"/>.
    /// </summary>
    public bool TryReadWithoutWaiting(in Pubkey key, int ticket, out Account account)
    {
        ThrowIfDisposed();
        AccountSession session = _sessions.Value!;
        AccountReadOutput output = default;
        fixed (byte* k = key.Span)
        {
            var keySpan = SpanByte.FromPointer(k, Pubkey.Size);
            SpanByte input = default;
            Status status = session.Read(ref keySpan, ref input, ref output, ticket);
            if (status.IsPending)
            {
                Interlocked.Increment(ref _diskReadsStarted);
                account = Account.Empty;
                return false;
            }
            account = status.Found ? ToAccount(key, output) : Account.Empty;
            return true;
        }
    }

    /// <summary>
    /// Queues this thread's disk reads from now until its next wait (<see cref="CompletePendingReads(ReadOnlySpan{Pubkey}, ReadOnlySpan{bool}, Span{Account})"/>,
    /// <see cref="CompletePendingReadsByTicket"/> or <see cref="EndReadBatch"/>) so that they reach the
    /// kernel in one system call (io_uring, see PreadLogDevice.Batch.cs) instead of one pread each.
    /// False, and nothing changes, where that cannot be done (FASTER's own device, no io_uring). The
    /// caller must end the batch on this thread (a finally), or FASTER would wait forever for reads
    /// never handed to the kernel.
    /// </summary>
    public bool BeginReadBatch() => _preadLog is not null && PreadLogDevice.BeginThreadReadBatch();

    /// <summary>Hands this thread's queued reads to the kernel and completes them (FASTER's callbacks run here); harmless without a batch.</summary>
    public static void EndReadBatch() => PreadLogDevice.EndThreadReadBatch();

    /// <summary>
    /// Waits for the reads <see cref="TryReadWithoutWaiting(in Pubkey, out Account)"/> started on this thread and stores each
    /// result in <paramref name="accounts"/> at every index whose key matches and whose
    /// <paramref name="pending"/> flag is set. Cold path (a disk read).
    /// </summary>
    public void CompletePendingReads(ReadOnlySpan<Pubkey> keys, ReadOnlySpan<bool> pending, Span<Account> accounts)
    {
        ThrowIfDisposed();
        EndReadBatch();
        AccountSession session = _sessions.Value!;
        session.CompletePendingWithOutputs(out CompletedOutputIterator<SpanByte, SpanByte, SpanByte, AccountReadOutput, long> completed, wait: true);
        using (completed)
        {
            while (completed.Next())
            {
                ref CompletedOutput<SpanByte, SpanByte, SpanByte, AccountReadOutput, long> current = ref completed.Current;
                ReadOnlySpan<byte> completedKey = current.Key.AsReadOnlySpan();
                if (completedKey.Length != Pubkey.Size) continue;
                Pubkey key = new(completedKey);
                Account account = current.Status.Found ? ToAccount(key, current.Output) : Account.Empty;
                for (int i = 0; i < keys.Length; i++)
                {
                    if (pending[i] && keys[i] == key) accounts[i] = account;
                }
            }
        }
        ThrowIfLogReadFailed();
    }

    /// <summary>
    /// Waits for the ticketed reads <see cref="TryReadWithoutWaiting(in Pubkey, int, out Account)"/> started on this
    /// thread and stores each result at its ticket in <paramref name="accountsByTicket"/>; returns how many
    /// completed. A ticket outside the span is a caller's bug (it throws, after every read has completed).
    /// </summary>
    public int CompletePendingReadsByTicket(Span<Account> accountsByTicket)
    {
        ThrowIfDisposed();
        EndReadBatch();
        AccountSession session = _sessions.Value!;
        session.CompletePendingWithOutputs(out CompletedOutputIterator<SpanByte, SpanByte, SpanByte, AccountReadOutput, long> completed, wait: true);
        int count = 0;
        bool outOfRange = false;
        using (completed)
        {
            while (completed.Next())
            {
                ref CompletedOutput<SpanByte, SpanByte, SpanByte, AccountReadOutput, long> current = ref completed.Current;
                long ticket = current.Context;
                ReadOnlySpan<byte> completedKey = current.Key.AsReadOnlySpan();
                if ((ulong)ticket >= (ulong)accountsByTicket.Length || completedKey.Length != Pubkey.Size)
                {
                    outOfRange = true;
                    continue;
                }
                accountsByTicket[(int)ticket] = current.Status.Found ? ToAccount(new Pubkey(completedKey), current.Output) : Account.Empty;
                count++;
            }
        }
        ThrowIfLogReadFailed();
        if (outOfRange) ThrowHelper.ThrowArgument(nameof(accountsByTicket), "a pending read's ticket is outside the span (or it was not an account read)");
        return count;
    }

    /// <summary>Log reads the device could not complete (a damaged or truncated log file; PreadLogDevice.cs); 0 on a healthy store.</summary>
    public long FailedLogReads => _preadLog?.ReadFailures ?? 0;

    /// <summary>
    /// FASTER 2.6.5 ignores a record read's error code (it would parse the zeroed buffer as "not found"),
    /// so after every wait on the disk the device's failure count is checked: once any log read has failed
    /// the store's answers cannot be trusted, and every disk read from then on is a <see cref="StorageException"/>.
    /// </summary>
    private void ThrowIfLogReadFailed()
    {
        if (_preadLog is PreadLogDevice device && device.ReadFailures != 0)
        {
            ThrowHelper.ThrowStorage($"the accounts log is damaged: {device.FirstReadFailure}");
        }
    }
}
