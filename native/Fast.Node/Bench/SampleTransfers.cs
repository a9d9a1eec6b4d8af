using System.Buffers.Binary;
using Fast.Core.Primitives;
using Fast.Crypto;
using Fast.Exec.Programs;

namespace Fast.Node.Bench;

/// <summary>
/// Signed system-program transfers for benchmarks and clients. Signing is done up front, in
/// parallel, outside any timing.
/// </summary>
public static class SampleTransfers
{
    /// <summary>A signed transfer (the system program's 215-byte layout, written by <see cref="SystemTransaction"/>).</summary>
    public static byte[] Transfer(Keypair from, Pubkey to, ulong lamports, Hash blockhash)
    {
        byte[] tx = new byte[SystemTransaction.TransferLength];
        SystemTransaction.WriteTransfer(tx, from, to, lamports, blockhash);
        return tx;
    }

    /// <summary><paramref name="count"/> distinct signed transfers from <paramref name="payers"/> fresh keys.</summary>
    public static byte[][] Generate(int count, int payers, Hash blockhash)
    {
        var keys = new Keypair[payers];
        for (int i = 0; i < payers; i++) keys[i] = Keypair.Generate();
        byte[][] txs = new byte[count][];
        Parallel.For(0, count, i =>
        {
            // A recipient per transfer, never the all-zero key (that is the system program's id).
            Span<byte> to = stackalloc byte[32];
            BinaryPrimitives.WriteInt64LittleEndian(to, i);
            to[31] = 0xA5;
            txs[i] = Transfer(keys[i % payers], new Pubkey(to), (ulong)i + 1, blockhash);
        });
        return txs;
    }
}
