using Fast.Core.Codec;
using Fast.Core.Ledger;
using Fast.Core.Primitives;
using Fast.Core.Shreds;
using Fast.Core.Transactions;
using Fast.Core.Votes;
using FsCheck;
using FsCheck.Fluent;

namespace Fast.Core.Tests.Properties;

/// <summary>A transaction's fields, generated within the format's rules.</summary>
internal sealed record TxSpec(byte[] Signatures, byte Required, byte ReadonlySigned, byte ReadonlyUnsigned, byte[] Keys, byte[] Blockhash, IxSpec[] Instructions)
{
    public int KeyCount => Keys.Length / Pubkey.Size;

    public byte[] Encode()
    {
        byte[] buffer = new byte[TransactionLimits.MaxTransactionSize];
        SpanWriter writer = new(buffer);
        TransactionWriter.WriteSignatures(ref writer, Signatures);
        TransactionWriter.WriteMessageHeader(ref writer, Required, ReadonlySigned, ReadonlyUnsigned);
        TransactionWriter.WriteAccountKeys(ref writer, Keys);
        TransactionWriter.WriteRecentBlockhash(ref writer, new Hash(Blockhash));
        TransactionWriter.WriteInstructionCount(ref writer, Instructions.Length);
        foreach (IxSpec ix in Instructions) TransactionWriter.WriteInstruction(ref writer, ix.Program, ix.Accounts, ix.Data);
        if (writer.Overflowed) throw new InvalidOperationException("generated transaction exceeds 1232 bytes");
        return writer.Written.ToArray();
    }

    public override string ToString() => $"tx(sigs {Required}, keys {KeyCount}, ro {ReadonlySigned}/{ReadonlyUnsigned}, ixs {Instructions.Length})";
}

internal sealed record IxSpec(byte Program, byte[] Accounts, byte[] Data);

internal sealed record EntrySpec(ulong NumHashes, byte[] Hash, TxSpec[] Transactions)
{
    public byte[] Encode()
    {
        byte[][] txs = [.. Transactions.Select(t => t.Encode())];
        byte[] all = [.. txs.SelectMany(t => t)];
        byte[] entry = new byte[EntryWriter.EncodedLength(txs.Length, all.Length)];
        SpanWriter writer = new(entry);
        EntryWriter.Write(ref writer, NumHashes, new Hash(Hash), txs.Length, all);
        return entry;
    }

    public override string ToString() => $"entry({NumHashes} hashes, {Transactions.Length} txs)";
}

/// <summary>A shred's fields, generated within the format's rules (data when <see cref="Data"/> is not null).</summary>
internal sealed record ShredSpec(int Depth, ulong Slot, uint Index, ushort Version, uint FecSetIndex, ushort ParentOffset, ShredFlags Flags, byte[]? Data,
    int NumData, int Position, byte[] Parity, byte[] Proof, byte[] Signature, byte[] ChainedRoot)
{
    public byte[] Encode()
    {
        byte[] shred = new byte[ShredLayout.MaxShredSize];
        ShredCommonHeader header = new(Slot, Index, Version, FecSetIndex, new Hash(ChainedRoot));
        int length = Data is not null
            ? ShredWriter.WriteData(shred, header, Depth, ParentOffset, Flags, Data)
            : ShredWriter.WriteCoding(shred, header, NumData, (1 << Depth) - NumData, Position, Parity);
        Span<byte> written = shred.AsSpan(0, length);
        ShredWriter.WriteProof(written, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Hash>(Proof));
        ShredWriter.WriteSignature(written, Signature);
        return written.ToArray();
    }

    public override string ToString() => Data is not null ? $"data shred(depth {Depth}, index {Index}/{FecSetIndex}, {Data.Length} B)" : $"coding shred(depth {Depth}, {NumData} data, position {Position})";
}

internal sealed record VoteSpec(byte[] Voter, VoteLockout[] Tower, byte[] BankHash, long TimestampMs, byte[] Signature)
{
    public byte[] Encode()
    {
        byte[] vote = new byte[VoteWriter.EncodedLength(Tower.Length)];
        SpanWriter writer = new(vote);
        VoteWriter.Write(ref writer, new Pubkey(Voter), Tower, new Hash(BankHash), TimestampMs, new Signature(Signature));
        return vote;
    }

    public override string ToString() => $"vote({Tower.Length} slots, last {Tower[^1].Slot})";
}

/// <summary>FsCheck generators for every wire format: random values that obey each format's rules.</summary>
internal static class CodecGenerators
{
    public static readonly Gen<byte> Byte = Gen.Choose(0, 255).Select(i => (byte)i);

    public static Gen<byte[]> Bytes(int count) => Gen.ArrayOf(Byte, count);

    public static Gen<byte[]> Bytes(int min, int max) => Gen.Choose(min, max).SelectMany(Bytes);

    public static readonly Gen<ulong> U64 =
        from hi in Gen.Choose(int.MinValue, int.MaxValue)
        from lo in Gen.Choose(int.MinValue, int.MaxValue)
        select ((ulong)(uint)hi << 32) | (uint)lo;

    /// <summary>Small and huge values alike (slots near 0 and near 2^64).</summary>
    public static readonly Gen<ulong> Slot = Gen.OneOf(Gen.Choose(0, 100).Select(i => (ulong)i), U64);

    public static readonly Gen<TxSpec> Transaction =
        from required in Gen.Choose(1, 4)
        from unsigned in Gen.Choose(1, 8)
        from readonlySigned in Gen.Choose(0, required - 1)
        from readonlyUnsigned in Gen.Choose(0, unsigned)
        from signatures in Bytes(required * Signature.Size)
        from keys in Bytes((required + unsigned) * Pubkey.Size).Where(DistinctKeys)
        from blockhash in Bytes(Hash.Size)
        from instructions in Gen.Choose(0, 4).SelectMany(n => Gen.ArrayOf(Instruction(required + unsigned), n))
        select new TxSpec(signatures, (byte)required, (byte)readonlySigned, (byte)readonlyUnsigned, keys, blockhash, instructions);

    private static Gen<IxSpec> Instruction(int keyCount) =>
        from program in Gen.Choose(1, keyCount - 1)
        from accounts in Gen.Choose(0, 6).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, keyCount - 1).Select(i => (byte)i), n))
        from data in Gen.Frequency((3, Bytes(0, 40)), (1, Bytes(100, 140)))
        select new IxSpec((byte)program, accounts, data);

    private static bool DistinctKeys(byte[] keys)
    {
        HashSet<Pubkey> seen = [];
        for (int i = 0; i < keys.Length; i += Pubkey.Size)
        {
            if (!seen.Add(new Pubkey(keys.AsSpan(i, Pubkey.Size)))) return false;
        }
        return true;
    }

    public static readonly Gen<EntrySpec> Entry =
        from count in Gen.Choose(0, 3)
        from numHashes in count == 0 ? U64 : U64.Select(h => Math.Max(1, h))
        from hash in Bytes(Hash.Size)
        from transactions in Gen.ArrayOf(Transaction, count)
        select new EntrySpec(numHashes, hash, transactions);

    public static readonly Gen<ShredSpec> DataShred =
        from depth in Gen.Choose(ShredLayout.MinProofDepth, ShredLayout.MaxProofDepth)
        from leaf in Gen.Choose(0, (1 << depth) - 2)
        from fecSetIndex in Gen.Choose(0, (int)ShredLayout.MaxShredsPerSlot - 1 - leaf)
        from slot in Slot
        from parentOffset in slot == 0 ? Gen.Constant(0) : Gen.Choose(1, (int)Math.Min(slot, ushort.MaxValue))
        from flags in Gen.Elements(ShredFlags.None, ShredFlags.LastInFecSet, ShredFlags.LastInFecSet | ShredFlags.LastInSlot)
        from version in Gen.Choose(0, ushort.MaxValue)
        from data in Gen.Frequency((3, Bytes(0, ShredLayout.DataCapacity(depth))), (1, Bytes(ShredLayout.DataCapacity(depth))))
        from proof in Bytes(depth * ShredLayout.ProofEntrySize)
        from signature in Bytes(ShredLayout.SignatureSize)
        from chainedRoot in Bytes(ShredLayout.ChainedRootSize)
        select new ShredSpec(depth, slot, (uint)(fecSetIndex + leaf), (ushort)version, (uint)fecSetIndex, (ushort)parentOffset, flags, data, 0, 0, [], proof, signature, chainedRoot);

    public static readonly Gen<ShredSpec> CodingShred =
        from depth in Gen.Choose(ShredLayout.MinProofDepth, ShredLayout.MaxProofDepth)
        from numData in Gen.Choose(1, (1 << depth) - 1)
        from position in Gen.Choose(0, (1 << depth) - numData - 1)
        from index in Gen.Choose(0, (int)ShredLayout.MaxShredsPerSlot - 1)
        from fecSetIndex in Gen.Choose(0, (int)ShredLayout.MaxShredsPerSlot - 1)
        from slot in Slot
        from version in Gen.Choose(0, ushort.MaxValue)
        from parity in Bytes(ShredLayout.ErasureShardSize(depth))
        from proof in Bytes(depth * ShredLayout.ProofEntrySize)
        from signature in Bytes(ShredLayout.SignatureSize)
        from chainedRoot in Bytes(ShredLayout.ChainedRootSize)
        select new ShredSpec(depth, slot, (uint)index, (ushort)version, (uint)fecSetIndex, 0, ShredFlags.None, null, numData, position, parity, proof, signature, chainedRoot);

    public static readonly Gen<ShredSpec> Shred = Gen.OneOf(DataShred, CodingShred);

    public static readonly Gen<VoteSpec> Vote =
        from count in Gen.Choose(1, 32)
        from confirmations in Gen.Shuffle(Enumerable.Range(1, 32).ToArray()).Select(all => all.Take(count).OrderDescending().ToArray())
        from first in Slot.Select(s => s / 2)
        from gaps in Gen.ArrayOf(Gen.Choose(1, 1000), count)
        from voter in Bytes(Pubkey.Size)
        from bankHash in Bytes(Hash.Size)
        from timestamp in U64.Select(t => (long)(t >> 1))
        from signature in Bytes(Signature.Size)
        select new VoteSpec(voter, Tower(first, gaps, confirmations), bankHash, timestamp, signature);

    private static VoteLockout[] Tower(ulong first, int[] gaps, int[] confirmations)
    {
        var tower = new VoteLockout[gaps.Length];
        ulong slot = first;
        for (int i = 0; i < gaps.Length; i++)
        {
            slot += (ulong)gaps[i];
            tower[i] = new VoteLockout(slot, (byte)confirmations[i]);
        }
        return tower;
    }
}
