using FASTER.core;
using Fast.Core.Primitives;

namespace Fast.Storage.Accounts;

/// <summary>
/// A streaming walk of the accounts log for cold, whole-store questions (the largest accounts):
/// unlike <see cref="AccountsDb.ReadAll"/> it keeps nothing — each record is handed to the caller,
/// who decides what to keep, so memory stays bounded by the caller's own state however many
/// accounts there are.
/// <para>Threads: any one thread besides the owner (an RPC background worker); FASTER's log iterator
/// is epoch-protected and runs beside the owner's writes. Compaction may move the log's begin past
/// the scan: the scan then goes on from the new begin, since compaction copied every current record
/// of the slice it dropped to the tail, which the resumed scan reaches. The caller must stop
/// scanning before the store is disposed.</para>
/// </summary>
public sealed partial class AccountsDb
{
    /// <summary>Compactions a scan resumes from before it gives up (each needs the owner to compact a whole slice under it).</summary>
    public const int MaxScanResumes = 64;

    /// <summary>
    /// Visits every account record version in the log, oldest address first, with the key and the
    /// lamports that version holds (tombstones and the root record skipped). A key rewritten since
    /// appears more than once, and a version may be stale: a caller that needs the current balance
    /// reads the key again. <paramref name="visit"/> returns false to stop. Returns the records visited.
    /// </summary>
    public long ScanLamports(Func<Pubkey, ulong, bool> visit)
    {
        ArgumentNullException.ThrowIfNull(visit);
        ThrowIfDisposed();
        long visited = 0;
        long from = _store.Log.BeginAddress;
        for (int resumes = 0; ; resumes++)
        {
            long next = from;
            try
            {
                using IFasterScanIterator<SpanByte, SpanByte> iterator = _store.Log.Scan(from, _store.Log.TailAddress);
                // Between records, check that compaction has not dropped the log ahead of the scan: FASTER 2.6.5's
                // iterator would otherwise go on over truncated pages (or stop early) and miss what was copied forward.
                while (_store.Log.BeginAddress <= next && iterator.GetNext(out RecordInfo info))
                {
                    next = iterator.NextAddress;
                    ThrowIfLogReadFailed();
                    ReadOnlySpan<byte> key = iterator.GetKey().AsReadOnlySpan();
                    if (key.Length != Pubkey.Size || info.Tombstone) continue; // the root record, or a deletion
                    if (!AccountRecord.TryReadHeader(iterator.GetValue().AsReadOnlySpan(), out ulong lamports, out _, out _)) continue; // never for a record this store wrote: skipped rather than trusted
                    visited++;
                    if (!visit(new Pubkey(key), lamports)) return visited;
                }
            }
            catch (FasterException) when (_store.Log.BeginAddress > next)
            {
                // A compaction under the read of a page: resumed below, like any overtaking.
            }
            if (_store.Log.BeginAddress <= next) return visited;
            // Compaction dropped the part of the log ahead of the scan after copying its current records to the
            // tail: go on from the new begin to the new tail, which holds them.
            if (resumes >= MaxScanResumes) ThrowHelper.ThrowStorage($"the accounts scan was overtaken by compaction {MaxScanResumes} times");
            from = _store.Log.BeginAddress;
        }
    }
}
