using System.Buffers.Binary;
using FASTER.core;

namespace Fast.Storage.Blocks;

/// <summary>
/// The Blockstore's FasterLog commit records (<c>log-commits/commit.N.0</c>: an i32 length, then FASTER's
/// recovery info; FASTER's own names and format), written so that a failed write never costs the record
/// before it. FASTER 2.6.5's commit manager ignores a failed write (a full disk: the new file is created
/// empty), reports the commit done, and deletes the previous record; the restart then found log data with no
/// commit record and refused the ledger. Here a record goes to a temporary file, is fsync'd, renamed into
/// place and the folder fsync'd; only then are older records deleted. So the folder always holds one
/// complete record of a durable commit, and a crash or a full disk at any point leaves the last one.
/// <para>A failed write throws on FASTER's commit worker, which swallows it: the commit is not marked done
/// and the log segments the new record would have released are not deleted (the previous record still
/// needs them). It also cancels <see cref="FailedToken"/>, which the Blockstore's commit waits on, so that
/// commit — and every later one: after a failure nothing more is written — fails with the file and the
/// error instead of waiting forever.</para>
/// <para>Threads: <see cref="Commit"/> on FASTER's commit worker (one at a time); the rest while the
/// Blockstore opens (FASTER's recovery), and <see cref="Failure"/> from any thread.</para>
/// </summary>
internal sealed class BlockstoreCommitRecords(string folder) : ILogCommitManager
{
    private const string Prefix = "commit.";
    private const string Suffix = ".0"; // FASTER's device names a file by its segment
    private const string TemporarySuffix = ".tmp";

    private readonly CancellationTokenSource _failed = new();
    private string? _failure;

    /// <summary>The folder holding the records (Blockstore directory / log-commits).</summary>
    public string Folder { get; } = folder;

    /// <summary>Cancelled when a record could not be written (see the type summary).</summary>
    public CancellationToken FailedToken => _failed.Token;

    /// <summary>What the first failed write was (file and error), or null while every record was written.</summary>
    public string? Failure => Volatile.Read(ref _failure);

    public string RecordPath(long commitNum) => Path.Combine(Folder, Prefix + commitNum + Suffix);

    /// <summary>Writes commit <paramref name="commitNum"/>'s record durably, then deletes the older ones; throws if it cannot (see the type summary).</summary>
    public void Commit(long beginAddress, long untilAddress, byte[] commitMetadata, long commitNum, bool forceWriteMetadata)
    {
        if (Failure is string earlier) throw new IOException($"an earlier commit record failed ({earlier})");
        string file = RecordPath(commitNum);
        string temporary = file + TemporarySuffix;
        try
        {
            Directory.CreateDirectory(Folder);
            using (FileStream stream = new(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1))
            {
                Span<byte> length = stackalloc byte[sizeof(int)];
                BinaryPrimitives.WriteInt32LittleEndian(length, commitMetadata.Length);
                stream.Write(length);
                stream.Write(commitMetadata);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, file, overwrite: true);
            DurableFile.SyncDirectory(Folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Fail($"{file}: {e.Message}");
            TryDelete(temporary);
            throw;
        }
        DeleteOlderThan(commitNum);
    }

    /// <summary>Commit numbers of the records present, newest first (temporary files of interrupted writes are not records).</summary>
    public IEnumerable<long> ListCommits()
    {
        List<long> numbers = [];
        if (!Directory.Exists(Folder)) return numbers;
        foreach (string file in Directory.GetFiles(Folder))
        {
            if (TryParseNumber(Path.GetFileName(file), out long number)) numbers.Add(number);
        }
        numbers.Sort((a, b) => b.CompareTo(a));
        return numbers;
    }

    /// <summary>The record's recovery info; null when its file is absent or empty (never completely written: FASTER then tries the next older one).</summary>
    public byte[]? GetCommitMetadata(long commitNum)
    {
        string file = RecordPath(commitNum);
        if (!File.Exists(file)) return null;
        byte[] bytes = File.ReadAllBytes(file);
        if (bytes.Length == 0) return null;
        int length = bytes.Length >= sizeof(int) ? BinaryPrimitives.ReadInt32LittleEndian(bytes) : -1;
        if (length <= 0 || length > bytes.Length - sizeof(int)) throw new FasterException($"{file}: truncated or corrupt commit record");
        return bytes[sizeof(int)..(sizeof(int) + length)];
    }

    public void RemoveCommit(long commitNum) => TryDelete(RecordPath(commitNum));

    public void RemoveAllCommits()
    {
        foreach (long number in ListCommits()) RemoveCommit(number);
    }

    /// <summary>
    /// Recovery used <paramref name="commitNum"/>. Deletes nothing: the Blockstore checks what was recovered
    /// after this, and a ledger it refuses must be left as it was; older records go after the next durable commit.
    /// </summary>
    public void OnRecovery(long commitNum)
    {
    }

    public void Dispose() => _failed.Dispose();

    private void Fail(string failure)
    {
        if (Interlocked.CompareExchange(ref _failure, failure, null) is null) _failed.Cancel();
    }

    /// <summary>Deletes the records older than <paramref name="commitNum"/> and leftover temporary files (a record that is durable covers them).</summary>
    private void DeleteOlderThan(long commitNum)
    {
        foreach (string file in Directory.GetFiles(Folder))
        {
            string name = Path.GetFileName(file);
            bool older = TryParseNumber(name, out long number) && number < commitNum;
            if (older || name.EndsWith(TemporarySuffix, StringComparison.Ordinal)) TryDelete(file);
        }
    }

    private static bool TryParseNumber(string name, out long number)
    {
        number = 0;
        return name.StartsWith(Prefix, StringComparison.Ordinal) && name.EndsWith(Suffix, StringComparison.Ordinal)
            && long.TryParse(name.AsSpan(Prefix.Length, name.Length - Prefix.Length - Suffix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out number);
    }

    /// <summary>Deleting an outdated file is housekeeping: one that cannot be deleted now goes after a later commit.</summary>
    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
