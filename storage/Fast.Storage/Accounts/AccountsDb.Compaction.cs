using System.Diagnostics;
using FASTER.core;

namespace Fast.Storage.Accounts;

/// <summary>
/// Compaction of the accounts log: every root rewrites the accounts it touched at the tail, so the
/// log's oldest part is mostly superseded versions. <see cref="TryCompact"/> takes a slice from the
/// log's begin, copies the records still current to the tail (FASTER's lookup compaction) and moves
/// the begin past the slice; the next checkpoint persists the new begin and only then deletes the
/// log files below it, so a crash in between recovers the previous checkpoint with its files intact.
/// <para>It runs on the owner session and never while a checkpoint is being written: the copies
/// must precede the next checkpoint's version switch, or a checkpoint of the old version could
/// record the shifted begin without the copies.</para>
/// </summary>
public sealed partial class AccountsDb
{
    private long _passEnd = -1;   // the tail when the running compaction pass started; −1: none running
    private long _liveAfterPass;  // log bytes left by the last pass: an upper bound of the live data then

    /// <summary>
    /// The compaction policy, one slice per call (owner thread, e.g. once per root): a pass starts when
    /// the log spans more than max(<see cref="AccountsDbOptions.CompactAboveBytes"/>, twice what the
    /// previous pass left) and takes a <see cref="AccountsDbOptions.CompactionSliceBytes"/> slice per call
    /// until it has covered the log as it was when it started — so the log stays within about twice its
    /// live data, and a live set bigger than the threshold is not recopied over and over. False when no
    /// slice ran.
    /// </summary>
    public bool MaybeCompact(out CompactionReport report)
    {
        report = default;
        if (Options.CompactAboveBytes <= 0 || _inFlight is not null) return false;
        if (_passEnd < 0)
        {
            if (LogBytes <= Math.Max(Options.CompactAboveBytes, 2 * _liveAfterPass)) return false;
            _passEnd = _store.Log.TailAddress;
        }
        long page = PageSize;
        bool ran = TryCompact(Math.Min(Options.CompactionSliceBytes, _passEnd - _store.Log.BeginAddress), out report);
        if (_store.Log.BeginAddress >= (_passEnd & ~(page - 1)))
        {
            _passEnd = -1;
            _liveAfterPass = LogBytes;
        }
        return ran;
    }

    /// <summary>The hybrid log's page size (FASTER rounds the configured size down to a power of two).</summary>
    private long PageSize => 1L << System.Numerics.BitOperations.Log2((ulong)_settings.PageSize);

    /// <summary>Log bytes compaction has scanned and copied since open (the copied share is the live share of the old log).</summary>
    public long CompactedBytes { get; private set; }

    public long CompactionCopiedBytes { get; private set; }

    /// <summary>The log's begin address (logical; everything below it is gone or goes at the next checkpoint).</summary>
    public long LogBeginAddress => _store.Log.BeginAddress;

    /// <summary>
    /// Compacts up to <paramref name="maxBytes"/> of the log from its begin, in whole pages (at least
    /// one), and only the part already read-only (nothing the owner may still update in place). False, doing nothing, while a
    /// checkpoint is being written or when there is nothing to compact. Owner thread.
    /// </summary>
    public bool TryCompact(long maxBytes, out CompactionReport report)
    {
        ThrowIfDisposed();
        report = default;
        if (_inFlight is not null || maxBytes <= 0) return false; // not even a finished checkpoint still to be observed (it truncates)
        long begin = _store.Log.BeginAddress;
        // Slices end on a page start: a record never straddles pages, so the new begin is a record boundary.
        long page = PageSize;
        long until = Math.Min(begin + Math.Max(maxBytes, page), _store.Log.SafeReadOnlyAddress) & ~(page - 1);
        if (until <= begin) return false;
        long started = Stopwatch.GetTimestamp();
        long tail = _store.Log.TailAddress;
        long compacted = _sessions.Value!.Compact(until, CompactionType.Lookup);
        ThrowIfLogReadFailed(); // a slice read as zeros would have looked like nothing to keep
        long copied = _store.Log.TailAddress - tail;
        CompactedBytes += compacted - begin;
        CompactionCopiedBytes += copied;
        report = new CompactionReport(compacted - begin, copied, Stopwatch.GetElapsedTime(started));
        return true;
    }
}

/// <summary>One compaction slice: log bytes it covered, bytes of current records it copied to the tail, and how long it took.</summary>
public readonly record struct CompactionReport(long ScannedBytes, long CopiedBytes, TimeSpan Duration);
