using System.Buffers.Binary;
using Fast.Core.Codec;
using Fast.Core.Ledger;
using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Exec.Programs;
using Fast.Storage.Accounts;
using Fast.Storage.Blocks;

namespace Fast.CrashHost;

/// <summary>
/// The deterministic world the crash host writes and the crash tests check: a genesis, one block of
/// transfers per slot (conflicting, some failing), the store layouts, and the root/checkpoint cadence.
/// Shared by the child process and the tests so both sides agree on every byte.
/// </summary>
public static class CrashScenario
{
    public const int Accounts = 64;
    public const ulong InitialLamports = 1_000_000_000;
    public const int TransfersPerSlot = 200;
    public const int EntriesPerSlot = 4;
    public const int RootLag = 3;
    public const ulong CheckpointIntervalSlots = 5;

    public static readonly Hash GenesisHash = Hash.Compute("crash scenario genesis"u8);

    public static Pubkey Key(int i)
    {
        Span<byte> seed = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(seed, i);
        return new Pubkey(Hash.Compute(seed).Span);
    }

    public static Pubkey Leader => Key(-1);

    public static GenesisConfig Genesis()
    {
        List<(Pubkey, Account)> accounts = [];
        for (int i = 0; i < Accounts; i++) accounts.Add((Key(i), new Account(InitialLamports, Pubkey.Zero, false, null)));
        return new GenesisConfig(GenesisHash, accounts) { Leader = Leader };
    }

    public static AccountsDbOptions AccountsOptions(string directory) => new()
    {
        Directory = Path.Combine(directory, "accounts"),
        IndexBytes = 1L << 20,
        PageBytes = 1L << 20,
        MemoryBytes = 8L << 20,
        SegmentBytes = 64L << 20,
    };

    public static BlockstoreOptions BlockstoreOptions(string directory) => new()
    {
        Directory = Path.Combine(directory, "blocks"),
        PageBytes = 1L << 20,
        MemoryBytes = 4L << 20,
        SegmentBytes = 64L << 20,
    };

    public static BankForksOptions ForksOptions => new() { CheckpointIntervalSlots = CheckpointIntervalSlots };

    /// <summary>The bytes of batch <paramref name="batch"/> (0 or 1) of <paramref name="slot"/> in the blockstore scenario.</summary>
    public static byte[] Payload(ulong slot, int batch)
    {
        byte[] bytes = new byte[batch == 0 ? 3000 : 5000];
        new Random((int)slot * 7 + batch).NextBytes(bytes);
        return bytes;
    }

    /// <summary>The slot's last PoH hash (what its bank freezes with): a stand-in chain, hash of the slot number.</summary>
    public static Hash EntryHash(ulong slot, int entry)
    {
        Span<byte> seed = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(seed, slot);
        BinaryPrimitives.WriteInt32LittleEndian(seed[8..], entry);
        return Hash.Compute(seed);
    }

    /// <summary>
    /// The entries of <paramref name="slot"/>: <see cref="EntriesPerSlot"/> entries of transfers between
    /// random accounts (amounts up to a fifth of a balance, so some overdraw), with unique signature bytes.
    /// </summary>
    public static byte[] Entries(ulong slot, in Hash recentBlockhash)
    {
        Random random = new((int)slot);
        int perEntry = TransfersPerSlot / EntriesPerSlot;
        byte[] transactions = new byte[perEntry * SystemTransaction.TransferLength];
        byte[] output = new byte[EntriesPerSlot * EntryWriter.EncodedLength(perEntry, transactions.Length)];
        SpanWriter writer = new(output);
        for (int e = 0; e < EntriesPerSlot; e++)
        {
            for (int i = 0; i < perEntry; i++)
            {
                int from = random.Next(Accounts);
                int to = (from + 1 + random.Next(Accounts - 1)) % Accounts;
                Span<byte> tx = transactions.AsSpan(i * SystemTransaction.TransferLength, SystemTransaction.TransferLength);
                SystemTransaction.WriteTransferUnsigned(tx, Key(from), Key(to), (ulong)random.NextInt64(1, (long)InitialLamports / 5), recentBlockhash);
                random.NextBytes(tx.Slice(1, Signature.Size));
            }
            EntryWriter.Write(ref writer, 1, EntryHash(slot, e), perEntry, transactions);
        }
        if (writer.Overflowed) throw new InvalidOperationException("entry buffer too small");
        return output;
    }
}
