using System.Buffers;
using Fast.Core.Merkle;
using Fast.Core.Primitives;
using Fast.Core.Transactions;

namespace Fast.Core.Ledger;

/// <summary>
/// What an entry mixes into the PoH chain: the Merkle root over every signature of every one of its
/// transactions, in order (leaf = sha256(0x00 ‖ signature)). A tick mixes nothing. The PoH rule is
/// then: tick → chain(start, num_hashes); otherwise chain(start, num_hashes − 1), then
/// mixin(·, transactions hash).
/// </summary>
public static class EntryHashing
{
    public static Hash TransactionsHash(in EntryView entry)
    {
        int signatures = 0;
        foreach (TransactionView tx in entry.Transactions) signatures += tx.SignatureCount;
        if (signatures == 0) return Hash.Zero;

        Hash[] leaves = ArrayPool<Hash>.Shared.Rent(signatures);
        try
        {
            int n = 0;
            foreach (TransactionView tx in entry.Transactions)
            {
                for (int i = 0; i < tx.SignatureCount; i++) leaves[n++] = MerkleTree.HashLeaf(tx.GetSignatureBytes(i));
            }
            return MerkleTree.ComputeRootInPlace(leaves.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<Hash>.Shared.Return(leaves);
        }
    }

    /// <summary>
    /// The hash the PoH chain reaches from <paramref name="start"/> over this entry (what a verifier
    /// compares with <see cref="EntryView.Hash"/>). An entry with transactions needs num_hashes ≥ 1
    /// (its last hash is the mixin); 0 is a bug here (the decoder rejects it) and throws rather than
    /// chaining 2^64 − 1 hashes.
    /// </summary>
    public static Hash NextHash(in Hash start, ulong numHashes, in Hash transactionsHash, bool isTick)
    {
        if (!isTick && numHashes == 0) ThrowHelper.ThrowArgument(nameof(numHashes), "an entry with transactions has num_hashes >= 1");
        Span<byte> h = stackalloc byte[Hash.Size];
        start.CopyTo(h);
        if (isTick)
        {
            Fast.Crypto.Sha256Kernel.Chain(h, numHashes);
        }
        else
        {
            Fast.Crypto.Sha256Kernel.Chain(h, numHashes - 1);
            Span<byte> mixin = stackalloc byte[Hash.Size];
            transactionsHash.CopyTo(mixin);
            Fast.Crypto.Sha256Kernel.Mixin(h, mixin, h);
        }
        return new Hash(h);
    }
}
