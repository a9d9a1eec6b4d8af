using FASTER.core;
using Fast.Core.Primitives;

namespace Fast.Storage.Accounts;

/// <summary>
/// A streaming walk of the accounts log for cold, whole-store questions (the largest accounts):
/// unlike <see cref="AccountsDb.ReadAll"/> it keeps nothing — each record is handed to the caller,
/// who decides what to keep, so memory stays bounded by the caller's own state however many
/// accounts there are.
/// <para>Threads: any one thread besides the owner (an RPC background worker); FASTER's log iterator
/// is epoch-protected and runs beside the owner's writes and compaction. The caller must stop
/// scanning before the store is disposed.</para>
/// </summary>
public sealed partial class AccountsDb
{
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
        using IFasterScanIterator<SpanByte, SpanByte> iterator = _store.Log.Scan(_store.Log.BeginAddress, _store.Log.TailAddress);
        while (iterator.GetNext(out RecordInfo info))
        {
            ReadOnlySpan<byte> key = iterator.GetKey().AsReadOnlySpan();
            if (key.Length != Pubkey.Size || info.Tombstone) continue; // the root record, or a deletion
            if (!AccountRecord.TryReadHeader(iterator.GetValue().AsReadOnlySpan(), out ulong lamports, out _, out _)) continue; // never for a record this store wrote: skipped rather than trusted
            visited++;
            if (!visit(new Pubkey(key), lamports)) break;
        }
        return visited;
    }
}
