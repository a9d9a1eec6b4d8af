using System.Runtime.InteropServices;

namespace Fast.Storage;

/// <summary>
/// Writes a small file so that it survives a power cut whole or not at all: a temporary file beside
/// it, fsync'd, renamed over the target, then the directory fsync'd (so the rename itself is on disk).
/// For genesis.bin, genesis.hash, the Blockstore's commit records and the like — never on a hot path.
/// </summary>
public static partial class DurableFile
{
    private const int ReadOnly = 0;         // O_RDONLY
    private const int Directory_ = 0x10000; // O_DIRECTORY (Linux)

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> durably (see the type summary); IOException on failure.</summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        string temporary = full + ".tmp";
        using (FileStream stream = new(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, full, overwrite: true);
        SyncDirectory(directory);
    }

    /// <summary>fsync of a directory: makes the creations and renames in it durable (no-op off Linux).</summary>
    public static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux()) return;
        int fd = Open(directory, ReadOnly | Directory_);
        if (fd < 0) throw new IOException($"{directory}: cannot open to fsync (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (Fsync(fd) != 0) throw new IOException($"{directory}: fsync failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            Close(fd);
        }
    }
}
