using Fast.Core.Codec;
using Fast.Core.Ledger;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Exec.Scheduling;
using Fast.Exec.Validity;
using Fast.Testing;
using Xunit;

namespace Fast.Exec.Tests.Validity;

/// <summary>
/// The block rule "every signature verifies" as replay checks it (<see cref="BlockSignatures"/>:
/// BIP-340 batches spread over the scheduler's workers) gives exactly the answer of single
/// verification (<see cref="BlockSignatures.FirstInvalidSingly"/>): the same first bad
/// transaction, on random blocks of 1- to 3-signature transactions with 0..3 corruptions, and
/// allocates nothing in steady state (docs/block-validity.md).
/// </summary>
public sealed class BlockSignaturesTests : IDisposable
{
    private const int TransactionsPerEntry = 64;
    private static readonly Keypair[] Signers = [.. Enumerable.Range(0, 6).Select(_ => Keypair.Generate())];
    private static readonly Lazy<byte[][]> Pool = new(() => [.. Enumerable.Range(0, 300).Select(Signed)]);

    private readonly SealevelScheduler _workers = new(new SchedulerOptions { Workers = 2 });

    public void Dispose() => _workers.Dispose();

    /// <summary>A transaction of 1..3 signers (i % 3 + 1), each signature over the message by its own key.</summary>
    private static byte[] Signed(int i)
    {
        int signers = i % 3 + 1;
        Keypair[] keys = [.. Enumerable.Range(0, signers).Select(k => Signers[(i + k) % Signers.Length])];
        TransactionBuilder builder = new(new Pubkey(keys[0].PublicKey), Hash.Compute(BitConverter.GetBytes(i)));
        AccountMeta[] accounts = [.. keys.Select(k => AccountMeta.Writable(new Pubkey(k.PublicKey), signer: true))];
        builder.AddInstruction(new Pubkey(Hash.Compute("program"u8).Span), accounts, BitConverter.GetBytes(i));
        return builder.Sign(keys);
    }

    private static byte[] Block(IReadOnlyList<byte[]> transactions)
    {
        int length = 0;
        for (int start = 0; start < transactions.Count; start += TransactionsPerEntry)
        {
            int count = Math.Min(TransactionsPerEntry, transactions.Count - start);
            length += EntryWriter.EncodedLength(count, transactions.Skip(start).Take(count).Sum(t => t.Length));
        }
        byte[] block = new byte[length];
        SpanWriter writer = new(block);
        for (int start = 0; start < transactions.Count; start += TransactionsPerEntry)
        {
            byte[][] entry = [.. transactions.Skip(start).Take(TransactionsPerEntry)];
            byte[] body = [.. entry.SelectMany(t => t)];
            EntryWriter.Write(ref writer, 1, Hash.Compute(body), entry.Length, body);
        }
        return block;
    }

    /// <summary>A copy of <paramref name="tx"/> with one bit flipped in signature k or in signer key k's bytes.</summary>
    private static byte[] Corrupt(byte[] tx, Random random)
    {
        byte[] bad = (byte[])tx.Clone();
        Assert.Equal(DecodeStatus.Ok, TransactionView.TryParse(tx, out TransactionView view).Status);
        int k = random.Next(view.SignatureCount);
        int offset = random.Next(2) == 0
            ? 1 + k * Signature.Size + random.Next(Signature.Size)
            : tx.Length - view.Message.Length + 4 + k * Pubkey.Size + random.Next(Pubkey.Size); // header (3 bytes) and the key count (1) precede the keys
        bad[offset] ^= (byte)(1 << random.Next(8));
        return bad;
    }

    [Fact]
    public void A_block_with_one_bad_signature_is_invalid_and_the_check_names_its_transaction()
    {
        byte[][] txs = [.. Pool.Value.Take(200)];
        txs[137] = (byte[])txs[137].Clone();
        txs[137][1 + 5] ^= 0x01; // a bit of the first signature's r
        using BlockSignatures check = new(batchSize: 32, threads: 2);
        byte[] block = Block(txs);

        Assert.Equal(137, check.FirstInvalid(block, _workers));
        Assert.Equal(137, check.FirstInvalid(block, null));
        Assert.Equal(137, BlockSignatures.FirstInvalidSingly(block));
    }

    [Fact]
    public void A_block_whose_signatures_all_verify_is_valid_and_every_signature_is_counted()
    {
        byte[][] txs = [.. Pool.Value];
        using BlockSignatures check = new(batchSize: 64, threads: 2);

        Assert.Equal(-1, check.FirstInvalid(Block(txs), _workers));
        Assert.Equal(txs.Sum(t => t[0]), check.LastSignatureCount); // 1-byte short-vec: the signature count
    }

    [Fact]
    public void Batched_check_names_the_same_first_bad_transaction_as_single_verification_on_random_blocks()
    {
        var random = new Random(20261130);
        using BlockSignatures small = new(batchSize: 8, threads: 2);
        using BlockSignatures large = new(batchSize: 100, threads: 2);
        int invalidBlocks = 0;
        for (int round = 0; round < 60; round++)
        {
            int n = random.Next(1, 260);
            byte[][] txs = [.. Enumerable.Range(0, n).Select(_ => Pool.Value[random.Next(Pool.Value.Length)])];
            int corruptions = random.Next(4);
            for (int c = 0; c < corruptions; c++)
            {
                int at = random.Next(n);
                txs[at] = Corrupt(txs[at], random);
            }
            byte[] block = Block(txs);
            int expected = BlockSignatures.FirstInvalidSingly(block);
            if (expected >= 0) invalidBlocks++;

            Assert.Equal(expected, small.FirstInvalid(block, _workers));
            Assert.Equal(expected, large.FirstInvalid(block, _workers));
            Assert.Equal(expected, small.FirstInvalid(block, null));
        }
        Assert.InRange(invalidBlocks, 30, 60); // most rounds corrupt something: the failure path is exercised
    }

    [Fact]
    public void A_large_block_is_verified_by_the_scheduler_workers_as_well_as_the_checking_thread()
    {
        byte[] block = Block([.. Enumerable.Range(0, 2048).Select(i => Pool.Value[i % Pool.Value.Length])]);
        using BlockSignatures check = new(batchSize: 8, threads: 2);

        for (int i = 0; i < 20 && check.PartsOnHelpers == 0; i++) Assert.Equal(-1, check.FirstInvalid(block, _workers));

        Assert.True(check.PartsOnHelpers > 0, "no batch ran on a scheduler helper");
    }

    [Fact]
    public void Checking_blocks_over_the_workers_allocates_nothing_in_steady_state()
    {
        byte[][] txs = [.. Enumerable.Range(0, 2048).Select(i => Pool.Value[i % Pool.Value.Length])];
        byte[] valid = Block(txs);
        txs[1500] = Corrupt(txs[1500], new Random(7));
        byte[] invalid = Block(txs);
        using BlockSignatures check = new(batchSize: 256, threads: 2);
        int bad = BlockSignatures.FirstInvalidSingly(invalid);

        int wrong = 0;
        long parallel = Allocations.SteadyState(3, 3, () =>
        {
            if (check.FirstInvalid(valid, _workers) != -1) wrong++;
            if (check.FirstInvalid(invalid, _workers) != bad) wrong++;
        });
        long alone = Allocations.SteadyState(3, 3, () =>
        {
            if (check.FirstInvalid(valid, null) != -1) wrong++;
            if (check.FirstInvalid(invalid, null) != bad) wrong++;
        });

        Assert.True(bad >= 0);
        Assert.Equal(0, wrong);
        Assert.Equal(0, alone);
        Assert.Equal(0, parallel);
    }

    [Fact]
    public void Transactions_already_verified_are_skipped_and_an_unverified_bad_one_is_still_found()
    {
        byte[][] txs = [.. Pool.Value.Take(200)];
        txs[150] = Corrupt(txs[150], new Random(3));
        byte[] block = Block(txs);
        VerifiedTransactions known = new();
        for (int i = 0; i < 100; i++) known.Add(VerifiedTransactions.KeyOf(txs[i])); // what a pre-verifier found valid
        known.Add(VerifiedTransactions.KeyOf(Pool.Value[150])); // the good version of the corrupted one: a different transaction
        using BlockSignatures check = new(batchSize: 32, threads: 2) { Known = known };
        using BlockSignatures plain = new(batchSize: 32, threads: 2);

        Assert.Equal(150, check.FirstInvalid(block, _workers));
        Assert.Equal(plain.FirstInvalid(block, _workers), check.FirstInvalid(block, _workers));
        int allSignatures = plain.LastSignatureCount;
        int knownSignatures = txs.Take(100).Sum(t => t[0]); // a transaction's first byte is its signature count (< 128)
        Assert.Equal(allSignatures - knownSignatures, check.LastSignatureCount);
        Assert.True(known.Hits >= 100);
    }
}
