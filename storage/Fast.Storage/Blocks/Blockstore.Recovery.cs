using System.Buffers.Binary;
using FASTER.core;
using Microsoft.Win32.SafeHandles;

namespace Fast.Storage.Blocks;

/// <summary>
/// Opening an existing Blockstore without trusting FasterLog to notice damage. FASTER 2.6.5 skips a
/// commit record it cannot read and, with none left, recovers an empty log; and its scan checks the
/// per-entry checksums only of records it read from disk, not of the tail page recovery loaded into
/// memory. So, read-only and before FasterLog opens: the newest commit record must parse (with its
/// checksum) and the log files must reach the address it commits; after opening, FasterLog must have
/// recovered to that address, and while the index is rebuilt every record's checksum is checked (the
/// tail page's against the file). Any failure is a <see cref="LedgerDamagedException"/> naming the file.
/// An empty newest record is a commit that never happened (the previous record is the last durable one);
/// a non-empty one that does not parse is damage, never skipped.
/// </summary>
public sealed partial class Blockstore
{
    private const string CommitFolder = "log-commits";
    private const string CommitPrefix = "commit.";
    private const string LogFilePrefix = "fasterlog.log.";
    private const int SectorBytes = 512;
    private const int RecordHeaderBytes = 12; // u64 checksum, i32 length (LogChecksumType.PerEntry)

    private string? _commitFile;
    private long _committedUntil;

    /// <summary>The commit record the log was recovered from (null for a new log): what a start-up check names when the log lacks what it should hold.</summary>
    public string? CommitFile => _commitFile;

    private int SegmentBits => System.Numerics.BitOperations.Log2((ulong)_settings.SegmentSize);

    private string LogFilePath(long address) => Path.Combine(Options.Directory, LogFilePrefix + (address >> SegmentBits));

    /// <summary>The newest commit record (read-only checks); remembers what it commits for <see cref="CheckRecovered"/>.</summary>
    private void InspectCommits()
    {
        string folder = Path.Combine(Options.Directory, CommitFolder);
        List<(long Number, string File)> commits = [];
        if (Directory.Exists(folder))
        {
            foreach (string file in Directory.GetFiles(folder))
            {
                string name = Path.GetFileName(file);
                string[] parts = name.Split('.');
                if (parts.Length == 3 && parts[0] + "." == CommitPrefix && long.TryParse(parts[1], out long number)) commits.Add((number, file));
            }
        }
        commits.Sort((a, b) => b.Number.CompareTo(a.Number));
        foreach ((_, string file) in commits)
        {
            byte[] bytes = File.ReadAllBytes(file);
            // Created but never written: a commit interrupted by kill -9, or one FASTER's own commit manager (before
            // BlockstoreCommitRecords) could not write on a full disk. The record before it, if any, is the last durable commit.
            // (BlockstoreCommitRecords renames only a complete, fsync'd record into place, so it leaves neither.)
            if (bytes.Length == 0) continue;
            int length = bytes.Length >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(bytes) : -1;
            if (length <= 0 || length > bytes.Length - 4)
            {
                throw new LedgerDamagedException(file, $"truncated or corrupt commit record: {bytes.Length} bytes, its header says {length}");
            }
            FasterLogRecoveryInfo info = new();
            try
            {
                using BinaryReader reader = new(new MemoryStream(bytes, 4, length));
                info.Initialize(reader);
            }
            catch (Exception e) when (e is FasterException or IOException or ArgumentException)
            {
                throw new LedgerDamagedException(file, $"corrupt commit record ({e.Message})", e);
            }
            if (info.UntilAddress < info.BeginAddress || info.BeginAddress < 0)
            {
                throw new LedgerDamagedException(file, $"corrupt commit record (begin {info.BeginAddress}, until {info.UntilAddress})");
            }
            int bits = SegmentBits;
            long segmentBytes = 1L << bits;
            for (long segment = info.BeginAddress >> bits; info.UntilAddress > 0 && segment <= (info.UntilAddress - 1) >> bits; segment++)
            {
                string log = LogFilePath(segment << bits);
                long needed = Math.Min(segmentBytes, info.UntilAddress - (segment << bits)) & ~(SectorBytes - 1L);
                long size = File.Exists(log) ? new FileInfo(log).Length : -1;
                if (size < needed)
                {
                    throw new LedgerDamagedException(log, size < 0
                        ? $"missing: commit {Path.GetFileName(file)} needs this log file"
                        : $"truncated: {size} bytes, commit {Path.GetFileName(file)} covers at least {needed}");
                }
            }
            _commitFile = file;
            _committedUntil = info.UntilAddress;
            return;
        }
        foreach (string log in Directory.GetFiles(Options.Directory, LogFilePrefix + "*"))
        {
            if (new FileInfo(log).Length > 0) throw new LedgerDamagedException(folder, $"missing: {Path.GetFileName(log)} holds data but there is no commit record");
        }
    }

    /// <summary>FasterLog must have recovered to the commit it was given.</summary>
    private void CheckRecovered()
    {
        if (_commitFile is not null && _log.CommittedUntilAddress < _committedUntil)
        {
            throw new LedgerDamagedException(_commitFile, $"FasterLog recovered to address {_log.CommittedUntilAddress}, the commit record says {_committedUntil}");
        }
    }

    /// <summary>
    /// Checks the per-entry checksums of the records at or above the log's head address (the tail page
    /// recovery loaded into memory, which FasterLog's scan does not check) against the files.
    /// </summary>
    private unsafe void VerifyInMemoryRecords(List<(long Address, int Length)> records)
    {
        if (records.Count == 0) return;
        long segmentMask = (1L << SegmentBits) - 1;
        SafeFileHandle? handle = null;
        long openSegment = -1;
        byte[] buffer = [];
        try
        {
            foreach ((long address, int length) in records)
            {
                long segment = address >> SegmentBits;
                string file = LogFilePath(address);
                if (segment != openSegment)
                {
                    handle?.Dispose();
                    handle = File.OpenHandle(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                    openSegment = segment;
                }
                int size = RecordHeaderBytes + length;
                if (buffer.Length < size) buffer = new byte[Math.Max(size, 64 << 10)];
                int read = RandomAccess.Read(handle!, buffer.AsSpan(0, size), address & segmentMask);
                bool intact = read == size && BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(8)) == length;
                if (intact)
                {
                    fixed (byte* p = buffer)
                    {
                        intact = Utility.XorBytes(p + 8, length + 4) == BinaryPrimitives.ReadUInt64LittleEndian(buffer);
                    }
                }
                if (!intact) throw new LedgerDamagedException(file, $"the record at address {address} fails its checksum");
            }
        }
        finally
        {
            handle?.Dispose();
        }
    }
}
