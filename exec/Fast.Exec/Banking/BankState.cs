using System.Buffers.Binary;
using Fast.Core.Primitives;

namespace Fast.Exec.Banking;

/// <summary>
/// What a rooted bank saves beside the accounts (the root record of each checkpoint), so a restart
/// can continue from it: its hash, its last blockhash, the blockhash queue its children inherit, and
/// the economics. Little-endian:
/// <code>
/// u8 version=2 | hash(32) bank_hash | hash(32) last_blockhash | u64 capitalization | u64 lamports_per_signature
/// | u64 signature_count | u16 n | u64 block_height | n × (hash(32) | u64 slot)   ← the queue, oldest first
/// </code>
/// Version 1 (no block_height) is still read: its <see cref="BlockHeight"/> is null.
/// </summary>
public sealed record BankState(Hash BankHash, Hash LastBlockhash, ulong Capitalization, ulong LamportsPerSignature, ulong SignatureCount,
    (Hash Hash, ulong Slot)[] Blockhashes, ulong? BlockHeight = null)
{
    private const byte Version = 2;
    private const byte VersionWithoutHeight = 1;
    private const int FixedSizeWithoutHeight = 1 + 32 + 32 + 8 + 8 + 8 + 2;
    private const int FixedSize = FixedSizeWithoutHeight + 8;
    private const int QueueEntrySize = Hash.Size + 8;

    public byte[] Serialize()
    {
        byte[] bytes = new byte[SizeOf(Blockhashes.Length)];
        Write(bytes, BankHash, LastBlockhash, Capitalization, LamportsPerSignature, SignatureCount, BlockHeight ?? 0, Blockhashes);
        return bytes;
    }

    public static int SizeOf(int blockhashes) => FixedSize + blockhashes * QueueEntrySize;

    /// <summary>Writes a state without building a <see cref="BankState"/> (the root record, every root advance).</summary>
    public static int Write(Span<byte> s, in Hash bankHash, in Hash lastBlockhash, ulong capitalization, ulong lamportsPerSignature, ulong signatureCount,
        ulong blockHeight, ReadOnlySpan<(Hash Hash, ulong Slot)> blockhashes)
    {
        s[0] = Version;
        bankHash.CopyTo(s.Slice(1, 32));
        lastBlockhash.CopyTo(s.Slice(33, 32));
        BinaryPrimitives.WriteUInt64LittleEndian(s[65..], capitalization);
        BinaryPrimitives.WriteUInt64LittleEndian(s[73..], lamportsPerSignature);
        BinaryPrimitives.WriteUInt64LittleEndian(s[81..], signatureCount);
        BinaryPrimitives.WriteUInt16LittleEndian(s[89..], (ushort)blockhashes.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(s[FixedSizeWithoutHeight..], blockHeight);
        int p = FixedSize;
        foreach ((Hash hash, ulong slot) in blockhashes)
        {
            hash.CopyTo(s.Slice(p, Hash.Size));
            BinaryPrimitives.WriteUInt64LittleEndian(s[(p + Hash.Size)..], slot);
            p += QueueEntrySize;
        }
        return p;
    }

    /// <summary>Decodes a saved state; null when the bytes are not one (wrong version, truncated, trailing bytes).</summary>
    public static BankState? TryDeserialize(ReadOnlySpan<byte> s)
    {
        if (s.Length < FixedSizeWithoutHeight || (s[0] != Version && s[0] != VersionWithoutHeight)) return null;
        int fixedSize = s[0] == Version ? FixedSize : FixedSizeWithoutHeight;
        int count = BinaryPrimitives.ReadUInt16LittleEndian(s[89..]);
        if (s.Length != fixedSize + count * QueueEntrySize || count > BlockhashQueue.RetainedAgeSlots + 1) return null;
        ulong? blockHeight = s[0] == Version ? BinaryPrimitives.ReadUInt64LittleEndian(s[FixedSizeWithoutHeight..]) : null;
        var queue = new (Hash, ulong)[count];
        int p = fixedSize;
        for (int i = 0; i < count; i++)
        {
            queue[i] = (new Hash(s.Slice(p, Hash.Size)), BinaryPrimitives.ReadUInt64LittleEndian(s[(p + Hash.Size)..]));
            p += QueueEntrySize;
        }
        return new BankState(new Hash(s.Slice(1, 32)), new Hash(s.Slice(33, 32)), BinaryPrimitives.ReadUInt64LittleEndian(s[65..]),
            BinaryPrimitives.ReadUInt64LittleEndian(s[73..]), BinaryPrimitives.ReadUInt64LittleEndian(s[81..]), queue, blockHeight);
    }
}
