using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;

namespace Fast.Core.Tests.Transactions;

/// <summary>Signed sample transactions for codec tests.</summary>
internal static class TestTransactions
{
    internal static readonly Pubkey SystemProgram = Pubkey.Zero;

    /// <summary>A system-program-shaped transfer: payer → recipient, 12 bytes of data.</summary>
    internal static byte[] Transfer(Keypair from, Pubkey to, ulong lamports, Hash blockhash)
    {
        byte[] data = new byte[12];
        BitConverter.TryWriteBytes(data.AsSpan(0, 4), 2u);
        BitConverter.TryWriteBytes(data.AsSpan(4, 8), lamports);
        return new TransactionBuilder(new Pubkey(from.PublicKey), blockhash)
            .AddInstruction(SystemProgram, [AccountMeta.Writable(new Pubkey(from.PublicKey), signer: true), AccountMeta.Writable(to)], data)
            .Sign(from);
    }

    internal static Pubkey RandomKey(Random random)
    {
        byte[] bytes = new byte[32];
        random.NextBytes(bytes);
        return new Pubkey(bytes);
    }

    internal static Hash RandomHash(Random random)
    {
        byte[] bytes = new byte[32];
        random.NextBytes(bytes);
        return new Hash(bytes);
    }
}
