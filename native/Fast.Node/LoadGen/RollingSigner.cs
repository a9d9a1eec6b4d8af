using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Exec.Programs;

namespace Fast.Node.LoadGen;

/// <summary>What the rolling signer keeps ready, and how old a blockhash may be when sent.</summary>
/// <param name="WindowSize">Transfers per window (one blockhash each).</param>
/// <param name="Windows">Windows in the pool: the signer keeps at most this many signed ahead of the sender (fewer at a low send rate, see <see cref="RollingSigner.SetLead"/>).</param>
/// <param name="MaxSendAgeSlots">A transfer whose blockhash is older than this many slots (by <see cref="SlotClock"/>) is never sent.</param>
/// <param name="ConstantTimeSigning">
/// Sign each transfer with libsecp256k1's constant-time signer instead of
/// <see cref="VariableTimeBatchSigner"/> (the same signatures, about a quarter of the rate): for
/// comparing what the load generator's own signing costs the node it shares a machine with.
/// </param>
public sealed record RollingSignerOptions(int WindowSize, int Windows, int MaxSendAgeSlots, bool ConstantTimeSigning = false)
{
    /// <summary>
    /// Slots of the node's blockhash age (<see cref="TransactionLimits.BlockhashMaxAgeSlots"/>) kept in
    /// reserve for the time a sent transfer may still wait: the node's stage queues, a record retried
    /// into the next slot, a slow checkpoint. 30 slots is 18 s at 600 ms slots.
    /// </summary>
    public const int SafetyMarginSlots = 30;

    public const int DefaultMaxSendAgeSlots = TransactionLimits.BlockhashMaxAgeSlots - SafetyMarginSlots;
}

/// <summary>
/// bench-tps's signer: signs transfers in rolling windows just ahead of the sender, each window
/// with the newest blockhash the controller fetched from the node (getLatestBlockhash, refreshed
/// every second), and hands the sender only windows whose blockhash is younger than
/// <see cref="RollingSignerOptions.MaxSendAgeSlots"/> — older ones are recycled unsent and counted.
/// Transfer k goes from account k mod N to account (k + N/2) mod N, so any N/2 consecutive
/// transfers touch distinct accounts (conflict-free batches for Sealevel); the amount grows with
/// each pass over the accounts, so no two messages are equal even under one blockhash.
/// Signed in batches of 64 by <see cref="VariableTimeBatchSigner"/> (these keys are throwaway), or
/// one by one in constant time with <see cref="RollingSignerOptions.ConstantTimeSigning"/>.
/// Threads: <see cref="SetBlockhash"/> from the controller; <see cref="TrySignWindow"/> from the
/// signer thread(s) (and the pre-fill); <see cref="TryTake"/>, <see cref="IsFresh"/>, <see cref="Return"/>
/// and <see cref="Discard"/> from the sender threads. Windows move between them through concurrent queues.
/// </summary>
public sealed class RollingSigner : IDisposable
{
    private sealed record CurrentBlockhash(Hash Hash, ulong Slot);

    private readonly Keypair[] _accounts;
    private readonly Pubkey[] _keys;
    private readonly SlotClock _clock;
    private readonly Func<long> _now;
    private readonly RollingSignerOptions _options;
    private readonly ConcurrentQueue<TransferWindow> _free = new();
    private readonly ConcurrentQueue<TransferWindow> _ready = new();
    private readonly SemaphoreSlim _freeSignal = new(0);
    private CurrentBlockhash? _blockhash;
    private int _leadWindows;
    private int _claimed; // windows signed and waiting, or being signed: never more than the lead
    private long _nextIndex;
    private long _signed;
    private long _discardedStale;
    private Thread[] _threads = [];
    private volatile bool _stop;

    public RollingSigner(IReadOnlyList<Keypair> accounts, SlotClock clock, RollingSignerOptions options, Func<long>? now = null)
    {
        if (accounts.Count < 2) throw new ArgumentException("need at least 2 accounts", nameof(accounts));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.WindowSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Windows, 1);
        _accounts = [.. accounts];
        _keys = [.. accounts.Select(a => new Pubkey(a.PublicKey))];
        _clock = clock;
        _options = options;
        _now = now ?? Stopwatch.GetTimestamp;
        for (int i = 0; i < options.Windows; i++) _free.Enqueue(new TransferWindow(options.WindowSize));
        _leadWindows = options.Windows;
    }

    /// <summary>
    /// How far ahead of the sender to sign: about <paramref name="transfers"/> (the send rate × the
    /// lead time, set by the controller as the rate moves), in whole windows, at least one and at most
    /// the pool. A lead sized for the top rate would, at a low one, hold windows long enough to go stale.
    /// </summary>
    public void SetLead(double transfers) =>
        Volatile.Write(ref _leadWindows, (int)Math.Clamp(Math.Ceiling(transfers / _options.WindowSize), 1, _options.Windows));

    /// <summary>Transfers signed so far.</summary>
    public long Signed => Interlocked.Read(ref _signed);

    /// <summary>Signed transfers recycled unsent because their blockhash grew older than the margin.</summary>
    public long DiscardedStale => Interlocked.Read(ref _discardedStale);

    /// <summary>Windows signed and waiting for the sender.</summary>
    public int Ready => _ready.Count;

    /// <summary>Transfers each window holds.</summary>
    public int WindowSize => _options.WindowSize;

    /// <summary>The blockhash new windows are signed with: the node's newest, fetched by the controller.</summary>
    public void SetBlockhash(in Hash hash, ulong slot)
    {
        CurrentBlockhash? current = Volatile.Read(ref _blockhash);
        if (current is not null && (current.Hash == hash || slot < current.Slot)) return;
        Volatile.Write(ref _blockhash, new CurrentBlockhash(hash, slot));
    }

    /// <summary>The blockhash new windows are signed with, or null before the first.</summary>
    public (Hash Hash, ulong Slot)? Blockhash => Volatile.Read(ref _blockhash) is { } b ? (b.Hash, b.Slot) : null;

    /// <summary>Whether a transfer naming a blockhash of <paramref name="blockhashSlot"/> may still be sent now.</summary>
    public bool IsFresh(ulong blockhashSlot)
    {
        ulong slot = _clock.Estimate(_now());
        return slot <= blockhashSlot || slot - blockhashSlot <= (ulong)_options.MaxSendAgeSlots;
    }

    /// <summary>
    /// Signs one free window with the current blockhash and queues it for the sender; false when
    /// the lead (<see cref="SetLead"/>) is signed already, or there is no blockhash young enough to sign with.
    /// </summary>
    public bool TrySignWindow()
    {
        CurrentBlockhash? blockhash = Volatile.Read(ref _blockhash);
        if (blockhash is null || !IsFresh(blockhash.Slot)) return false;
        int claimed;
        do
        {
            claimed = Volatile.Read(ref _claimed);
            if (claimed >= Volatile.Read(ref _leadWindows)) return false;
        }
        while (Interlocked.CompareExchange(ref _claimed, claimed + 1, claimed) != claimed);
        if (!_free.TryDequeue(out TransferWindow? window))
        {
            Interlocked.Decrement(ref _claimed);
            return false;
        }
        int count = window.Capacity;
        long first = Interlocked.Add(ref _nextIndex, count) - count;
        for (int start = 0; start < count; start += VariableTimeBatchSigner.MaxBatch)
        {
            SignTransfers(window, first, start, Math.Min(VariableTimeBatchSigner.MaxBatch, count - start), blockhash.Hash);
        }
        window.Blockhash = blockhash.Hash;
        window.BlockhashSlot = blockhash.Slot;
        window.FirstIndex = first;
        window.Position = 0;
        Interlocked.Add(ref _signed, count);
        _ready.Enqueue(window);
        return true;
    }

    [System.Runtime.CompilerServices.InlineArray(VariableTimeBatchSigner.MaxBatch)]
    private struct SignerBatch
    {
        private Keypair _element;
    }

    /// <summary>Writes and signs transfers <paramref name="start"/> .. + <paramref name="count"/> of the window (at most one signer batch).</summary>
    private void SignTransfers(TransferWindow window, long first, int start, int count, in Hash blockhash)
    {
        int n = _accounts.Length;
        SignerBatch batch = default;
        Span<Keypair> signers = batch;
        Span<int> messageOffsets = stackalloc int[count];
        Span<int> messageLengths = stackalloc int[count];
        Span<int> signatureOffsets = stackalloc int[count];
        for (int i = 0; i < count; i++)
        {
            int slot = start + i;
            long k = first + slot;
            int from = (int)(k % n);
            int to = (int)((k + n / 2) % n);
            ulong lamports = 1 + (ulong)(k / n);
            int offset = window.Offsets[slot];
            Span<byte> tx = window.Buffer.AsSpan(offset, TransferWindow.Stride);
            window.Lengths[slot] = (ushort)SystemTransaction.WriteTransferUnsigned(tx, _keys[from], _keys[to], lamports, blockhash);
            if (_options.ConstantTimeSigning) SystemTransaction.Sign(tx, _accounts[from]);
            signers[i] = _accounts[from];
            messageOffsets[i] = offset + SystemTransaction.MessageOffset;
            messageLengths[i] = SystemTransaction.MessageLength;
            signatureOffsets[i] = offset + 1;
        }
        if (!_options.ConstantTimeSigning)
        {
            VariableTimeBatchSigner.Sign(signers[..count], window.Buffer, messageOffsets, messageLengths, signatureOffsets);
        }
        for (int i = 0; i < count; i++)
        {
            int offset = window.Offsets[start + i];
            window.Signatures[start + i] = new Signature(window.Buffer.AsSpan(offset + 1, Signature.Size));
        }
    }

    /// <summary>
    /// The oldest signed window whose blockhash is still fresh; stale windows met on the way are
    /// recycled unsent (counted in <see cref="DiscardedStale"/>). False when none is ready.
    /// </summary>
    public bool TryTake([NotNullWhen(true)] out TransferWindow? window)
    {
        while (_ready.TryDequeue(out window))
        {
            Interlocked.Decrement(ref _claimed);
            if (IsFresh(window.BlockhashSlot)) return true;
            Discard(window);
        }
        return false;
    }

    /// <summary>Gives a window back to the signer once sent (or at the end of the run).</summary>
    public void Return(TransferWindow window)
    {
        window.Position = window.Capacity;
        _free.Enqueue(window);
        _freeSignal.Release();
    }

    /// <summary>Gives a window whose blockhash grew too old back to the signer; its unsent transfers are counted.</summary>
    public void Discard(TransferWindow window)
    {
        Interlocked.Add(ref _discardedStale, window.Capacity - window.Position);
        Return(window);
    }

    /// <summary>Signs every free window now (in parallel), before the timed phase; the windows signed.</summary>
    public int PreFill()
    {
        int signed = 0;
        Parallel.For(0, _options.Windows, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, _ =>
        {
            if (TrySignWindow()) Interlocked.Increment(ref signed);
        });
        return signed;
    }

    /// <summary>Starts <paramref name="threads"/> signer threads that keep every free window signed.</summary>
    public void Start(int threads)
    {
        _threads = new Thread[Math.Max(1, threads)];
        for (int t = 0; t < _threads.Length; t++)
        {
            _threads[t] = new Thread(SignLoop) { Name = $"bench-tps-sign-{t}", IsBackground = true };
            _threads[t].Start();
        }
    }

    private void SignLoop()
    {
        while (!_stop)
        {
            if (!TrySignWindow()) _freeSignal.Wait(10);
        }
    }

    public void Dispose()
    {
        _stop = true;
        foreach (Thread t in _threads) t.Join();
        _freeSignal.Dispose();
    }
}
