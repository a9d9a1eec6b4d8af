using System.Buffers.Binary;
using Fast.Core.Primitives;

namespace Fast.Exec.Programs;

/// <summary>
/// The slots each validator identity led in the current epoch — the stand-in for vote credits until
/// votes exist (docs/programs.md "Credits"). Every bank adds its leader when it freezes, so the counts
/// are the leaders of the bank's own ancestors in the epoch: the same on every node that has the bank.
/// Account <see cref="StakeAddresses.EpochCredits"/> (owned by the stake program):
/// <code>
/// 0 u8 kind = 10 ‖ 3 reserved ‖ u32 count ‖ 8 u64 epoch ‖ 16 count × (identity(32) ‖ u64 slots), ascending by identity
/// </code>
/// </summary>
public static class EpochCreditsState
{
    public const byte Kind = 10;
    public const int HeaderSize = 16;
    public const int EntrySize = Pubkey.Size + 8;
    public const int MaxEntries = 4096;
    public const int MaxLength = HeaderSize + MaxEntries * EntrySize;

    /// <summary>An empty table for <paramref name="epoch"/>.</summary>
    public static byte[] Empty(ulong epoch)
    {
        byte[] data = new byte[HeaderSize];
        data[0] = Kind;
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(8), epoch);
        return data;
    }

    /// <summary>Whether <paramref name="data"/> is a well-formed table; its epoch and entry count.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out ulong epoch, out int count)
    {
        epoch = 0;
        count = 0;
        if (data.Length < HeaderSize || data[0] != Kind) return false;
        uint n = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
        if (n > MaxEntries || data.Length != HeaderSize + (int)n * EntrySize) return false;
        epoch = BinaryPrimitives.ReadUInt64LittleEndian(data[8..]);
        count = (int)n;
        return true;
    }

    /// <summary>The slots <paramref name="identity"/> led in the table's epoch (0 when absent or malformed).</summary>
    public static ulong CreditsOf(ReadOnlySpan<byte> data, in Pubkey identity)
    {
        if (!TryRead(data, out _, out int count)) return 0;
        int at = Find(data, count, identity);
        return at >= 0 ? BinaryPrimitives.ReadUInt64LittleEndian(data[(HeaderSize + at * EntrySize + Pubkey.Size)..]) : 0;
    }

    /// <summary>Every (identity, slots) entry, ascending by identity.</summary>
    public static List<(Pubkey Identity, ulong Slots)> Entries(ReadOnlySpan<byte> data)
    {
        List<(Pubkey, ulong)> entries = [];
        if (!TryRead(data, out _, out int count)) return entries;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> entry = data.Slice(HeaderSize + i * EntrySize, EntrySize);
            entries.Add((new Pubkey(entry[..Pubkey.Size]), BinaryPrimitives.ReadUInt64LittleEndian(entry[Pubkey.Size..])));
        }
        return entries;
    }

    /// <summary>
    /// A copy of the table with one more slot for <paramref name="identity"/> (inserted in order when new;
    /// unchanged past <see cref="MaxEntries"/> identities). A malformed table becomes an empty one of
    /// <paramref name="epoch"/> first.
    /// </summary>
    public static byte[] WithSlotLed(ReadOnlySpan<byte> data, ulong epoch, in Pubkey identity)
    {
        if (!TryRead(data, out _, out int count))
        {
            data = Empty(epoch);
            count = 0;
        }
        int at = Find(data, count, identity);
        if (at >= 0)
        {
            byte[] copy = data.ToArray();
            Span<byte> slots = copy.AsSpan(HeaderSize + at * EntrySize + Pubkey.Size, 8);
            BinaryPrimitives.WriteUInt64LittleEndian(slots, BinaryPrimitives.ReadUInt64LittleEndian(slots) + 1);
            return copy;
        }
        if (count == MaxEntries) return data.ToArray();
        int insert = ~at;
        byte[] grown = new byte[data.Length + EntrySize];
        data[..(HeaderSize + insert * EntrySize)].CopyTo(grown);
        Span<byte> entry = grown.AsSpan(HeaderSize + insert * EntrySize, EntrySize);
        identity.CopyTo(entry[..Pubkey.Size]);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[Pubkey.Size..], 1);
        data[(HeaderSize + insert * EntrySize)..].CopyTo(grown.AsSpan(HeaderSize + (insert + 1) * EntrySize));
        BinaryPrimitives.WriteUInt32LittleEndian(grown.AsSpan(4), (uint)(count + 1));
        return grown;
    }

    /// <summary>Binary search: the entry index, or the complement of where it would go.</summary>
    private static int Find(ReadOnlySpan<byte> data, int count, in Pubkey identity)
    {
        int lo = 0, hi = count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            int c = data.Slice(HeaderSize + mid * EntrySize, Pubkey.Size).SequenceCompareTo(identity.Span);
            if (c == 0) return mid;
            if (c < 0) lo = mid + 1;
            else hi = mid - 1;
        }
        return ~lo;
    }
}

/// <summary>One epoch's cluster stake: what was effective, still warming up, and cooling down (Solana's StakeHistoryEntry).</summary>
public readonly record struct StakeHistoryEntry(ulong Epoch, ulong Effective, ulong Activating, ulong Deactivating);

/// <summary>
/// The cluster's stake per epoch (what warm-up and cool-down are measured against) and the supply
/// figures: lamports issued as rewards and burnt by slashing since genesis, and the last epoch's
/// rewards. Account <see cref="StakeAddresses.StakeHistory"/> (owned by the stake program), written only
/// at epoch boundaries; stake instructions read it (read-only):
/// <code>
/// 0  u8 kind = 11 ‖ 3 reserved ‖ u32 count
/// 8  u64 rewards_issued_total ‖ u64 slashed_total ‖ u64 last_rewarded_epoch (u64::MAX: none) ‖ u64 last_epoch_rewards
/// 40 count × (u64 epoch ‖ u64 effective ‖ u64 activating ‖ u64 deactivating), ascending by epoch, at most 512
/// </code>
/// </summary>
public sealed class StakeHistoryState
{
    public const byte Kind = 11;
    public const int HeaderSize = 40;
    public const int EntrySize = 32;
    public const int MaxEntries = 512;
    public const int MaxLength = HeaderSize + MaxEntries * EntrySize;

    public List<StakeHistoryEntry> Entries { get; } = [];

    public ulong RewardsIssuedTotal { get; set; }

    public ulong SlashedTotal { get; set; }

    public ulong LastRewardedEpoch { get; set; } = StakeState.NoEpoch;

    public ulong LastEpochRewards { get; set; }

    public static bool TryRead(ReadOnlySpan<byte> data, out StakeHistoryState state)
    {
        state = new StakeHistoryState();
        if (data.Length < HeaderSize || data[0] != Kind) return false;
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
        if (count > MaxEntries || data.Length != HeaderSize + (int)count * EntrySize) return false;
        state.RewardsIssuedTotal = BinaryPrimitives.ReadUInt64LittleEndian(data[8..]);
        state.SlashedTotal = BinaryPrimitives.ReadUInt64LittleEndian(data[16..]);
        state.LastRewardedEpoch = BinaryPrimitives.ReadUInt64LittleEndian(data[24..]);
        state.LastEpochRewards = BinaryPrimitives.ReadUInt64LittleEndian(data[32..]);
        for (int i = 0; i < (int)count; i++)
        {
            ReadOnlySpan<byte> e = data.Slice(HeaderSize + i * EntrySize, EntrySize);
            state.Entries.Add(new StakeHistoryEntry(
                BinaryPrimitives.ReadUInt64LittleEndian(e), BinaryPrimitives.ReadUInt64LittleEndian(e[8..]),
                BinaryPrimitives.ReadUInt64LittleEndian(e[16..]), BinaryPrimitives.ReadUInt64LittleEndian(e[24..])));
        }
        return true;
    }

    /// <summary>The entry for <paramref name="epoch"/>, if the history holds it.</summary>
    public bool TryGet(ulong epoch, out StakeHistoryEntry entry) => TryGet(Entries, epoch, out entry);

    internal static bool TryGet(List<StakeHistoryEntry> entries, ulong epoch, out StakeHistoryEntry entry)
    {
        int lo = 0, hi = entries.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            ulong e = entries[mid].Epoch;
            if (e == epoch)
            {
                entry = entries[mid];
                return true;
            }
            if (e < epoch) lo = mid + 1;
            else hi = mid - 1;
        }
        entry = default;
        return false;
    }

    /// <summary>Appends (or replaces) the entry of an epoch after every entry held, dropping the oldest past <see cref="MaxEntries"/>.</summary>
    public void Add(StakeHistoryEntry entry)
    {
        if (Entries.Count > 0 && Entries[^1].Epoch >= entry.Epoch) Entries.RemoveAll(e => e.Epoch >= entry.Epoch);
        Entries.Add(entry);
        if (Entries.Count > MaxEntries) Entries.RemoveAt(0);
    }

    public byte[] ToArray()
    {
        byte[] data = new byte[HeaderSize + Entries.Count * EntrySize];
        data[0] = Kind;
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(4), (uint)Entries.Count);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(8), RewardsIssuedTotal);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(16), SlashedTotal);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(24), LastRewardedEpoch);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(32), LastEpochRewards);
        for (int i = 0; i < Entries.Count; i++)
        {
            Span<byte> e = data.AsSpan(HeaderSize + i * EntrySize, EntrySize);
            BinaryPrimitives.WriteUInt64LittleEndian(e, Entries[i].Epoch);
            BinaryPrimitives.WriteUInt64LittleEndian(e[8..], Entries[i].Effective);
            BinaryPrimitives.WriteUInt64LittleEndian(e[16..], Entries[i].Activating);
            BinaryPrimitives.WriteUInt64LittleEndian(e[24..], Entries[i].Deactivating);
        }
        return data;
    }
}

/// <summary>One recorded offence: who equivocated in which slot, when it was reported, and the epoch its burn was applied (u64::MAX: pending).</summary>
public readonly record struct Offence(Pubkey Offender, ulong Slot, ulong ReportedSlot, ulong AppliedEpoch)
{
    public bool IsPending => AppliedEpoch == StakeState.NoEpoch;
}

/// <summary>
/// The offences the evidence instruction recorded (once per (offender, slot)), pending until the next
/// epoch boundary burns the slashed stake. Account <see cref="StakeAddresses.Offences"/> (owned by the
/// stake program), fixed size so recording one never grows account data:
/// <code>
/// 0 u8 kind = 12 ‖ 3 reserved ‖ u32 count ‖ 8 <see cref="MaxEntries"/> × (offender(32) ‖ u64 slot ‖ u64 reported_slot ‖ u64 applied_epoch), the first count used
/// </code>
/// Applied offences of slots before the previous epoch are dropped at a boundary; evidence about
/// such old slots is refused (EvidenceTooOld), so dropping them never lets an offence count twice.
/// </summary>
public static class OffenceRegistry
{
    public const byte Kind = 12;
    public const int HeaderSize = 8;
    public const int EntrySize = Pubkey.Size + 24;
    public const int MaxEntries = 256;
    public const int Length = HeaderSize + MaxEntries * EntrySize;

    public static byte[] Empty()
    {
        byte[] data = new byte[Length];
        data[0] = Kind;
        return data;
    }

    public static bool TryRead(ReadOnlySpan<byte> data, List<Offence> offences)
    {
        if (data.Length != Length || data[0] != Kind) return false;
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
        if (count > MaxEntries) return false;
        for (int i = 0; i < (int)count; i++)
        {
            ReadOnlySpan<byte> e = data.Slice(HeaderSize + i * EntrySize, EntrySize);
            offences.Add(new Offence(new Pubkey(e[..Pubkey.Size]), BinaryPrimitives.ReadUInt64LittleEndian(e[32..]),
                BinaryPrimitives.ReadUInt64LittleEndian(e[40..]), BinaryPrimitives.ReadUInt64LittleEndian(e[48..])));
        }
        return true;
    }

    /// <summary>Whether the registry already holds an offence of <paramref name="offender"/> in <paramref name="slot"/> (allocation-free).</summary>
    public static bool Contains(ReadOnlySpan<byte> data, in Pubkey offender, ulong slot)
    {
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
        for (int i = 0; i < (int)count && i < MaxEntries; i++)
        {
            ReadOnlySpan<byte> e = data.Slice(HeaderSize + i * EntrySize, EntrySize);
            if (BinaryPrimitives.ReadUInt64LittleEndian(e[32..]) == slot && e[..Pubkey.Size].SequenceEqual(offender.Span)) return true;
        }
        return false;
    }

    public static void Write(Span<byte> data, List<Offence> offences)
    {
        data[..Length].Clear();
        data[0] = Kind;
        BinaryPrimitives.WriteUInt32LittleEndian(data[4..], (uint)offences.Count);
        for (int i = 0; i < offences.Count; i++)
        {
            Span<byte> e = data.Slice(HeaderSize + i * EntrySize, EntrySize);
            offences[i].Offender.CopyTo(e[..Pubkey.Size]);
            BinaryPrimitives.WriteUInt64LittleEndian(e[32..], offences[i].Slot);
            BinaryPrimitives.WriteUInt64LittleEndian(e[40..], offences[i].ReportedSlot);
            BinaryPrimitives.WriteUInt64LittleEndian(e[48..], offences[i].AppliedEpoch);
        }
    }
}
