using System.Buffers.Binary;
using Fast.Core.Codec;
using Fast.Core.Consensus;
using Fast.Core.Primitives;
using Fast.Core.Shreds;
using Fast.Exec.Runtime;

namespace Fast.Exec.Programs;

/// <summary>
/// Slashing evidence: WriteEvidence fills an <see cref="EvidenceBuffer"/> in pieces, ReportEquivocation
/// verifies what it holds — versioned <see cref="DuplicateShredEvidence"/>: two shreds of one slot, each
/// carrying the accused identity's signature over its FEC set's root under the shred-root signing domain,
/// that cannot both belong to one block — and records the offence once per (offender, slot) in the
/// <see cref="OffenceRegistry"/>. The burn itself happens at the next epoch boundary (one transaction
/// cannot lock every stake delegated to the offender). The accused key must be the slot's scheduled
/// leader: the program reads the stakes the slot's epoch schedule is drawn from
/// (<see cref="StakeAddresses.EpochStakes"/>, the bank state every node shares) and draws that one
/// slot's leader with the genesis hash as seed (<see cref="LeaderSchedule.LeaderOf"/>, two SHA-256), so
/// a key that signed shreds for a slot it did not lead is refused (EvidenceNotFromLeader): such shreds
/// never make a block, and only the leader's equivocation splits the cluster.
/// </summary>
public static partial class StakeProgram
{
    private static TransactionError WriteEvidence(in InvokeContext context, int bufferIndex, int writerIndex, int offset, ReadOnlySpan<byte> chunk)
    {
        ref ScratchAccount buffer = ref context.Accounts[bufferIndex];
        if (buffer.Owner != Id) return TransactionError.InvalidAccountOwner;
        if (buffer.Data.Length != EvidenceBuffer.Length || buffer.Data[0] is not (0 or EvidenceBuffer.Kind)) return TransactionError.InvalidAccountData;
        if (!context.Accounts[writerIndex].IsSigner) return TransactionError.MissingRequiredSignature;
        Pubkey writer = context.Key(writerIndex);
        if (buffer.Data[0] == EvidenceBuffer.Kind && !buffer.Data.AsSpan(8, Pubkey.Size).SequenceEqual(writer.Span)) return TransactionError.InvalidAuthority;
        if (!buffer.IsWritable) return TransactionError.ReadonlyAccountModified;
        Span<byte> data = BuiltinPrograms.WritableData(ref buffer);
        data[0] = EvidenceBuffer.Kind;
        writer.CopyTo(data.Slice(8, Pubkey.Size));
        chunk.CopyTo(data[(EvidenceBuffer.HeaderSize + offset)..]);
        int length = Math.Max(BinaryPrimitives.ReadUInt16LittleEndian(data[2..]), offset + chunk.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(data[2..], (ushort)length);
        return TransactionError.None;
    }

    private static TransactionError ReportEquivocation(in InvokeContext context, int bufferIndex, int registryIndex, int reporterIndex, int stakesIndex, StakeRules rules)
    {
        ref ScratchAccount buffer = ref context.Accounts[bufferIndex];
        ref ScratchAccount registry = ref context.Accounts[registryIndex];
        ref ScratchAccount reporter = ref context.Accounts[reporterIndex];
        if (buffer.Owner != Id) return TransactionError.InvalidAccountOwner;
        if (buffer.Data.Length != EvidenceBuffer.Length || buffer.Data[0] != EvidenceBuffer.Kind) return TransactionError.InvalidAccountData;
        if (context.Key(registryIndex) != StakeAddresses.Offences) return TransactionError.InvalidArgument;
        if (registry.Owner != Id || registry.Data.Length != OffenceRegistry.Length || registry.Data[0] != OffenceRegistry.Kind) return TransactionError.InvalidAccountData;
        if (!reporter.IsSigner) return TransactionError.MissingRequiredSignature;
        if (!buffer.Data.AsSpan(8, Pubkey.Size).SequenceEqual(context.Key(reporterIndex).Span)) return TransactionError.InvalidAuthority;
        if (!buffer.IsWritable || !registry.IsWritable || !reporter.IsWritable) return TransactionError.ReadonlyAccountModified;
        if (bufferIndex == reporterIndex || bufferIndex == registryIndex || registryIndex == reporterIndex) return TransactionError.InvalidArgument;
        if (context.Key(stakesIndex) != StakeAddresses.EpochStakes) return TransactionError.InvalidArgument;
        if (context.Accounts[stakesIndex].Owner != Id) return TransactionError.InvalidAccountData;

        int length = BinaryPrimitives.ReadUInt16LittleEndian(buffer.Data.AsSpan(2));
        ReadOnlySpan<byte> evidence = buffer.Data.AsSpan(EvidenceBuffer.HeaderSize, Math.Min(length, DuplicateShredEvidence.MaxSize));
        if (!DuplicateShredEvidenceView.TryParse(evidence, out DuplicateShredEvidenceView view).IsOk) return TransactionError.EvidenceInvalid;
        Pubkey offender = view.Leader;
        ulong slot = view.Slot;
        EvidenceVerdict verdict = DuplicateShredEvidence.Verify(offender, evidence, out DecodeResult _);
        if (verdict == EvidenceVerdict.NoConflict) return TransactionError.EvidenceNotConflicting;
        if (verdict != EvidenceVerdict.Proven) return TransactionError.EvidenceInvalid;
        ulong epoch = rules.EpochOf(context.Slot);
        if (slot > context.Slot || rules.EpochOf(slot) + 1 < epoch) return TransactionError.EvidenceOutOfRange;
        if (!WasScheduledLeader(context.Accounts[stakesIndex].Data, offender, slot, rules)) return TransactionError.EvidenceNotFromLeader;
        if (OffenceRegistry.Contains(registry.Data, offender, slot)) return TransactionError.OffenceAlreadyRecorded;
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(registry.Data.AsSpan(4));
        if (count >= OffenceRegistry.MaxEntries) return TransactionError.OffenceRegistryFull;
        if (reporter.Lamports > ulong.MaxValue - buffer.Lamports) return TransactionError.ArithmeticOverflow;

        Span<byte> entries = BuiltinPrograms.WritableData(ref registry);
        Span<byte> entry = entries.Slice(OffenceRegistry.HeaderSize + (int)count * OffenceRegistry.EntrySize, OffenceRegistry.EntrySize);
        offender.CopyTo(entry[..Pubkey.Size]);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[32..], slot);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[40..], context.Slot);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[48..], StakeState.NoEpoch);
        BinaryPrimitives.WriteUInt32LittleEndian(entries[4..], count + 1);
        // The buffer has served: its rent deposit goes back to the reporter.
        reporter.Lamports += buffer.Lamports;
        buffer.Lamports = 0;
        buffer.Data = [];
        buffer.Owner = default;
        return TransactionError.None;
    }

    /// <summary>Whether <paramref name="identity"/> is <paramref name="slot"/>'s scheduled leader by the stakes table (cold: evidence is rare; allocates the stakes list).</summary>
    private static bool WasScheduledLeader(ReadOnlySpan<byte> epochStakes, in Pubkey identity, ulong slot, StakeRules rules)
    {
        ulong epoch = rules.EpochOf(slot);
        List<(Pubkey Identity, ulong Stake)>? stakes = EpochStakesState.StakesFor(epochStakes, epoch, out _);
        if (stakes is null || stakes.Count == 0) return false;
        return LeaderSchedule.LeaderOf(rules.GenesisHash, new Epoch(epoch), rules.SlotsPerEpoch, stakes, slot) == identity;
    }
}
