using Fast.Core.Primitives;

namespace Fast.Core.Poh;

/// <summary>The verifier across cores: contiguous chunks of equal hash counts, run on the caller and on thread-pool threads.</summary>
public static partial class PohVerifier
{
    /// <summary>Each calling thread keeps its last job (and its scratch arrays) for the next call, so steady state allocates nothing.</summary>
    [ThreadStatic]
    private static ParallelVerification? _spare;

    /// <summary>More chunks than this gain nothing (and the claim word has 20 bits for them).</summary>
    private const int MaxChunks = 1024;

    /// <summary>
    /// Chunks are claimed dynamically, so a few per thread let a thread that gets less CPU (a shared
    /// machine) take fewer of them; each chunk's tail runs with fewer chains interleaved, so not many more.
    /// </summary>
    private const int ChunksPerThread = 4;

    /// <summary>
    /// Verifies on up to <paramref name="maxDegreeOfParallelism"/> threads — the caller and .NET
    /// thread-pool threads — after cutting the entries into a few contiguous chunks per thread,
    /// each holding about the same number of hashes; threads claim chunks until none are left, and
    /// each chunk is verified as in the single-thread overload.
    /// The verdict is the same as the single-thread one (the first bad entry overall).
    /// </summary>
    public static PohVerifyResult Verify(in Hash start, ReadOnlyMemory<PohSegment> segments, int maxDegreeOfParallelism, PohHashPath path = PohHashPath.Default)
    {
        int threads = Math.Min(Math.Clamp(maxDegreeOfParallelism, 1, MaxChunks / ChunksPerThread), segments.Length);
        if (threads <= 1) return Verify(start, segments.Span, path);
        int chunks = Math.Min(threads * ChunksPerThread, segments.Length);

        ParallelVerification job = _spare ?? new ParallelVerification();
        _spare = null; // a nested call on this thread makes its own
        PohVerifyResult result = job.Run(start, segments, chunks, threads, Resolve(path));
        _spare = job;
        return result;
    }

    /// <summary>
    /// One parallel verification. The caller queues one work item per extra thread (the same object,
    /// queued several times: it implements <see cref="IThreadPoolWorkItem"/>, so queueing allocates
    /// nothing), then claims chunks itself; whoever finishes the last chunk wakes the caller.
    /// Chunks are claimed by compare-and-swap on one word holding (run, chunk count, next chunk),
    /// published only after the run's data is in place, so a work item that starts late — even
    /// during a later run of the same object — either finds nothing to claim or helps with that
    /// run; the object is therefore always reusable.
    /// Touched by the calling thread and by thread-pool threads.
    /// </summary>
    private sealed class ParallelVerification : IThreadPoolWorkItem
    {
        private readonly ManualResetEventSlim _done = new(false);

        public ParallelVerification()
        {
            // Block once now (1 ms, once per calling thread), so the event's lazily created lock exists before any measured run.
            _done.Wait(1);
        }
        private Hash _start;
        private ReadOnlyMemory<PohSegment> _segments;
        private PohHashPath _path;
        private byte[] _hashes = [];
        private ulong[] _counts = [];
        private int[] _bounds = [];
        private PohVerifyResult[] _results = [];
        private long _claims; // bits 0-19: next chunk, 20-39: chunk count, 40-63: run number
        private int _unfinishedChunks;

        public PohVerifyResult Run(in Hash start, ReadOnlyMemory<PohSegment> segments, int chunks, int threads, PohHashPath path)
        {
            _start = start;
            _segments = segments;
            _path = path;
            if (_hashes.Length < segments.Length * Hash.Size) _hashes = new byte[segments.Length * Hash.Size];
            if (_counts.Length < segments.Length) _counts = new ulong[segments.Length];
            if (_bounds.Length < chunks + 1) _bounds = new int[chunks + 1];
            if (_results.Length < chunks) _results = new PohVerifyResult[chunks];
            SplitByHashes(segments.Span, _bounds.AsSpan(0, chunks + 1));

            _done.Reset();
            Volatile.Write(ref _unfinishedChunks, chunks);
            long run = (Volatile.Read(ref _claims) >> 40) + 1;
            Interlocked.Exchange(ref _claims, (run << 40) | ((long)chunks << 20)); // publish: chunks may be claimed from here on
            for (int i = 1; i < threads; i++) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            RunChunks();
            _done.Wait();

            PohVerifyResult result = PohVerifyResult.Valid;
            for (int i = 0; i < chunks; i++)
            {
                if (!_results[i].IsValid)
                {
                    result = _results[i];
                    break;
                }
            }
            _segments = default; // every chunk is claimed and done: nothing reads it any more
            return result;
        }

        /// <summary>A thread-pool thread joins in: claims chunks until none are left.</summary>
        public void Execute() => RunChunks();

        private void RunChunks()
        {
            while (TryClaim(out int chunk))
            {
                RunChunk(chunk);
                if (Interlocked.Decrement(ref _unfinishedChunks) == 0) _done.Set();
            }
        }

        private bool TryClaim(out int chunk)
        {
            while (true)
            {
                long claims = Volatile.Read(ref _claims);
                int next = (int)(claims & 0xFFFFF);
                if (next >= (int)((claims >> 20) & 0xFFFFF))
                {
                    chunk = -1;
                    return false;
                }
                if (Interlocked.CompareExchange(ref _claims, claims + 1, claims) == claims)
                {
                    chunk = next;
                    return true;
                }
            }
        }

        private void RunChunk(int chunk)
        {
            int from = _bounds[chunk], to = _bounds[chunk + 1];
            if (from == to)
            {
                _results[chunk] = PohVerifyResult.Valid;
                return;
            }
            ReadOnlySpan<PohSegment> all = _segments.Span;
            Hash start = from == 0 ? _start : all[from - 1].Hash;
            _results[chunk] = VerifyChunk(start, all[from..to], from, _hashes.AsSpan(from * Hash.Size, (to - from) * Hash.Size), _counts.AsSpan(from, to - from), _path);
        }

        /// <summary>Cuts at the entries where the running hash count crosses each k/chunks of the total.</summary>
        private static void SplitByHashes(ReadOnlySpan<PohSegment> segments, Span<int> bounds)
        {
            int chunks = bounds.Length - 1;
            UInt128 total = 0;
            foreach (PohSegment segment in segments) total += (UInt128)segment.NumHashes + 1; // +1: an entry costs something even at 0 hashes
            bounds[0] = 0;
            int chunk = 1;
            UInt128 running = 0;
            for (int i = 0; i < segments.Length && chunk < chunks; i++)
            {
                running += (UInt128)segments[i].NumHashes + 1;
                while (chunk < chunks && running * (uint)chunks >= total * (uint)chunk) bounds[chunk++] = i + 1;
            }
            while (chunk <= chunks) bounds[chunk++] = segments.Length;
        }
    }
}
