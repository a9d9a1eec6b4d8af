using Fast.Core.Codec;
using Fast.Core.Collections;
using Fast.Core.Platform;
using Fast.Core.Transactions;
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
/// </summary>
public sealed class SigverifyStage : IDisposable
{
    public const int DefaultBatch = 64;

    private readonly PacketPool _pool;
    private readonly BoundedQueue<Packet> _input;
    private readonly BoundedQueue<VerifiedPacket> _output;
    private readonly SignatureDedup? _dedup;
    private readonly Thread[] _threads;
    private readonly int[]? _cores;
    private volatile bool _stopping;

    public SigverifyStage(PacketPool pool, BoundedQueue<Packet> input, BoundedQueue<VerifiedPacket> output, int threads, int[]? cores = null, SignatureDedup? dedup = null)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads));
        _pool = pool;
        _input = input;
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

    public void Start()
    {
        foreach (Thread t in _threads) t.Start();
    }

    private void Run(int worker)
    {
        if (_cores is { Length: > 0 }) CpuAffinity.TryPinCurrentThread(_cores[worker % _cores.Length], out _);
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
            // Idle: spin briefly for latency, then sleep so an idle node leaves its cores alone.
            if (++idle < 64) Thread.SpinWait(20);
            else Thread.Sleep(1);
        }
    }

    /// <summary>Verifies one packet and forwards or drops it (also used directly by benchmarks).</summary>
    public void Process(Packet packet)
    {
        ReadOnlySpan<byte> data = _pool.Data(packet);
        DecodeResult decoded = TransactionView.TryParse(data, out TransactionView tx);
        if (!decoded.IsOk)
        {
            Interlocked.Increment(ref Counters.DroppedMalformed[(int)decoded.Status]);
            _pool.Return(packet.Slot);
            return;
        }
        PacketFingerprint fingerprint = default;
        if (_dedup is not null && _dedup.IsDuplicate(data, out fingerprint))
        {
            Interlocked.Increment(ref Counters.DroppedDuplicate);
            _pool.Return(packet.Slot);
            return;
        }
        if (!TransactionSignatures.VerifyAll(tx))
        {
            _dedup?.Remember(fingerprint); // a bad signature stays bad: a flood of it costs one check
            Interlocked.Increment(ref Counters.DroppedInvalidSignature);
            _pool.Return(packet.Slot);
            return;
        }
        // Remembered only once forwarded: after a drop for a full queue, the same bytes may come again.
        // (The fingerprint was taken before: once enqueued, the buffer is banking's.)
        if (!_output.TryEnqueue(new VerifiedPacket(packet, tx.Layout)))
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
        foreach (Thread t in _threads)
        {
            if (t.IsAlive) t.Join();
        }
    }

    public void Dispose() => Stop();
}
