using System.Buffers.Binary;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;

namespace Fast.Node.Bench;

/// <summary>
/// Signed system-program transfers for benchmarks (u32 discriminant 2 = Transfer, u64 lamports —
/// the system program's wire layout). Signing is done up front, in parallel, outside any timing.
/// </summary>
public static class SampleTransfers
{
    public static byte[] Transfer(Keypair from, Pubkey to, ulong lamports, Hash blockhash)
    {
        byte[] data = new byte[12];
        BinaryPrimitives.WriteUInt32LittleEndian(data, 2);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(4), lamports);
        Pubkey payer = new(from.PublicKey);
        return new TransactionBuilder(payer, blockhash)
            .AddInstruction(Pubkey.Zero, [AccountMeta.Writable(payer, signer: true), AccountMeta.Writable(to)], data)
            .Sign(from);
    }

    /// <summary><paramref name="count"/> distinct signed transfers from <paramref name="payers"/> fresh keys.</summary>
    public static byte[][] Generate(int count, int payers, Hash blockhash)
    {
        var keys = new Keypair[payers];
        for (int i = 0; i < payers; i++) keys[i] = Keypair.Generate();
        byte[][] txs = new byte[count][];
        Parallel.For(0, count, i =>
        {
            Span<byte> to = stackalloc byte[32];
            BinaryPrimitives.WriteInt64LittleEndian(to, i);
            txs[i] = Transfer(keys[i % payers], new Pubkey(to), (ulong)i + 1, blockhash);
        });
        return txs;
    }
}
