using System.Buffers.Binary;
using System.Security.Cryptography;
using FASTER.core;
using Fast.Core.Primitives;

using AccountSession = FASTER.core.ClientSession<FASTER.core.SpanByte, FASTER.core.SpanByte, FASTER.core.SpanByte,
    Fast.Storage.Accounts.AccountReadOutput, long, Fast.Storage.Accounts.AccountStoreFunctions>;

namespace Fast.Storage.Accounts;

/// <summary>
/// The owner index's records (AccountsDb.OwnerIndex.cs): their keys, the checksum that seals each one,
/// raw reads, upserts and deletes on the owner session, and the test hooks that damage or drop them.
/// </summary>
public sealed partial class AccountsDb
{
    private static void DirectoryKey(in Pubkey owner, Span<byte> destination)
    {
        destination[0] = DirectoryTag;
        owner.CopyTo(destination.Slice(1, Pubkey.Size));
    }

    private static void ChunkKey(in Pubkey owner, uint id, Span<byte> destination)
    {
        destination[0] = ChunkTag;
        owner.CopyTo(destination.Slice(1, Pubkey.Size));
        BinaryPrimitives.WriteUInt32LittleEndian(destination[(1 + Pubkey.Size)..], id);
    }

    /// <summary>Writes the checksum into the last 8 bytes of <paramref name="value"/>.</summary>
    private static void SealRecord(Span<byte> value)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(value[..^ChecksumSize], hash);
        hash[..ChecksumSize].CopyTo(value[^ChecksumSize..]);
    }

    /// <summary>The record's body (without the checksum) after checking version and checksum.</summary>
    private ReadOnlySpan<byte> CheckRecord(in Pubkey owner, byte[] value, string what)
    {
        if (value.Length < 1 + ChecksumSize) throw Damaged(owner, $"the {what} record is {value.Length} bytes long");
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(value.AsSpan(0, value.Length - ChecksumSize), hash);
        if (!hash[..ChecksumSize].SequenceEqual(value.AsSpan(value.Length - ChecksumSize))) throw Damaged(owner, $"the {what} record fails its checksum");
        if (value[0] != IndexVersion) throw Damaged(owner, $"the {what} record has version {value[0]}");
        return value.AsSpan(0, value.Length - ChecksumSize);
    }

    private LedgerDamagedException Damaged(in Pubkey owner, string reason) =>
        new(Options.Directory, $"the owner index of program {owner} is damaged: {reason}");

    private byte[]? ReadRawRecord(ReadOnlySpan<byte> key)
    {
        AccountReadOutput output = new() { Raw = true };
        return ReadRecord(key, ref output) ? output.Data : null;
    }

    private unsafe void UpsertRawRecord(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        AccountSession session = _sessions.Value!;
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            var keySpan = SpanByte.FromPointer(k, key.Length);
            var valueSpan = SpanByte.FromPointer(v, value.Length);
            Status status = session.Upsert(ref keySpan, ref valueSpan);
            if (status.IsPending) session.CompletePending(wait: true);
        }
        OwnerIndexRecordsWritten++;
    }

    private unsafe void DeleteRawRecord(ReadOnlySpan<byte> key)
    {
        AccountSession session = _sessions.Value!;
        fixed (byte* k = key)
        {
            var keySpan = SpanByte.FromPointer(k, key.Length);
            Status status = session.Delete(ref keySpan);
            if (status.IsPending) session.CompletePending(wait: true);
        }
    }

    /// <summary>Test hook: deletes the marker and every directory and chunk (as a store from before the index). Owner thread.</summary>
    internal void DropOwnerIndexForTests()
    {
        HashSet<Pubkey> owners = [];
        foreach ((_, Account account) in ReadAll())
        {
            if (!account.Owner.IsZero) owners.Add(account.Owner);
        }
        Span<byte> key = stackalloc byte[1 + Pubkey.Size + 4];
        foreach (Pubkey owner in owners)
        {
            ReadDirectoryLocked(owner, out List<ChunkRef> chunks, out _);
            foreach (ChunkRef chunk in chunks)
            {
                ChunkKey(owner, chunk.Id, key);
                DeleteRawRecord(key);
            }
            DirectoryKey(owner, key[..(1 + Pubkey.Size)]);
            DeleteRawRecord(key[..(1 + Pubkey.Size)]);
        }
        key[..(1 + Pubkey.Size)].Clear();
        key[0] = MarkerTag;
        DeleteRawRecord(key[..(1 + Pubkey.Size)]);
        _indexMarked = true; // keep this process from writing it again
    }

    /// <summary>Test hook: flips a key byte of <paramref name="owner"/>'s first chunk, keeping its old checksum.</summary>
    internal void CorruptFirstOwnerIndexChunkForTests(in Pubkey owner)
    {
        ReadDirectoryLocked(owner, out List<ChunkRef> chunks, out _);
        Span<byte> key = stackalloc byte[1 + Pubkey.Size + 4];
        ChunkKey(owner, chunks[0].Id, key);
        byte[] value = ReadRawRecord(key)!;
        value[ChunkHeaderSize] ^= 0x01;
        UpsertRawRecord(key, value);
    }
}
