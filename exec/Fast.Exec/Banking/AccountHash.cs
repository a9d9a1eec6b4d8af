using System.Buffers;
using System.Buffers.Binary;
using Fast.Core.Merkle;
using Fast.Core.Primitives;
using Fast.Crypto;
using Fast.Storage.Accounts;

namespace Fast.Exec.Banking;

/// <summary>
/// The hash of one account's state as it enters a slot's accounts-delta hash (a Merkle leaf):
/// <code>
/// sha256(0x00 | pubkey(32) | u64 lamports | owner(32) | u8 executable | u64 data_length | data)
/// </code>
/// </summary>
internal static class AccountHash
{
    /// <summary>The preimage's length for an account without data (what <see cref="AccountsDeltaHash"/> hashes many at a time).</summary>
    public const int HeaderSize = 1 + Pubkey.Size + 8 + Pubkey.Size + 1 + 8;
    private const int StackLimit = 1024;

    public static Hash Compute(in AccountEntry entry)
    {
        int length = HeaderSize + entry.Data.Length;
        byte[]? rented = length > StackLimit ? ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> buffer = rented is null ? stackalloc byte[StackLimit] : rented;
        WritePreimage(entry, buffer);
        Span<byte> digest = stackalloc byte[Hash.Size];
        Sha256Kernel.Hash(buffer[..length], digest);
        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        return new Hash(digest);
    }

    /// <summary>Writes the leaf preimage (<see cref="HeaderSize"/> + data bytes) into <paramref name="buffer"/>.</summary>
    public static void WritePreimage(in AccountEntry entry, Span<byte> buffer)
    {
        buffer[0] = MerkleTree.LeafPrefix;
        entry.Key.CopyTo(buffer.Slice(1, Pubkey.Size));
        BinaryPrimitives.WriteUInt64LittleEndian(buffer[33..], entry.Lamports);
        entry.Owner.CopyTo(buffer.Slice(41, Pubkey.Size));
        buffer[73] = entry.Executable ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt64LittleEndian(buffer[74..], (ulong)entry.Data.Length);
        entry.Data.CopyTo(buffer[HeaderSize..]);
    }
}
