using System.Buffers.Binary;

namespace Fast.Storage.Blocks;

/// <summary>
/// The records the <see cref="Blockstore"/> appends to its FasterLog (little-endian):
/// <code>
/// entries: u8 kind=1 | u64 slot | u64 parent | u32 first_entry_index | u32 entry_count | u8 flags (bit 0 = slot complete) | entry bytes
/// rooted:  u8 kind=2 | u64 slot
/// statuses: u8 kind=3 | u8 version=1 | u64 slot | u64 parent | u32 first_transaction_index | u32 count | u8 flags (bit 0 = last) | count × status
/// block time: u8 kind=4 | u64 slot | i64 unix_seconds
/// block id: u8 kind=5 | u64 slot | 32-byte block id (the root of the slot's last FEC set; cluster nodes)
/// </code>
/// Entry bytes are the entries exactly as <c>EntryWriter</c> produced them, concatenated. Statuses
/// are <see cref="TransactionStatusCodec"/>'s, one per transaction of the slot in block order, split
/// over records that each fit an append; the record with the last flag ends them.
/// </summary>
internal static class BlockRecord
{
    public const byte EntriesKind = 1;
    public const byte RootedKind = 2;
    public const int EntriesHeaderSize = 1 + 8 + 8 + 4 + 4 + 1;
    public const int RootedSize = 1 + 8;
    public const byte StatusesKind = 3;
    public const byte StatusesVersion = 1;
    public const int StatusesHeaderSize = 1 + 1 + 8 + 8 + 4 + 4 + 1;
    public const byte BlockTimeKind = 4;
    public const int BlockTimeSize = 1 + 8 + 8;
    public const byte BlockIdKind = 5;
    public const int BlockIdSize = 1 + 8 + 32;
    private const byte CompleteFlag = 0x01;

    public static void WriteBlockId(Span<byte> destination, ulong slot, ReadOnlySpan<byte> blockId)
    {
        destination[0] = BlockIdKind;
        BinaryPrimitives.WriteUInt64LittleEndian(destination[1..], slot);
        blockId[..32].CopyTo(destination[9..]);
    }

    public static bool TryReadBlockId(ReadOnlySpan<byte> record, out ulong slot, out ReadOnlySpan<byte> blockId)
    {
        slot = 0;
        blockId = default;
        if (record.Length != BlockIdSize || record[0] != BlockIdKind) return false;
        slot = BinaryPrimitives.ReadUInt64LittleEndian(record[1..]);
        blockId = record.Slice(9, 32);
        return true;
    }

    public static void WriteBlockTime(Span<byte> destination, ulong slot, long unixSeconds)
    {
        destination[0] = BlockTimeKind;
        BinaryPrimitives.WriteUInt64LittleEndian(destination[1..], slot);
        BinaryPrimitives.WriteInt64LittleEndian(destination[9..], unixSeconds);
    }

    public static bool TryReadBlockTime(ReadOnlySpan<byte> record, out ulong slot, out long unixSeconds)
    {
        slot = 0;
        unixSeconds = 0;
        if (record.Length != BlockTimeSize || record[0] != BlockTimeKind) return false;
        slot = BinaryPrimitives.ReadUInt64LittleEndian(record[1..]);
        unixSeconds = BinaryPrimitives.ReadInt64LittleEndian(record[9..]);
        return true;
    }

    public static void WriteEntriesHeader(Span<byte> destination, ulong slot, ulong parent, int firstEntryIndex, int entryCount, bool complete)
    {
        destination[0] = EntriesKind;
        BinaryPrimitives.WriteUInt64LittleEndian(destination[1..], slot);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[9..], parent);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[17..], (uint)firstEntryIndex);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[21..], (uint)entryCount);
        destination[25] = complete ? CompleteFlag : (byte)0;
    }

    public static void WriteRooted(Span<byte> destination, ulong slot)
    {
        destination[0] = RootedKind;
        BinaryPrimitives.WriteUInt64LittleEndian(destination[1..], slot);
    }

    public static bool TryReadEntriesHeader(ReadOnlySpan<byte> record, out ulong slot, out ulong parent, out int firstEntryIndex, out int entryCount, out bool complete)
    {
        slot = parent = 0;
        firstEntryIndex = entryCount = 0;
        complete = false;
        if (record.Length < EntriesHeaderSize || record[0] != EntriesKind) return false;
        slot = BinaryPrimitives.ReadUInt64LittleEndian(record[1..]);
        parent = BinaryPrimitives.ReadUInt64LittleEndian(record[9..]);
        uint first = BinaryPrimitives.ReadUInt32LittleEndian(record[17..]);
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(record[21..]);
        if (first > int.MaxValue || count > int.MaxValue) return false;
        firstEntryIndex = (int)first;
        entryCount = (int)count;
        complete = (record[25] & CompleteFlag) != 0;
        return true;
    }

    public static void WriteStatusesHeader(Span<byte> destination, ulong slot, ulong parent, int firstIndex, int count, bool last)
    {
        destination[0] = StatusesKind;
        destination[1] = StatusesVersion;
        BinaryPrimitives.WriteUInt64LittleEndian(destination[2..], slot);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[10..], parent);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[18..], (uint)firstIndex);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[22..], (uint)count);
        destination[26] = last ? CompleteFlag : (byte)0;
    }

    /// <summary>A status record's header; false when the bytes are not one (wrong kind or version, unknown flags, counts out of range).</summary>
    public static bool TryReadStatusesHeader(ReadOnlySpan<byte> record, out ulong slot, out ulong parent, out int firstIndex, out int count, out bool last)
    {
        slot = parent = 0;
        firstIndex = count = 0;
        last = false;
        if (record.Length < StatusesHeaderSize || record[0] != StatusesKind || record[1] != StatusesVersion || (record[26] & ~CompleteFlag) != 0) return false;
        slot = BinaryPrimitives.ReadUInt64LittleEndian(record[2..]);
        parent = BinaryPrimitives.ReadUInt64LittleEndian(record[10..]);
        uint first = BinaryPrimitives.ReadUInt32LittleEndian(record[18..]);
        uint n = BinaryPrimitives.ReadUInt32LittleEndian(record[22..]);
        if (first > int.MaxValue || n > int.MaxValue) return false;
        firstIndex = (int)first;
        count = (int)n;
        last = (record[26] & CompleteFlag) != 0;
        return true;
    }

    public static bool TryReadRooted(ReadOnlySpan<byte> record, out ulong slot)
    {
        slot = 0;
        if (record.Length != RootedSize || record[0] != RootedKind) return false;
        slot = BinaryPrimitives.ReadUInt64LittleEndian(record[1..]);
        return true;
    }
}
