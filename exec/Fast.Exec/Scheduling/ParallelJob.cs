namespace Fast.Exec.Scheduling;

/// <summary>
/// Work split into numbered parts that several threads take one at a time — the scheduler's
/// coordinator and its idle helpers (<see cref="SealevelScheduler.RunParallel"/>), or one thread
/// alone (<see cref="RunSerially"/>). Used between slots, e.g. for a bank's accounts-delta hash.
/// <para>Threads: a round is started and awaited by one thread; any thread may <see cref="Help"/>. A
/// round's state is one 64-bit word (round ‖ parts ‖ next part), so a helper still looking at a
/// finished round can never take a part of the next one: its compare-and-swap fails.</para>
/// </summary>
internal abstract class ParallelJob
{
    private const int PartBits = 24;
    private const long PartMask = (1L << PartBits) - 1;

    /// <summary>Most parts one round may have.</summary>
    public const int MaxParts = (int)PartMask;

    private long _state;
    private int _done;
    private int _parts;
    private Exception? _failure;

    /// <summary>Runs part <paramref name="part"/> of the current round (any thread; parts run concurrently).</summary>
    protected abstract void RunPart(int part);

    /// <summary>Whether the current round still has parts nobody took.</summary>
    public bool HasWork
    {
        get
        {
            long state = Volatile.Read(ref _state);
            return (state & PartMask) < ((state >> PartBits) & PartMask);
        }
    }

    /// <summary>Every part of the current round has finished.</summary>
    public bool IsDone => Volatile.Read(ref _done) >= _parts;

    /// <summary>Opens a round of <paramref name="parts"/> parts (the round's owner; after the previous round is done).</summary>
    public void Start(int parts)
    {
        if ((uint)parts > MaxParts) ThrowHelper.ThrowArgument(nameof(parts), $"at most {MaxParts} parts");
        _failure = null;
        _parts = parts;
        Volatile.Write(ref _done, 0);
        long round = (Volatile.Read(ref _state) >>> (2 * PartBits)) + 1;
        Interlocked.Exchange(ref _state, (round << (2 * PartBits)) | ((long)parts << PartBits));
    }

    /// <summary>Takes and runs parts of the current round until none is left (any thread).</summary>
    public void Help()
    {
        while (true)
        {
            long state = Volatile.Read(ref _state);
            int next = (int)(state & PartMask);
            if (next >= (int)((state >> PartBits) & PartMask)) return;
            if (Interlocked.CompareExchange(ref _state, state + 1, state) != state) continue;
            try
            {
                RunPart(next);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
            }
            Interlocked.Increment(ref _done);
        }
    }

    /// <summary>Runs a whole round of <paramref name="parts"/> on this thread.</summary>
    public void RunSerially(int parts)
    {
        Start(parts);
        Help();
        ThrowIfFailed();
    }

    /// <summary>Rethrows a part's failure (a bug) on the round's owner thread.</summary>
    public void ThrowIfFailed()
    {
        if (_failure is Exception failure) throw new InvalidOperationException("a part of a parallel job failed", failure);
    }
}
