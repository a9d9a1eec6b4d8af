using System.Runtime.InteropServices;
using Fast.Core.Codec;
using Fast.Core.Ledger;
using Fast.Core.Merkle;
using Fast.Core.Primitives;
using Fast.Core.Shreds;
using Fast.Core.Transactions;
using Fast.Core.Votes;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Fast.Core.Tests.Properties;

/// <summary>
/// Property tests (FsCheck) for every wire format: random valid values encode, decode to the same
/// fields, and re-encode to the same bytes; random bytes never make a decoder throw.
/// </summary>
public class CodecProperties
{
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(300).WithQuietOnSuccess(true);

    private static void Holds<T>(Gen<T> generator, Func<T, bool> property, int maxTest = 300) =>
        Check.One(Quick.WithMaxTest(maxTest), Prop.ForAll(generator.ToArbitrary(), property));

    [Fact]
    public void Every_valid_transaction_decodes_to_its_fields_and_re_encodes_to_its_bytes()
    {
        Holds(CodecGenerators.Transaction, spec =>
        {
            byte[] bytes = spec.Encode();
            if (!TransactionView.TryParse(bytes, out TransactionView view).IsOk) return false;
            bool fields = view.SignatureCount == spec.Required
                && view.ReadonlySignedCount == spec.ReadonlySigned && view.ReadonlyUnsignedCount == spec.ReadonlyUnsigned
                && view.AccountKeyCount == spec.KeyCount && view.RecentBlockhash.Span.SequenceEqual(spec.Blockhash)
                && view.InstructionCount == spec.Instructions.Length
                && view.GetSignatureBytes(spec.Required - 1).SequenceEqual(spec.Signatures.AsSpan((spec.Required - 1) * 64, 64))
                && view.GetAccountKeyBytes(spec.KeyCount - 1).SequenceEqual(spec.Keys.AsSpan((spec.KeyCount - 1) * 32, 32));
            int i = 0;
            foreach (InstructionView ix in view.Instructions)
            {
                IxSpec expected = spec.Instructions[i++];
                fields &= ix.ProgramIdIndex == expected.Program && ix.AccountIndexes.SequenceEqual(expected.Accounts) && ix.Data.SequenceEqual(expected.Data);
            }
            for (int k = 0; k < spec.KeyCount; k++)
            {
                bool writable = k < spec.Required ? k < spec.Required - spec.ReadonlySigned : k < spec.KeyCount - spec.ReadonlyUnsigned;
                fields &= view.IsWritable(k) == writable && view.IsSigner(k) == (k < spec.Required);
            }
            return fields && ReEncodes(view, bytes);
        });
    }

    private static bool ReEncodes(in TransactionView view, byte[] bytes)
    {
        byte[] output = new byte[TransactionLimits.MaxTransactionSize];
        SpanWriter writer = new(output);
        TransactionWriter.Write(ref writer, view);
        return writer.Written.SequenceEqual(bytes);
    }

    [Fact]
    public void Every_valid_entry_decodes_to_its_transactions_in_order()
    {
        Holds(CodecGenerators.Entry, spec =>
        {
            byte[] bytes = spec.Encode();
            if (!EntryView.TryParse(bytes, out EntryView entry).IsOk) return false;
            bool ok = entry.NumHashes == spec.NumHashes && entry.Hash.Span.SequenceEqual(spec.Hash)
                && entry.TransactionCount == spec.Transactions.Length && entry.IsTick == (spec.Transactions.Length == 0);
            int i = 0;
            foreach (TransactionView tx in entry.Transactions) ok &= tx.Bytes.SequenceEqual(spec.Transactions[i++].Encode());
            return ok && i == spec.Transactions.Length;
        }, maxTest: 150);
    }

    [Fact]
    public void Every_valid_shred_decodes_to_its_fields_and_re_encodes_to_its_bytes()
    {
        Holds(CodecGenerators.Shred, spec =>
        {
            byte[] bytes = spec.Encode();
            if (!ShredView.TryParse(bytes, out ShredView shred).IsOk) return false;
            bool common = shred.ProofDepth == spec.Depth && shred.Slot == spec.Slot && shred.Index == spec.Index
                && shred.Version == spec.Version && shred.FecSetIndex == spec.FecSetIndex
                && shred.Proof.SequenceEqual(spec.Proof) && shred.SignatureBytes.SequenceEqual(spec.Signature)
                && shred.ChainedRoot.Span.SequenceEqual(spec.ChainedRoot);
            bool body = spec.Data is not null
                ? shred.IsData && shred.Data.SequenceEqual(spec.Data) && shred.ParentOffset == spec.ParentOffset && shred.Flags == spec.Flags
                  && shred.LeafIndex == (int)(spec.Index - spec.FecSetIndex)
                : shred.IsCoding && shred.NumData == spec.NumData && shred.NumCoding == (1 << spec.Depth) - spec.NumData
                  && shred.Position == spec.Position && shred.Parity.SequenceEqual(spec.Parity) && shred.LeafIndex == spec.NumData + spec.Position;
            byte[] again = new ShredSpec(shred.ProofDepth, shred.Slot, shred.Index, shred.Version, shred.FecSetIndex, shred.ParentOffset, shred.Flags,
                shred.IsData ? shred.Data.ToArray() : null, shred.NumData, shred.Position, shred.Parity.ToArray(), shred.Proof.ToArray(),
                shred.SignatureBytes.ToArray(), shred.ChainedRoot.Span.ToArray()).Encode();
            return common && body && again.AsSpan().SequenceEqual(bytes);
        });
    }

    [Fact]
    public void Every_valid_vote_decodes_to_its_tower_and_re_encodes_to_its_bytes()
    {
        Holds(CodecGenerators.Vote, spec =>
        {
            byte[] bytes = spec.Encode();
            if (!VoteView.TryParse(bytes, out VoteView vote).IsOk) return false;
            bool ok = vote.Voter.Span.SequenceEqual(spec.Voter) && vote.SlotCount == spec.Tower.Length && vote.BankHash.Span.SequenceEqual(spec.BankHash)
                && vote.TimestampMs == spec.TimestampMs && vote.SignatureBytes.SequenceEqual(spec.Signature) && vote.LastSlot == spec.Tower[^1].Slot;
            for (int i = 0; i < spec.Tower.Length; i++) ok &= vote.GetLockout(i) == spec.Tower[i];
            var tower = new VoteLockout[vote.SlotCount];
            for (int i = 0; i < tower.Length; i++) tower[i] = vote.GetLockout(i);
            byte[] again = new VoteSpec(vote.Voter.Span.ToArray(), tower, vote.BankHash.Span.ToArray(), vote.TimestampMs, vote.SignatureBytes.ToArray()).Encode();
            return ok && again.AsSpan().SequenceEqual(bytes);
        });
    }

    [Fact]
    public void Every_leaf_of_a_random_tree_has_a_proof_that_round_trips_the_wire_and_verifies_against_the_root()
    {
        Gen<(int Count, int Index, int Salt)> shapes =
            from count in Gen.Frequency((3, Gen.Choose(1, 70)), (1, Gen.Choose(71, 600)))
            from index in Gen.Choose(0, count - 1)
            from salt in Gen.Choose(0, int.MaxValue)
            select (count, index, salt);
        Holds(shapes, shape =>
        {
            Hash[] leaves = [.. Enumerable.Range(0, shape.Count).Select(i => MerkleTree.HashLeaf(BitConverter.GetBytes((long)shape.Salt << 20 | (long)i)))];
            Hash root = MerkleTree.ComputeRoot(leaves);
            var proof = new Hash[MerkleTree.MaxProofLength];
            int length = MerkleTree.BuildProof(leaves, shape.Index, proof);
            byte[] wire = new byte[MerkleProofWriter.EncodedLength(length)];
            SpanWriter writer = new(wire);
            MerkleProofWriter.Write(ref writer, shape.Index, shape.Count, proof.AsSpan(0, length));
            if (!MerkleProofView.TryParse(wire, out MerkleProofView view).IsOk) return false;
            byte[] again = new byte[wire.Length];
            SpanWriter rewriter = new(again);
            MerkleProofWriter.Write(ref rewriter, view.LeafIndex, view.LeafCount, MemoryMarshal.Cast<byte, Hash>(view.Siblings));
            bool otherLeafFails = shape.Count == 1 || !view.Verify(leaves[(shape.Index + 1) % shape.Count], root);
            return view.Verify(leaves[shape.Index], root) && otherLeafFails && again.AsSpan().SequenceEqual(wire);
        }, maxTest: 200);
    }

    [Fact]
    public void Decoding_random_bytes_never_throws_and_any_acceptance_is_exact_length()
    {
        Gen<byte[]> inputs = Gen.Frequency(
            (2, CodecGenerators.Bytes(0, 300)),
            (1, CodecGenerators.Bytes(1150, 1300)),
            (1, CodecGenerators.Bytes(ShredLayout.DataShredSize)),
            (1, CodecGenerators.Bytes(ShredLayout.CodingShredSize)));
        Holds(inputs, bytes =>
        {
            DecodeResult tx = TransactionView.TryParse(bytes, out TransactionView view);
            DecodeResult entry = EntryView.TryParse(bytes, out EntryView entryView);
            DecodeResult shred = ShredView.TryParse(bytes, out ShredView shredView);
            DecodeResult vote = VoteView.TryParse(bytes, out VoteView voteView);
            DecodeResult proof = MerkleProofView.TryParse(bytes, out MerkleProofView proofView);
            DecodeResult evidence = DuplicateShredEvidenceView.TryParse(bytes, out DuplicateShredEvidenceView evidenceView);
            return Sane(tx, bytes.Length, view.Length) && Sane(entry, bytes.Length, entryView.Length)
                && Sane(shred, bytes.Length, shredView.Bytes.Length) && Sane(vote, bytes.Length, voteView.Length)
                && Sane(proof, bytes.Length, proofView.Bytes.Length) && Sane(evidence, bytes.Length, evidenceView.Bytes.Length);
        }, maxTest: 1000);
    }

    /// <summary>A verdict is a defined status with an offset inside (or at the end of) the input; Ok means the whole input.</summary>
    private static bool Sane(DecodeResult result, int inputLength, int acceptedLength) =>
        Enum.IsDefined(result.Status) && result.Offset >= 0 && result.Offset <= Math.Max(inputLength, ShredLayout.MaxShredSize)
        && (!result.IsOk || acceptedLength == inputLength);
}
