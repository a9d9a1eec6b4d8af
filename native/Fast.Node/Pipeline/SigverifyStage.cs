using System.Diagnostics;
using Fast.Core.Codec;
using Fast.Core.Collections;
using Fast.Core.Platform;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Net.Packets;

namespace Fast.Node.Pipeline;

/// <summary>What sigverify did with each packet. Written by the sigverify threads (Interlocked), read by /metrics.</summary>
public sealed class SigverifyCounters
{
    public long Verified;
    public long DroppedInvalidSignature;
    public long DroppedDuplicate;
    public long DroppedOutputFull;
    /// <summary>Packets that did not decode as a transaction, by <see cref="DecodeStatus"/>.</summary>
    public readonly long[] DroppedMalformed = new long[Enum.GetValues<DecodeStatus>().Length];

    public long DroppedMalformedTotal
    {
        get
        {
            long total = 0;
            for (int i = 0; i < DroppedMalformed.Length; i++) total += Volatile.Read(ref DroppedMalformed[i]);
            return total;
        }
    }
}

/// <summary>
/// The sigverify stage: N named threads, each optionally pinned to a core, take packets from the
/// ingest queue in batches, parse each as a transaction (malformed: dropped, counted by status),
/// drop recent duplicates (a packet counts as seen once forwarded or found invalid, never when a
/// full queue dropped it), check every signature with libsecp256k1 (invalid: dropped, counted),
/// and pass the survivors with their layout to banking. Never blocks on banking: a full output
/// queue drops the newest and counts it. Dropped packets' slots go straight back to the pool.
/// Signatures are checked in BIP-340 batches (<see cref="SigverifyWorker"/>, one per thread) of up
/// to <c>batchSignatures</c>; a thread takes what the queue holds up to that and never waits for
/// more, so a packet waits at most for the batch ahead of it and its own; each batch is also sized
/// to take at most <see cref="BatchTimeBudgetMs"/> at the thread's measured rate.
/// <c>batchSignatures</c> = 1 verifies one at a time.
/// </summary>
public sealed class SigverifyStage : IDisposable
{
    /// <summary>Packets an unbatched thread takes from the queue per pass.</summary>
    public const int DefaultBatch = 64;

    /// <summary>
    /// Signatures per batch by default, chosen by measurement on this machine: at load ~2 a batch of
    /// 256 verified at 1.53× the single rate, 32.6 µs a signature, so 8.3 ms a batch and a packet
    /// waits at most for the batch in progress plus its own, 16.7 ms ≤ 20 ms; 512 gained 3 % more
    /// (1.58×) for twice the wait. (Under load 17-21, `fast bench sigverify`: 256 → 1.37-1.50×.)
    /// On a loaded core <see cref="BatchTimeBudgetMs"/> shrinks batches to keep the 20 ms.
    /// </summary>
    public const int DefaultBatchSignatures = 256;

    /// <summary>
    /// A batched thread sizes each batch so that verifying it takes at most this long at the rate it
    /// measured on the previous batch (never above the configured size): a packet then waits at most
    /// for the batch in progress and its own, 2 × 10 ms, however loaded the core is.
    /// </summary>
    public const int BatchTimeBudgetMs = 10;

    /// <summary>Batches smaller than this are not timed, and the time budget never shrinks a batch below it.</summary>
    public const int MinTimedBatch = 16;

    private readonly PacketPool _pool;
    private readonly BoundedQueue<Packet> _input;
    private readonly BoundedQueue<VerifiedPacket> _output;
    private readonly SignatureDedup? _dedup;
    private readonly Thread[] _threads;
    private readonly int[]? _cores;
    private readonly int _batchSignatures;
    private readonly Doorbell _doorbell = new();
    private readonly Func<bool> _hasInput;
    private volatile bool _stopping;

    public SigverifyStage(PacketPool pool, BoundedQueue<Packet> input, BoundedQueue<VerifiedPacket> output, int threads, int[]? cores = null,
                          SignatureDedup? dedup = null, int batchSignatures = DefaultBatchSignatures)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads));
        if (batchSignatures < 1 || batchSignatures > SchnorrBatchScratch.MaxCapacity) throw new ArgumentOutOfRangeException(nameof(batchSignatures));
        _batchSignatures = batchSignatures;
        _pool = pool;
        _input = input;
        _input.Waker = _doorbell; // the stage's threads sleep on it when the input is empty
        _hasInput = () => !_input.IsEmpty || _stopping;
        _output = output;
        _dedup = dedup;
        _cores = cores;
        _threads = new Thread[threads];
        for (int i = 0; i < threads; i++)
        {
            int worker = i;
            _threads[i] = new Thread(() => Run(worker)) { Name = $"fast-sigverify-{i}", IsBackground = true };
        }
    }

    public SigverifyCounters Counters { get; } = new();

    public int ThreadCount => _threads.Length;

    /// <summary>Signatures per batch (1: unbatched).</summary>
    public int BatchSignatures => _batchSignatures;

    public void Start()
    {
        foreach (Thread t in _threads) t.Start();
    }

    private void Run(int worker)
    {
        if (_cores is { Length: > 0 }) CpuAffinity.TryPinCurrentThread(_cores[worker % _cores.Length], out _);
        if (_batchSignatures == 1) RunUnbatched();
        else RunBatched();
    }

    private void RunUnbatched()
    {
        int idle = 0;
        while (!_stopping)
        {
            int processed = 0;
            while (processed < DefaultBatch && _input.TryDequeue(out Packet packet))
            {
                Process(packet);
                processed++;
            }
            if (processed > 0)
            {
                idle = 0;
                continue;
            }
            Idle(ref idle);
        }
    }

    private void RunBatched()
    {
        using SigverifyWorker batch = CreateWorker();
        int limit = _batchSignatures;
        double perSignatureTicks = 0; // smoothed, so one preemption mid-batch does not collapse the next batch
        int idle = 0;
        while (!_stopping)
        {
            // Take what is queued, up to a batch; never wait for more (that would only add latency).
            int taken = 0;
            while (!batch.IsFull && taken < limit && _input.TryDequeue(out Packet packet))
            {
                batch.Add(packet);
                taken++;
            }
            int signatures = batch.Signatures;
            long start = Stopwatch.GetTimestamp();
            batch.Flush();
            if (signatures >= MinTimedBatch)
            {
                double measured = (double)(Stopwatch.GetTimestamp() - start) / signatures;
                perSignatureTicks = perSignatureTicks == 0 ? measured : perSignatureTicks + (measured - perSignatureTicks) / 4;
                limit = NextBatchLimit(_batchSignatures, perSignatureTicks, Stopwatch.Frequency);
            }
            if (taken > 0)
            {
                idle = 0;
                continue;
            }
            Idle(ref idle);
        }
    }

    /// <summary>
    /// The next batch's size from the measured cost of a signature in recent batches (averaged, each
    /// batch weighing 1/4): as many signatures as fit in <see cref="BatchTimeBudgetMs"/> at this
    /// thread's current rate (a loaded core verifies slower), between <see cref="MinTimedBatch"/> and
    /// the configured batch size.
    /// </summary>
    internal static int NextBatchLimit(int configured, double perSignature, long ticksPerSecond)
    {
        if (perSignature <= 0) return configured;
        double fit = BatchTimeBudgetMs * (ticksPerSecond / 1000.0) / perSignature;
        return fit >= configured ? configured : Math.Max(MinTimedBatch, (int)fit);
    }

    /// <summary>Idle: spin briefly for latency, then sleep until a packet is queued (the input rings <see cref="_doorbell"/>), so an idle node leaves its cores alone.</summary>
    private void Idle(ref int idle)
    {
        if (++idle < 64) Thread.SpinWait(20);
        else _doorbell.Wait(100, _hasInput);
    }

    /// <summary>Verifies one packet on its own and forwards or drops it (the unbatched path; also used by tests).</summary>
    public void Process(Packet packet)
    {
        if (!Admit(packet, out TransactionLayout layout, out PacketFingerprint fingerprint)) return;
        var tx = TransactionView.FromValidated(_pool.Data(packet), layout);
        Finish(packet, layout, fingerprint, TransactionSignatures.VerifyAll(tx), sharedBatch: false);
    }

    /// <summary>A batch worker for the calling thread (each stage thread makes its own; benches and tests drive one directly).</summary>
    public SigverifyWorker CreateWorker() => new(this, _batchSignatures);

    /// <summary>
    /// Parses the packet and checks it against recent duplicates; false when it was dropped
    /// (malformed or duplicate: counted, its slot returned). The layout rebuilds the view without parsing again.
    /// </summary>
    internal bool Admit(Packet packet, out TransactionLayout layout, out PacketFingerprint fingerprint)
    {
        ReadOnlySpan<byte> data = _pool.Data(packet);
        fingerprint = default;
        layout = default;
        DecodeResult decoded = TransactionView.TryParse(data, out TransactionView tx);
        if (!decoded.IsOk)
        {
            Interlocked.Increment(ref Counters.DroppedMalformed[(int)decoded.Status]);
            _pool.Return(packet.Slot);
            return false;
        }
        if (_dedup is not null && _dedup.IsDuplicate(data, out fingerprint))
        {
            Interlocked.Increment(ref Counters.DroppedDuplicate);
            _pool.Return(packet.Slot);
            return false;
        }
        layout = tx.Layout;
        return true;
    }

    /// <summary>The bytes of a packet this stage holds.</summary>
    internal ReadOnlySpan<byte> Data(in Packet packet) => _pool.Data(packet);

    /// <summary>
    /// Forwards a packet whose signatures all verified, or drops it. <paramref name="sharedBatch"/>:
    /// it was verified in a batch with other packets, so an identical copy earlier in the same batch
    /// may have been forwarded (or found invalid) since it was admitted — then it is a duplicate.
    /// </summary>
    internal void Finish(Packet packet, in TransactionLayout layout, in PacketFingerprint fingerprint, bool valid, bool sharedBatch)
    {
        if (sharedBatch && _dedup is not null && _dedup.IsRemembered(fingerprint))
        {
            Interlocked.Increment(ref Counters.DroppedDuplicate);
            _pool.Return(packet.Slot);
            return;
        }
        if (!valid)
        {
            _dedup?.Remember(fingerprint); // a bad signature stays bad: a flood of it costs one check
            Interlocked.Increment(ref Counters.DroppedInvalidSignature);
            _pool.Return(packet.Slot);
            return;
        }
        // Remembered only once forwarded: after a drop for a full queue, the same bytes may come again.
        // (The fingerprint was taken before: once enqueued, the buffer is banking's.)
        if (!_output.TryEnqueue(new VerifiedPacket(packet, layout)))
        {
            Interlocked.Increment(ref Counters.DroppedOutputFull);
            _pool.Return(packet.Slot);
            return;
        }
        _dedup?.Remember(fingerprint);
        Interlocked.Increment(ref Counters.Verified);
    }

    public void Stop()
    {
        _stopping = true;
        _doorbell.Wake();
        foreach (Thread t in _threads)
        {
            if (t.IsAlive) t.Join();
        }
    }

    public void Dispose() => Stop();
}
