using System.Buffers;
using System.Buffers.Binary;
using Fast.Core.Merkle;
using Fast.Core.Primitives;
using Fast.Crypto;
using Fast.Storage.Accounts;

namespace Fast.Exec.Banking;

/// <summary>Freezing: fees to the leader, the accounts-delta hash, the bank hash.</summary>
public sealed partial class Bank
{
    /// <summary>
    /// Ends the slot: credits the collected fees to the leader, computes the accounts-delta hash (Merkle
    /// root of <see cref="AccountHash"/> over every account the slot stored, sorted by pubkey) and the
    /// bank hash = sha256(parent bank hash ‖ accounts-delta hash ‖ u64 LE signature count ‖
    /// <paramref name="lastBlockhash"/>). <paramref name="lastBlockhash"/> is the slot's last PoH hash;
    /// children accept it as a recent blockhash. Returns the bank hash. Owner thread.
    /// </summary>
    public Hash Freeze(in Hash lastBlockhash)
    {
        ThrowIfNotExecutable();
        AccountOverlay overlay = _overlay!;
        if (CollectedFees > 0)
        {
            ref AccountEntry leader = ref overlay[Resolve(Leader, out int leaderHash)];
            if (!leader.Loaded) Load(ref leader, Leader, leaderHash);
            leader.Lamports = checked(leader.Lamports + CollectedFees);
            leader.Written = true;
        }
        _accountsDeltaHash = ComputeAccountsDeltaHash(overlay);
        Span<byte> preimage = stackalloc byte[Hash.Size * 3 + 8];
        ParentHash.CopyTo(preimage[..32]);
        _accountsDeltaHash.CopyTo(preimage.Slice(32, 32));
        BinaryPrimitives.WriteUInt64LittleEndian(preimage.Slice(64, 8), SignatureCount);
        lastBlockhash.CopyTo(preimage.Slice(72, 32));
        Span<byte> digest = stackalloc byte[Hash.Size];
        Sha256Kernel.Hash(preimage, digest);
        _hash = new Hash(digest);
        _lastBlockhash = lastBlockhash;
        IsFrozen = true;
        return _hash;
    }

    private static Hash ComputeAccountsDeltaHash(AccountOverlay overlay)
    {
        int written = 0;
        for (int i = 0; i < overlay.Count; i++)
        {
            if (overlay[i].Written) written++;
        }
        if (written == 0) return Hash.Zero;
        int[] order = ArrayPool<int>.Shared.Rent(written);
        ulong[] prefixes = ArrayPool<ulong>.Shared.Rent(written);
        Hash[] leaves = ArrayPool<Hash>.Shared.Rent(written);
        try
        {
            int n = 0;
            for (int i = 0; i < overlay.Count; i++)
            {
                if (!overlay[i].Written) continue;
                prefixes[n] = BinaryPrimitives.ReadUInt64BigEndian(overlay[i].Key.Span);
                order[n++] = i;
            }
            SortByKey(overlay, prefixes.AsSpan(0, n), order.AsSpan(0, n));
            for (int i = 0; i < n; i++) leaves[i] = AccountHash.Compute(overlay[order[i]]);
            return MerkleTree.ComputeRootInPlace(leaves.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<int>.Shared.Return(order);
            ArrayPool<ulong>.Shared.Return(prefixes);
            ArrayPool<Hash>.Shared.Return(leaves);
        }
    }

    /// <summary>
    /// Sorts entry indexes by key: first by the keys' leading 8 bytes as a big-endian integer (a primitive
    /// sort, several times faster than comparing 32-byte keys), then each run of equal prefixes by the
    /// whole key (keys are user-chosen, so equal prefixes can be made on purpose).
    /// </summary>
    private static void SortByKey(AccountOverlay overlay, Span<ulong> prefixes, Span<int> order)
    {
        prefixes.Sort(order);
        for (int start = 0; start < prefixes.Length;)
        {
            int end = start + 1;
            while (end < prefixes.Length && prefixes[end] == prefixes[start]) end++;
            if (end - start > 1) order[start..end].Sort(new ByKey(overlay));
            start = end;
        }
    }

    private readonly struct ByKey(AccountOverlay overlay) : IComparer<int>
    {
        public int Compare(int x, int y) => overlay[x].Key.CompareTo(overlay[y].Key);
    }
}
