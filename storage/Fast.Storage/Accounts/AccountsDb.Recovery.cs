using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using FASTER.core;

using AccountSession = FASTER.core.ClientSession<FASTER.core.SpanByte, FASTER.core.SpanByte, FASTER.core.SpanByte,
    Fast.Storage.Accounts.AccountReadOutput, long, Fast.Storage.Accounts.AccountStoreFunctions>;

namespace Fast.Storage.Accounts;

/// <summary>
/// Opening an existing accounts store without trusting FASTER to notice damage. FASTER 2.6.5 swallows
/// recovery failures and starts empty (and would then delete the old checkpoint), so before recovering,
/// the checkpoint files are checked here, read-only: every complete checkpoint's metadata parses and
/// passes its checksum, each index checkpoint's hash table has the size its metadata claims, and the
/// hybrid log reaches the address the log checkpoint ends at. FASTER then recovers exactly that (index,
/// log) pair, and the root record must be there and pass its own checksum. Any failure is a
/// <see cref="LedgerDamagedException"/> naming the file. Recovery deletes nothing: outdated checkpoints
/// go only once a newer one is durable (<see cref="DeleteOutdatedCheckpoints"/>).
/// <para>A checkpoint folder whose metadata file is absent or empty was interrupted (kill -9 while it
/// was written) and is ignored, as FASTER ignores it.</para>
/// </summary>
public sealed partial class AccountsDb
{
    private const string LogCheckpointFolder = "cpr-checkpoints";
    private const string IndexCheckpointFolder = "index-checkpoints";
    private const string MetadataFile = "info.dat.0";
    private const string HashTableFile = "ht.dat.0";
    private const int SectorBytes = 512;

    /// <summary>Root record trailer: 8 bytes of SHA-256(slot ‖ state), then this magic ("FRR1").</summary>
    private const uint RootTrailerMagic = 0x31525246;
    private const int RootTrailerSize = 12;

    private string? _createdByRecovery; // a file FASTER's recovery created, removed again when the store is refused
    private Guid _logToken;                        // the log checkpoint in use (recovered, or the last durable one)
    private readonly List<Guid> _indexTokens = []; // index checkpoints kept, oldest first (at most two)

    private string CheckpointsPath => Path.Combine(Options.Directory, "checkpoints");

    private string SegmentPath(long address) => Path.Combine(Options.Directory, $"hlog.log.{address >> SegmentBits}");

    private int SegmentBits => System.Numerics.BitOperations.Log2((ulong)_settings.SegmentSize);

    /// <summary>
    /// The checkpoint pair to recover, checked file by file; null when the store holds no complete log
    /// checkpoint (a new store, or one whose first checkpoint was interrupted). Read-only.
    /// </summary>
    private (Guid Index, Guid Log)? FindCheckpoint()
    {
        Guid logToken = default;
        HybridLogRecoveryInfo log = default;
        bool found = false;
        foreach (string folder in Folders(Path.Combine(CheckpointsPath, LogCheckpointFolder)))
        {
            string file = Path.Combine(folder, MetadataFile);
            if (ReadMetadata(file) is not byte[] metadata) continue;
            HybridLogRecoveryInfo info = default;
            try
            {
                using StreamReader reader = new(new MemoryStream(metadata));
                info.Initialize(reader);
            }
            catch (Exception e) when (e is FasterException or FormatException or OverflowException or ArgumentException or IOException)
            {
                throw new LedgerDamagedException(file, $"the accounts checkpoint's metadata is corrupt ({e.Message})", e);
            }
            if (!Guid.TryParse(Path.GetFileName(folder), out Guid token) || info.guid != token)
            {
                throw new LedgerDamagedException(file, $"the accounts checkpoint's metadata names checkpoint {info.guid}, not its folder");
            }
            if (!found || info.version > log.version)
            {
                (logToken, log, found) = (token, info, true);
            }
        }
        if (!found) return null;

        Guid indexToken = default;
        long indexFinal = -1;
        foreach (string folder in Folders(Path.Combine(CheckpointsPath, IndexCheckpointFolder)))
        {
            string file = Path.Combine(folder, MetadataFile);
            if (ReadMetadata(file) is not byte[] metadata) continue;
            if (!IndexMetadata.TryParse(metadata, out IndexMetadata index, out string error) || !Guid.TryParse(Path.GetFileName(folder), out Guid token) || index.Token != token)
            {
                throw new LedgerDamagedException(file, $"the accounts index checkpoint's metadata is corrupt ({(error.Length > 0 ? error : "it names another checkpoint")})");
            }
            string table = Path.Combine(folder, HashTableFile);
            long tableBytes = File.Exists(table) ? new FileInfo(table).Length : -1;
            if (tableBytes < (long)index.HashTableBytes)
            {
                throw new LedgerDamagedException(table, tableBytes < 0
                    ? "missing: the accounts index checkpoint has no hash table"
                    : $"truncated: the accounts index checkpoint's hash table has {tableBytes} bytes, its metadata says {index.HashTableBytes}");
            }
            // FASTER's rule: an index checkpoint goes with a log checkpoint that ends at or after it; take the newest such.
            if (index.FinalLogicalAddress <= log.finalLogicalAddress && index.FinalLogicalAddress > indexFinal)
            {
                (indexToken, indexFinal) = (token, index.FinalLogicalAddress);
            }
        }
        if (indexFinal < 0)
        {
            throw new LedgerDamagedException(Path.Combine(CheckpointsPath, IndexCheckpointFolder), $"missing: no index checkpoint goes with accounts checkpoint {logToken}");
        }

        // The hybrid log must hold every page up to where the checkpoint ends (fold-over: flushed to its final address).
        int bits = SegmentBits;
        long segmentBytes = 1L << bits;
        for (long segment = log.beginAddress >> bits; segment <= (log.finalLogicalAddress - 1) >> bits; segment++)
        {
            string file = SegmentPath(segment << bits);
            long needed = Math.Min(segmentBytes, log.finalLogicalAddress - (segment << bits)) & ~(SectorBytes - 1L);
            long length = File.Exists(file) ? new FileInfo(file).Length : -1;
            if (length < needed)
            {
                throw new LedgerDamagedException(file, length < 0
                    ? $"missing: accounts checkpoint {logToken} needs this log file"
                    : $"truncated: {length} bytes, accounts checkpoint {logToken} needs at least {needed}");
            }
        }
        return (indexToken, logToken);
    }

    /// <summary>Recovers the checked pair; a FASTER failure is damage of the log it reads.</summary>
    private void RecoverCheckpoint(Guid indexToken, Guid logToken)
    {
        // FASTER opens the checkpoint's delta log to look for incremental snapshots, creating an empty file.
        string delta = Path.Combine(CheckpointsPath, LogCheckpointFolder, logToken.ToString(), "delta.dat.0");
        if (!File.Exists(delta)) _createdByRecovery = delta;
        try
        {
            _store.Recover(indexToken, logToken);
        }
        catch (Exception e) when (e is FasterException or IOException or InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            throw new LedgerDamagedException(SegmentPath(_store.Log.BeginAddress), $"FASTER cannot recover accounts checkpoint {logToken} from the log ({e.Message})", e);
        }
        _logToken = logToken;
        _indexTokens.Add(indexToken);
    }

    /// <summary>
    /// After a checkpoint became durable: deletes every log checkpoint but <paramref name="logToken"/> and
    /// every index checkpoint but the last two (what FASTER's own RemoveOutdatedCheckpoints kept).
    /// Folders this store does not know (interrupted checkpoints) go too.
    /// </summary>
    private void DeleteOutdatedCheckpoints(Guid logToken, bool withIndex)
    {
        _logToken = logToken;
        if (withIndex)
        {
            _indexTokens.Add(logToken); // a full checkpoint uses one token for both halves
            if (_indexTokens.Count > 2) _indexTokens.RemoveAt(0);
        }
        try
        {
            foreach (string folder in Folders(Path.Combine(CheckpointsPath, LogCheckpointFolder)))
            {
                if (Path.GetFileName(folder) != _logToken.ToString()) Directory.Delete(folder, recursive: true);
            }
            foreach (string folder in Folders(Path.Combine(CheckpointsPath, IndexCheckpointFolder)))
            {
                if (!_indexTokens.Exists(t => t.ToString() == Path.GetFileName(folder))) Directory.Delete(folder, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"cannot delete outdated accounts checkpoints in {CheckpointsPath}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Reads the recovered root record: null when there is none. With a checkpoint recovered it must be
    /// there and intact, or the log is damaged.
    /// </summary>
    private RecoveredRoot? ReadRoot(bool checkpointRecovered)
    {
        AccountReadOutput output = new() { Raw = true };
        bool found = ReadRootRecord(ref output, out long address);
        if (!found)
        {
            if (!checkpointRecovered) return null;
            throw new LedgerDamagedException(SegmentPath(_store.Log.BeginAddress), $"the accounts checkpoint {_logToken} recovered no root record");
        }
        byte[] value = output.Data!;
        if (value.Length < 8) throw new LedgerDamagedException(SegmentPath(address), $"the root record at address {address} is {value.Length} bytes long");
        ulong slot = BinaryPrimitives.ReadUInt64LittleEndian(value);
        byte[] state = value[8..];
        if (value.Length >= 8 + RootTrailerSize && BinaryPrimitives.ReadUInt32LittleEndian(value.AsSpan(value.Length - 4)) == RootTrailerMagic)
        {
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(value.AsSpan(0, value.Length - RootTrailerSize), hash);
            if (!hash[..8].SequenceEqual(value.AsSpan(value.Length - RootTrailerSize, 8)))
            {
                throw new LedgerDamagedException(SegmentPath(address), $"the root record at address {address} (slot {slot}) fails its checksum");
            }
            state = value[8..^RootTrailerSize];
        }
        RootSlot = slot;
        return new RecoveredRoot(slot, state);
    }

    /// <summary>Writes the root record's trailer after slot ‖ state (<paramref name="value"/> holds room for it).</summary>
    private static void WriteRootTrailer(Span<byte> value)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(value[..^RootTrailerSize], hash);
        hash[..8].CopyTo(value[^RootTrailerSize..]);
        BinaryPrimitives.WriteUInt32LittleEndian(value[^4..], RootTrailerMagic);
    }

    private unsafe bool ReadRootRecord(ref AccountReadOutput output, out long address)
    {
        AccountSession session = _sessions.Value!;
        fixed (byte* k = RootKey)
        {
            var keySpan = SpanByte.FromPointer(k, RootKey.Length);
            SpanByte input = default;
            ReadOptions options = default;
            Status status = session.Read(ref keySpan, ref input, ref output, ref options, out RecordMetadata metadata);
            address = metadata.Address;
            if (!status.IsPending) return status.Found;
        }
        session.CompletePendingWithOutputs(out CompletedOutputIterator<SpanByte, SpanByte, SpanByte, AccountReadOutput, long> completed, wait: true);
        using (completed)
        {
            while (completed.Next())
            {
                ref CompletedOutput<SpanByte, SpanByte, SpanByte, AccountReadOutput, long> current = ref completed.Current;
                address = current.RecordMetadata.Address;
                if (!current.Status.Found) return false;
                output = current.Output;
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Closes a store the caller refuses (its ledger failed a check across stores) and removes the empty
    /// file FASTER's recovery created, so the disk is exactly as it was before <see cref="Open"/>.
    /// </summary>
    public void DisposeRefused()
    {
        Dispose();
        UndoRecoveryFiles();
    }

    /// <summary>When the store is refused after recovery ran: removes the empty file recovery created, so the disk is as it was.</summary>
    private void UndoRecoveryFiles()
    {
        if (_createdByRecovery is string file && File.Exists(file) && new FileInfo(file).Length == 0) File.Delete(file);
    }

    private static IEnumerable<string> Folders(string path) => Directory.Exists(path) ? Directory.GetDirectories(path) : [];

    /// <summary>A checkpoint metadata file's payload ([i32 length][bytes], as FASTER writes it); null when absent or empty (an interrupted checkpoint).</summary>
    private static byte[]? ReadMetadata(string file)
    {
        if (!File.Exists(file)) return null;
        byte[] bytes = File.ReadAllBytes(file);
        if (bytes.Length == 0) return null;
        int length = bytes.Length >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(bytes) : -1;
        if (length <= 0 || length > bytes.Length - 4)
        {
            throw new LedgerDamagedException(file, $"truncated or corrupt: {bytes.Length} bytes, its header says {length} bytes of metadata");
        }
        return bytes[4..(4 + length)];
    }

    /// <summary>FASTER's index checkpoint metadata (text lines, FASTER 2.6.5's IndexRecoveryInfo, which is internal there) and its checksum.</summary>
    private readonly record struct IndexMetadata(Guid Token, ulong HashTableBytes, long FinalLogicalAddress)
    {
        public static bool TryParse(byte[] metadata, out IndexMetadata index, out string error)
        {
            index = default;
            string[] lines = System.Text.Encoding.UTF8.GetString(metadata).Split('\n');
            CultureInfo c = CultureInfo.InvariantCulture;
            if (lines.Length < 9
                || !int.TryParse(lines[0], NumberStyles.Integer, c, out int version)
                || !long.TryParse(lines[1], NumberStyles.Integer, c, out long checksum)
                || !Guid.TryParse(lines[2].Trim(), out Guid token)
                || !long.TryParse(lines[3], NumberStyles.Integer, c, out long tableSize)
                || !ulong.TryParse(lines[4], NumberStyles.Integer, c, out ulong htBytes)
                || !ulong.TryParse(lines[5], NumberStyles.Integer, c, out ulong ofbBytes)
                || !int.TryParse(lines[6], NumberStyles.Integer, c, out int buckets)
                || !long.TryParse(lines[7], NumberStyles.Integer, c, out long start)
                || !long.TryParse(lines[8], NumberStyles.Integer, c, out long final))
            {
                error = "unreadable";
                return false;
            }
            if (version != 1)
            {
                error = $"version {version}";
                return false;
            }
            byte[] t = token.ToByteArray();
            long expected = BitConverter.ToInt64(t, 0) ^ BitConverter.ToInt64(t, 8) ^ tableSize ^ (long)htBytes ^ (long)ofbBytes ^ buckets ^ start ^ final;
            if (checksum != expected)
            {
                error = "checksum mismatch";
                return false;
            }
            error = string.Empty;
            index = new IndexMetadata(token, htBytes, final);
            return true;
        }
    }
}
