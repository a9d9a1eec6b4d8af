using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Node.Bench;

namespace Fast.Node.LoadGen;

/// <summary>
/// Transfers signed before the timed phase, packed in one buffer at a fixed stride so the sender
/// hands them to sendmmsg without copying. Transfer k goes from account k mod N to account
/// (k + N/2) mod N, so any N/2 consecutive transfers touch distinct accounts (conflict-free
/// batches for Sealevel); the amount grows with each pass, so no two messages are equal.
/// </summary>
public sealed class PresignedTransfers
{
    public const int Stride = 256;

    private PresignedTransfers(byte[] buffer, int[] offsets, ushort[] lengths, Signature[] signatures)
    {
        Buffer = buffer;
        Offsets = offsets;
        Lengths = lengths;
        Signatures = signatures;
    }

    public byte[] Buffer { get; }
    public int[] Offsets { get; }
    public ushort[] Lengths { get; }
    public Signature[] Signatures { get; }
    public int Count => Offsets.Length;

    public static PresignedTransfers Sign(IReadOnlyList<Keypair> accounts, int count, Hash blockhash, Action<int>? progress = null)
    {
        int n = accounts.Count;
        if (n < 2) throw new ArgumentException("need at least 2 accounts", nameof(accounts));
        byte[] buffer = GC.AllocateUninitializedArray<byte>(count * Stride);
        int[] offsets = new int[count];
        ushort[] lengths = new ushort[count];
        var signatures = new Signature[count];
        Pubkey[] keys = [.. accounts.Select(a => new Pubkey(a.PublicKey))];
        int done = 0;
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, k =>
        {
            int from = k % n;
            int to = (k + n / 2) % n;
            ulong lamports = 1 + (ulong)(k / n);
            byte[] tx = SampleTransfers.Transfer(accounts[from], keys[to], lamports, blockhash);
            tx.CopyTo(buffer, k * Stride);
            offsets[k] = k * Stride;
            lengths[k] = (ushort)tx.Length;
            TransactionView.TryParse(tx, out TransactionView view);
            signatures[k] = view.FirstSignature;
            int finished = Interlocked.Increment(ref done);
            if (progress is not null && finished % 20_000 == 0) progress(finished);
        });
        return new PresignedTransfers(buffer, offsets, lengths, signatures);
    }
}
