using System.Diagnostics;

namespace Fast.Node.Validator;

/// <summary>
/// Watches the free space of the ledger's filesystem (statvfs) and says when the node must stop: below
/// the reserve, the next Blockstore commit or accounts checkpoint would fail with ENOSPC, and FASTER
/// 2.6.5 does not always report a failed write (a checkpoint just never completes). Stopping first keeps
/// every confirmed slot durable and leaves room for the Blockstore's last commit. Polled by the
/// command's main loop (one thread); checks at most every <see cref="Interval"/>.
/// </summary>
internal sealed class DiskGuard(string ledger, long reserveBytes)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    private const int Enospc = 28;

    private long _lastCheck;

    /// <summary>True once the reserve was crossed.</summary>
    public bool Full { get; private set; }

    /// <summary>Why the node must stop (one line naming the path and the errno it avoids), or null.</summary>
    public string? Check()
    {
        if (reserveBytes <= 0 || Stopwatch.GetElapsedTime(_lastCheck) < Interval) return null;
        _lastCheck = Stopwatch.GetTimestamp();
        long free;
        try
        {
            free = new DriveInfo(Path.GetFullPath(ledger)).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return $"{ledger}: cannot read the filesystem's free space ({e.Message})";
        }
        if (free >= reserveBytes) return null;
        Full = true;
        return $"{Path.GetFullPath(ledger)}: no space left on device (ENOSPC, errno {Enospc}): {free} bytes free, below the {reserveBytes >> 20} MiB reserve (--min-free-disk-mb); stopped producing";
    }
}
