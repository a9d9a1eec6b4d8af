using Fast.Core.Primitives;
using Fast.Exec;
using Fast.Node.Rpc;
using Fast.Storage.Blocks;

namespace Fast.Node.Validator;

/// <summary>
/// The backend of the Solana-shaped ledger and cluster methods (getBlocks, getBlockTime,
/// isBlockhashValid, getSupply, getBlockCommitment, getSignaturesForAddress, requestAirdrop, ...):
/// reads of <see cref="ChainState"/>, the banks and the Blockstore's address index.
/// </summary>
public sealed partial class ValidatorRpcBackend
{
    public Pubkey Identity => Node.Identity;

    public ulong SlotsPerEpoch => Node.Genesis.Config.SlotsPerEpoch;

    public ulong LamportsPerSignature(Commitment commitment) => Record(commitment)?.Bank.LamportsPerSignature ?? Node.Genesis.Config.LamportsPerSignature;

    /// <summary>
    /// Slot by slot (each an O(1) Blockstore lookup, never a lock held over the range): a complete,
    /// live (not dead) slot at or below the commitment's slot is a block — with one leader there are no
    /// competing forks, only dead slots.
    /// </summary>
    public IReadOnlyList<ulong> Blocks(ulong startSlot, ulong endSlot, int limit, Commitment commitment)
    {
        List<ulong> blocks = [];
        ulong last = Math.Min(endSlot, Slot(commitment));
        for (ulong slot = Math.Max(startSlot, LowestAvailableSlot); slot <= last && blocks.Count < limit; slot++)
        {
            if (!Node.Chain.IsDead(slot) && Node.Blockstore.TryGetSlotMeta(slot, out SlotMeta meta) && meta.IsComplete) blocks.Add(slot);
            if (slot == ulong.MaxValue) break;
        }
        return blocks;
    }

    /// <summary>Genesis' creation time for slot 0; otherwise the leader's clock when the slot froze (kept in the chain state, and stored in the Blockstore).</summary>
    public long? BlockTime(ulong slot) =>
        slot == 0 ? Node.Genesis.Config.CreationTimeUnixMs / 1000 : Node.Chain.Get(slot)?.BlockTimeUnixSeconds ?? Node.Blockstore.BlockTime(slot);

    public FrozenBankInfo? FrozenBank(ulong slot) =>
        Node.Chain.Get(slot) is SlotRecord r ? new FrozenBankInfo(r.Slot, r.Parent, r.BankHash, r.Blockhash, r.BlockHeight, r.TransactionCount) : null;

    public bool IsBlockhashValid(in Hash blockhash, Commitment commitment, out ulong contextSlot)
    {
        SlotRecord? record = Record(commitment) ?? Node.Chain.Root;
        contextSlot = record?.Slot ?? 0;
        // A bank's queue holds its ancestors' blockhashes; its own (the newest) is valid for its children.
        return record is not null ? blockhash == record.Blockhash || record.Bank.Blockhashes.Check(blockhash, record.Slot + 1) == TransactionError.None
            : blockhash == Node.Genesis.Hash;
    }

    public IReadOnlyList<PerformanceSample> PerformanceSamples(int limit) => Node.Chain.Samples.Newest(limit);

    /// <summary>The newest frozen slots the chain state holds (dead ones have no record), ascending.</summary>
    public IReadOnlyList<ulong> RecentBlockSlots(int limit)
    {
        List<ulong> slots = [];
        if (Node.Chain.LatestFrozen is not SlotRecord newest) return slots;
        for (ulong slot = newest.Slot, walked = 0; slots.Count < limit && walked < ChainState.RetainedSlots; slot--, walked++)
        {
            if (Node.Chain.Get(slot) is not null && !Node.Chain.IsDead(slot)) slots.Add(slot);
            if (slot == 0) break;
        }
        slots.Reverse();
        return slots;
    }

    /// <summary>The bank's capitalization: genesis' lamports, which fees (paid to the leader) and transfers never change.</summary>
    public ulong TotalSupply(Commitment commitment, out ulong contextSlot)
    {
        SlotRecord? record = Record(commitment) ?? Node.Chain.Root;
        contextSlot = record?.Slot ?? 0;
        return record?.Bank.Capitalization ?? Node.Genesis.Config.TotalLamports;
    }

    /// <summary>Solana's BlockCommitment array: index 31 is rooted stake, index n−1 stake with n confirmations.</summary>
    private const int CommitmentDepths = 32;

    /// <summary>
    /// The stake that has voted on <paramref name="slot"/> by lockout depth. One validator votes for
    /// each slot it confirms: a rooted slot has the whole stake at the rooted index, a confirmed slot at
    /// depth (confirmed − slot), a frozen slot not yet confirmed has no votes; unknown slots are null.
    /// </summary>
    public BlockCommitmentInfo BlockCommitment(ulong slot)
    {
        ulong total = Node.Genesis.Config.TotalStake;
        if (Node.Chain.Get(slot) is null || Node.Chain.IsDead(slot)) return new BlockCommitmentInfo(null, total);
        ulong[] stakes = new ulong[CommitmentDepths];
        ulong root = Node.Chain.Root?.Slot ?? 0;
        ulong confirmed = Node.Chain.Confirmed?.Slot ?? 0;
        if (slot <= root) stakes[CommitmentDepths - 1] = total;
        else if (slot <= confirmed) stakes[(int)Math.Min(confirmed - slot, CommitmentDepths - 2)] = total;
        return new BlockCommitmentInfo(stakes, total);
    }

    /// <summary>
    /// From the Blockstore's address index, up to the commitment's slot; a dead or incomplete slot's
    /// transactions are void and left out. Each outcome comes from the slot's stored statuses (the
    /// recent-signature index when a slot has none).
    /// </summary>
    public IReadOnlyList<AddressSignatureInfo> SignaturesForAddress(in Pubkey address, Signature? before, Signature? until, int limit, Commitment commitment)
    {
        ulong root = Node.Chain.Root?.Slot ?? 0;
        IReadOnlyList<AddressSignature> found = Node.Blockstore.ReadAddressSignatures(address, Slot(commitment), before, until, limit);
        List<AddressSignatureInfo> results = new(found.Count);
        ulong statusesSlot = ulong.MaxValue;
        byte[]? statuses = null;
        foreach (AddressSignature f in found)
        {
            if (Node.Chain.IsDead(f.Slot) || !Node.Blockstore.TryGetSlotMeta(f.Slot, out SlotMeta meta) || !meta.IsComplete) continue;
            if (f.Slot != statusesSlot)
            {
                statuses = Node.Blockstore.ReadSlotStatuses(f.Slot);
                statusesSlot = f.Slot;
            }
            TransactionOutcome outcome = TransactionOutcome.Ok;
            if (statuses is not null && TransactionStatusCodec.TryReadAt(statuses, f.Index, out StoredTransactionStatus stored).IsOk)
            {
                outcome = new TransactionOutcome((TransactionError)stored.Error, stored.InstructionIndex);
            }
            else if (Node.Signatures.TryGet(f.Signature, out SignatureLocation location))
            {
                outcome = new TransactionOutcome(location.Error, location.InstructionIndex);
            }
            results.Add(new AddressSignatureInfo(f.Signature, f.Slot, outcome, BlockTime(f.Slot),
                f.Slot <= root ? Commitment.Finalized : Commitment.Confirmed));
        }
        return results;
    }

    /// <summary>
    /// A system transfer from the faucet with the confirmed blockhash, signed here and submitted like any
    /// transaction (so it pays its fee and lands, or fails, through the same pipeline).
    /// </summary>
    public AirdropOutcome RequestAirdrop(in Pubkey to, ulong lamports, out Signature signature, out string? detail)
    {
        signature = default;
        detail = null;
        if (Node.Faucet is not Faucet faucet) return AirdropOutcome.NoFaucet;
        if (to == new Pubkey(faucet.Keypair.PublicKey) || to == Exec.Programs.SystemProgram.Id)
        {
            detail = "the faucet cannot airdrop to itself or to the system program";
            return AirdropOutcome.Refused;
        }
        detail = faucet.TryTake(lamports, Environment.TickCount64);
        if (detail is not null) return AirdropOutcome.Refused;
        (Hash blockhash, _) = LatestBlockhash(Commitment.Confirmed, out _);
        byte[] transaction = new byte[Exec.Programs.SystemTransaction.TransferLength];
        Exec.Programs.SystemTransaction.WriteTransfer(transaction, faucet.Keypair, to, lamports, blockhash);
        return Submit(transaction, null, out signature, out detail) == SubmitOutcome.Accepted ? AirdropOutcome.Sent : AirdropOutcome.QueueFull;
    }

    public ulong MaxShredInsertSlot => Node.Blockstore.HighestSlot ?? 0;
}
