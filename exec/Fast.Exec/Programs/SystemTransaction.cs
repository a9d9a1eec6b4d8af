using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;

namespace Fast.Exec.Programs;

/// <summary>
/// Writes a complete one-transfer transaction into a span without allocating, for load generators
/// and benchmarks. The bytes are exactly what <see cref="TransactionBuilder"/> makes for
/// <see cref="SystemInstruction.Transfer(Pubkey, Pubkey, ulong)"/>:
/// <code>
/// 1 | signature(64) | 1 0 1 | 3 | from to system(32 each) | blockhash(32) | 1 | 2 2 0 1 12 | u32 2 u64 lamports
/// </code>
/// (215 bytes), so every such transaction has the same <see cref="TransferLayout"/>.
/// </summary>
public static class SystemTransaction
{
    public const int TransferLength = 1 + Signature.Size + MessageLength;

    /// <summary>Where a transfer's signed message starts (after the signature count and the one signature).</summary>
    public const int MessageOffset = 1 + Signature.Size;
    /// <summary>The bytes a transfer's signature covers.</summary>
    public const int MessageLength = 3 + 1 + 3 * Pubkey.Size + Hash.Size + 1 + 1 + 1 + 2 + 1 + SystemInstruction.TransferDataLength;

    /// <summary>The layout of every transaction <see cref="WriteTransfer"/> writes (no parse needed to schedule it).</summary>
    public static TransactionLayout TransferLayout { get; } = ComputeLayout();

    /// <summary>
    /// Writes a transfer with a zero signature and returns its length (<see cref="TransferLength"/>);
    /// sign it with <see cref="Sign"/> (or put any 64 bytes there when signatures are not checked).
    /// </summary>
    public static int WriteTransferUnsigned(Span<byte> destination, in Pubkey from, in Pubkey to, ulong lamports, in Hash recentBlockhash)
    {
        if (destination.Length < TransferLength) ThrowHelper.ThrowArgument(nameof(destination), $"a transfer needs {TransferLength} bytes");
        if (from == to) ThrowHelper.ThrowArgument(nameof(to), "a transfer's accounts must differ (a transaction lists each key once)");
        destination[0] = 1;
        destination.Slice(1, Signature.Size).Clear();
        Span<byte> m = destination.Slice(MessageOffset, MessageLength);
        m[0] = 1; // required signatures
        m[1] = 0; // read-only signed
        m[2] = 1; // read-only unsigned: the system program
        m[3] = 3; // keys
        from.CopyTo(m.Slice(4, Pubkey.Size));
        to.CopyTo(m.Slice(4 + Pubkey.Size, Pubkey.Size));
        SystemProgram.Id.CopyTo(m.Slice(4 + 2 * Pubkey.Size, Pubkey.Size));
        int p = 4 + 3 * Pubkey.Size;
        recentBlockhash.CopyTo(m.Slice(p, Hash.Size));
        p += Hash.Size;
        m[p++] = 1; // instructions
        m[p++] = 2; // program index
        m[p++] = 2; // account count
        m[p++] = 0;
        m[p++] = 1;
        m[p++] = SystemInstruction.TransferDataLength;
        SystemInstruction.WriteTransfer(m[p..], lamports);
        return TransferLength;
    }

    /// <summary>Writes and signs a transfer from <paramref name="from"/>'s keypair; returns its length.</summary>
    public static int WriteTransfer(Span<byte> destination, Keypair from, in Pubkey to, ulong lamports, in Hash recentBlockhash)
    {
        int length = WriteTransferUnsigned(destination, new Pubkey(from.PublicKey), to, lamports, recentBlockhash);
        Sign(destination, from);
        return length;
    }

    /// <summary>Signs a transfer written by <see cref="WriteTransferUnsigned"/> in place.</summary>
    public static void Sign(Span<byte> transfer, Keypair from) =>
        from.Sign(transfer.Slice(MessageOffset, MessageLength), transfer.Slice(1, Signature.Size));

    /// <summary>Overwrites the recent blockhash of a transfer written here (the signature must be redone).</summary>
    public static void SetBlockhash(Span<byte> transfer, in Hash recentBlockhash) =>
        recentBlockhash.CopyTo(transfer.Slice(MessageOffset + 4 + 3 * Pubkey.Size, Hash.Size));

    private static TransactionLayout ComputeLayout()
    {
        Span<byte> sample = stackalloc byte[TransferLength];
        Span<byte> a = stackalloc byte[Pubkey.Size];
        a.Fill(1);
        Span<byte> b = stackalloc byte[Pubkey.Size];
        b.Fill(2);
        WriteTransferUnsigned(sample, new Pubkey(a), new Pubkey(b), 1, default);
        Core.Codec.DecodeResult result = TransactionView.TryParse(sample, out TransactionView view);
        if (!result.IsOk) ThrowHelper.ThrowInvalidOperation($"the transfer template does not parse: {result}");
        return view.Layout;
    }
}
