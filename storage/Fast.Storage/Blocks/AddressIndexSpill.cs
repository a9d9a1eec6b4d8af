using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;

namespace Fast.Storage.Blocks;

/// <summary>
/// Where <see cref="AddressSignatureIndex"/> keeps the chunks it no longer holds in memory: files of
/// <see cref="SegmentChunks"/> chunks (32 MiB) named <c>segment-N</c> in one folder beside the ledger,
/// written once per chunk (2 MiB, sequential) and read back one 32-byte entry at a time with pread (so
/// the page cache, not the process, holds what is hot). Scratch, never fsynced: the index is rebuilt
/// from the ledger when the Blockstore opens, which empties the folder first. A write or read that
/// fails is a <see cref="StorageException"/> naming the file (the device is full or failing).
/// <para>Not thread-safe: used under the Blockstore's lock.</para>
/// </summary>
internal sealed class AddressIndexSpill : IDisposable
{
    /// <summary>Chunks per file.</summary>
    public const int SegmentChunks = 16;

    /// <summary>Files kept open at once (reads walk back through a few recent ones; the rest reopen on demand).</summary>
    private const int MaxOpenFiles = 8;

    private const string FilePrefix = "segment-";
    private static readonly long ChunkBytes = (long)AddressSignatureIndex.ChunkSize * Unsafe.SizeOf<AddressSignatureIndex.Entry>();

    private readonly Dictionary<long, SafeFileHandle> _open = [];
    private long _lowestSegment; // files below this one were deleted

    public AddressIndexSpill(string folder)
    {
        Folder = folder;
        try
        {
            if (Directory.Exists(folder))
            {
                foreach (string stale in Directory.GetFiles(folder, FilePrefix + "*")) File.Delete(stale);
            }
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"{folder}: cannot prepare the address index's spill folder ({e.Message})", e);
        }
    }

    public string Folder { get; }

    /// <summary>Spill files on disk now.</summary>
    public int FileCount => Directory.GetFiles(Folder, FilePrefix + "*").Length;

    public string PathOf(long segment) => Path.Combine(Folder, FilePrefix + segment);

    /// <summary>Writes chunk number <paramref name="chunk"/> (all its entries).</summary>
    public void Write(long chunk, ReadOnlySpan<byte> entries)
    {
        long segment = chunk / SegmentChunks;
        try
        {
            RandomAccess.Write(Open(segment), entries, chunk % SegmentChunks * ChunkBytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"{PathOf(segment)}: the address index could not write a chunk ({e.Message}; the device is full or failing)", e);
        }
    }

    /// <summary>Reads entry <paramref name="within"/> of chunk <paramref name="chunk"/> into <paramref name="entry"/>.</summary>
    public void Read(long chunk, int within, Span<byte> entry)
    {
        long segment = chunk / SegmentChunks;
        int read;
        try
        {
            read = RandomAccess.Read(Open(segment), entry, chunk % SegmentChunks * ChunkBytes + (long)within * entry.Length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"{PathOf(segment)}: the address index could not read an entry ({e.Message})", e);
        }
        if (read != entry.Length) throw new StorageException($"{PathOf(segment)}: the address index's spill file is shorter than what was written to it");
    }

    /// <summary>Deletes the files that hold only chunks below <paramref name="firstChunk"/>.</summary>
    public void DropBefore(long firstChunk)
    {
        long keep = firstChunk / SegmentChunks;
        for (long segment = _lowestSegment; segment < keep; segment++)
        {
            if (_open.Remove(segment, out SafeFileHandle? handle)) handle.Dispose();
            try
            {
                File.Delete(PathOf(segment));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Scratch: a file left behind costs disk until the next open empties the folder, never correctness.
            }
        }
        _lowestSegment = Math.Max(_lowestSegment, keep);
    }

    private SafeFileHandle Open(long segment)
    {
        if (_open.TryGetValue(segment, out SafeFileHandle? handle)) return handle;
        if (_open.Count >= MaxOpenFiles) CloseAll();
        handle = File.OpenHandle(PathOf(segment), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        _open.Add(segment, handle);
        return handle;
    }

    private void CloseAll()
    {
        foreach (SafeFileHandle handle in _open.Values) handle.Dispose();
        _open.Clear();
    }

    public void Dispose() => CloseAll();
}
