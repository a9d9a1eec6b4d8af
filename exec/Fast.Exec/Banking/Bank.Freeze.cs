using System.Buffers.Binary;
using Fast.Core.Primitives;
using Fast.Crypto;
using Fast.Storage.Accounts;

namespace Fast.Exec.Banking;

/// <summary>Freezing: fees to the leader, the accounts-delta hash, the bank hash.</summary>
public sealed partial class Bank
{
    /// <summary>
    /// Ends the slot: credits the collected fees to the leader, with staking counts the slot as led by
    /// the leader (the epoch credits table, Bank.Epochs.cs), computes the accounts-delta hash (Merkle
    /// root of <see cref="AccountHash"/> over every account the slot stored, sorted by pubkey; in parts on
    /// the workers of the scheduler that executed the slot, see <see cref="Banking.AccountsDeltaHash"/>) and the
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
        if (Context.Staking is StakingConfig staking && Slot > 0) RecordSlotLed(staking); // the leader's credit (Bank.Epochs.cs)
        AccountsDeltaHash hasher = Context.TakeDeltaHasher();
        _accountsDeltaHash = hasher.Compute(overlay, ExecutedBy);
        Context.ReturnDeltaHasher(hasher);
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
}
