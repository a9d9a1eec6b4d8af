using System.Buffers.Binary;
using Fast.Core.Primitives;

namespace Fast.Exec.Programs;

/// <summary>
/// The stakes each epoch's leader schedule is drawn from (issue 11 item 4; docs/cluster.md "Leader
/// schedule"): the effective stake per node identity, recorded by the first bank of epoch E − 1 (its
/// epoch-boundary work, after rewards and slashing) for epoch E, so the schedule of E is fixed one
/// whole epoch ahead and every node that holds that bank — a replayer, a restarted node — reads the
/// same figures from its state. Genesis writes epochs 0 and 1 (the genesis validators). Account
/// <see cref="StakeAddresses.EpochStakes"/> (owned by the stake program), the newest
/// <see cref="KeptRecords"/> records, ascending by epoch:
/// <code>
/// 0 u8 kind = 13 ‖ 3 reserved ‖ u32 records
/// 8 records × (u64 epoch ‖ u32 count ‖ u32 reserved ‖ count × (identity(32) ‖ u64 stake), ascending by identity)
/// </code>
/// A record lists only identities with stake, at most <see cref="MaxNodes"/> (the largest stakes; ties by
/// identity). An epoch without a record of its own (every staked node deactivated, or the whole of epoch
/// E − 1 skipped on this fork) uses the newest record before it.
/// </summary>
public static class EpochStakesState
{
    public const byte Kind = 13;
    public const int HeaderSize = 8;
    public const int RecordHeaderSize = 16;
    public const int EntrySize = Pubkey.Size + 8;

    /// <summary>Node identities one record holds at most.</summary>
    public const int MaxNodes = 1024;

    /// <summary>Records kept: the previous epoch's (slashing evidence about it is still accepted), the current one's and the next one's.</summary>
    public const int KeptRecords = 3;

    public const int MaxLength = HeaderSize + KeptRecords * (RecordHeaderSize + MaxNodes * EntrySize);

    /// <summary>The account as genesis writes it: <paramref name="stakes"/> for epochs 0 and 1.</summary>
    public static byte[] Genesis(IReadOnlyList<(Pubkey Identity, ulong Stake)> stakes) =>
        With(With(Empty(), 0, stakes), 1, stakes);

    public static byte[] Empty()
    {
        byte[] data = new byte[HeaderSize];
        data[0] = Kind;
        return data;
    }

    /// <summary>
    /// The stakes for <paramref name="epoch"/>'s schedule: its own record, else the newest one before it;
    /// null when <paramref name="data"/> is not a well-formed table or holds no record at or before it.
    /// <paramref name="recordEpoch"/> is the epoch of the record used.
    /// </summary>
    public static List<(Pubkey Identity, ulong Stake)>? StakesFor(ReadOnlySpan<byte> data, ulong epoch, out ulong recordEpoch)
    {
        recordEpoch = 0;
        if (!TryFindRecord(data, epoch, out int offset, out int count, out recordEpoch)) return null;
        List<(Pubkey, ulong)> stakes = new(count);
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> entry = data.Slice(offset + RecordHeaderSize + i * EntrySize, EntrySize);
            stakes.Add((new Pubkey(entry[..Pubkey.Size]), BinaryPrimitives.ReadUInt64LittleEndian(entry[Pubkey.Size..])));
        }
        return stakes;
    }

    /// <summary>
    /// A copy of the table with <paramref name="stakes"/> as <paramref name="epoch"/>'s record (replacing it
    /// and any later one; zero stakes left out; the largest <see cref="MaxNodes"/> kept), the oldest records
    /// dropped past <see cref="KeptRecords"/>. With no stake left the table is returned unchanged: the
    /// previous record stays in force (a schedule needs someone to lead). A malformed table starts empty.
    /// </summary>
    public static byte[] With(ReadOnlySpan<byte> data, ulong epoch, IReadOnlyList<(Pubkey Identity, ulong Stake)> stakes)
    {
        ArgumentNullException.ThrowIfNull(stakes);
        List<(Pubkey Identity, ulong Stake)> kept = [];
        foreach ((Pubkey identity, ulong stake) in stakes)
        {
            if (stake > 0) kept.Add((identity, stake));
        }
        if (!TryRead(data, out List<(ulong Epoch, int Offset, int Count)> records))
        {
            data = Empty();
            records = [];
        }
        if (kept.Count == 0) return data.ToArray();
        if (kept.Count > MaxNodes)
        {
            kept.Sort((a, b) => a.Stake != b.Stake ? b.Stake.CompareTo(a.Stake) : a.Identity.CompareTo(b.Identity));
            kept.RemoveRange(MaxNodes, kept.Count - MaxNodes);
        }
        kept.Sort((a, b) => a.Identity.CompareTo(b.Identity));
        records.RemoveAll(r => r.Epoch >= epoch);
        if (records.Count >= KeptRecords) records.RemoveRange(0, records.Count - (KeptRecords - 1));

        int length = HeaderSize + (records.Count + 1) * RecordHeaderSize + kept.Count * EntrySize;
        foreach ((_, _, int count) in records) length += count * EntrySize;
        byte[] table = new byte[length];
        table[0] = Kind;
        BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(4), (uint)(records.Count + 1));
        int p = HeaderSize;
        foreach ((_, int offset, int count) in records)
        {
            int size = RecordHeaderSize + count * EntrySize;
            data.Slice(offset, size).CopyTo(table.AsSpan(p));
            p += size;
        }
        BinaryPrimitives.WriteUInt64LittleEndian(table.AsSpan(p), epoch);
        BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(p + 8), (uint)kept.Count);
        p += RecordHeaderSize;
        foreach ((Pubkey identity, ulong stake) in kept)
        {
            identity.CopyTo(table.AsSpan(p, Pubkey.Size));
            BinaryPrimitives.WriteUInt64LittleEndian(table.AsSpan(p + Pubkey.Size), stake);
            p += EntrySize;
        }
        return table;
    }

    /// <summary>The epochs the table holds records for, ascending (empty when malformed).</summary>
    public static List<ulong> Epochs(ReadOnlySpan<byte> data)
    {
        List<ulong> epochs = [];
        if (TryRead(data, out List<(ulong Epoch, int Offset, int Count)> records)) foreach ((ulong epoch, _, _) in records) epochs.Add(epoch);
        return epochs;
    }

    private static bool TryFindRecord(ReadOnlySpan<byte> data, ulong epoch, out int offset, out int count, out ulong recordEpoch)
    {
        offset = count = 0;
        recordEpoch = 0;
        if (!TryRead(data, out List<(ulong Epoch, int Offset, int Count)> records)) return false;
        bool found = false;
        foreach ((ulong e, int o, int c) in records)
        {
            if (e > epoch) break;
            (recordEpoch, offset, count, found) = (e, o, c, true);
        }
        return found;
    }

    /// <summary>Walks the table: every record's epoch, offset and entry count; false when it is not well formed (wrong kind, counts past the limits, epochs not ascending, trailing bytes).</summary>
    private static bool TryRead(ReadOnlySpan<byte> data, out List<(ulong Epoch, int Offset, int Count)> records)
    {
        records = [];
        if (data.Length < HeaderSize || data[0] != Kind) return false;
        uint n = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
        if (n > KeptRecords) return false;
        int p = HeaderSize;
        for (int i = 0; i < (int)n; i++)
        {
            if (data.Length - p < RecordHeaderSize) return false;
            ulong epoch = BinaryPrimitives.ReadUInt64LittleEndian(data[p..]);
            uint count = BinaryPrimitives.ReadUInt32LittleEndian(data[(p + 8)..]);
            if (count == 0 || count > MaxNodes || (records.Count > 0 && records[^1].Epoch >= epoch)) return false;
            if (data.Length - p - RecordHeaderSize < (int)count * EntrySize) return false;
            records.Add((epoch, p, (int)count));
            p += RecordHeaderSize + (int)count * EntrySize;
        }
        return p == data.Length;
    }
}
