using Fast.Core.Codec;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Testing;
using Xunit;

namespace Fast.Core.Tests.Transactions;

public class TransactionViewTests
{
    [Fact]
    public void A_signed_transfer_parses_with_every_field_in_place_and_its_signature_verifies()
    {
        Random random = new(1);
        var from = Keypair.Generate();
        Pubkey to = TestTransactions.RandomKey(random);
        Hash blockhash = TestTransactions.RandomHash(random);
        byte[] tx = TestTransactions.Transfer(from, to, 5000, blockhash);

        Assert.Equal(DecodeStatus.Ok, TransactionView.TryParse(tx, out TransactionView view).Status);
        Assert.Equal(tx.Length, view.Length);
        Assert.Equal(1, view.SignatureCount);
        Assert.Equal(3, view.AccountKeyCount);
        Assert.Equal(new Pubkey(from.PublicKey), view.FeePayer);
        Assert.Equal(to, view.GetAccountKey(1));
        Assert.Equal(Pubkey.Zero, view.GetAccountKey(2));
        Assert.Equal(blockhash, view.RecentBlockhash);
        Assert.True(view.IsSigner(0) && view.IsWritable(0));
        Assert.True(!view.IsSigner(1) && view.IsWritable(1));
        Assert.True(!view.IsSigner(2) && !view.IsWritable(2));
        Assert.True(Schnorr.Verify(view.GetAccountKeyBytes(0), view.Message, view.GetSignatureBytes(0)));

        int instructions = 0;
        foreach (InstructionView ix in view.Instructions)
        {
            Assert.Equal(2, ix.ProgramIdIndex);
            Assert.Equal(new byte[] { 0, 1 }, ix.AccountIndexes.ToArray());
            Assert.Equal(12, ix.Data.Length);
            instructions++;
        }
        Assert.Equal(1, instructions);
    }

    [Fact]
    public void A_layout_rebuilds_the_same_view_without_parsing()
    {
        byte[] tx = TestTransactions.Transfer(Keypair.Generate(), TestTransactions.RandomKey(new Random(2)), 1, default);
        TransactionView.TryParse(tx, out TransactionView parsed);
        TransactionLayout layout = parsed.Layout;
        var rebuilt = TransactionView.FromValidated(tx, layout);
        Assert.Equal(parsed.FirstSignature, rebuilt.FirstSignature);
        Assert.Equal(parsed.RecentBlockhash, rebuilt.RecentBlockhash);
        Assert.True(parsed.Message.SequenceEqual(rebuilt.Message));
    }

    [Fact]
    public void Every_strict_prefix_of_a_transaction_is_truncated_and_an_extra_byte_is_trailing()
    {
        byte[] tx = TestTransactions.Transfer(Keypair.Generate(), TestTransactions.RandomKey(new Random(3)), 7, default);
        for (int length = 0; length < tx.Length; length++)
        {
            DecodeResult result = TransactionView.TryParse(tx.AsSpan(0, length), out _);
            Assert.Equal(DecodeStatus.Truncated, result.Status);
            Assert.InRange(result.Offset, 0, length);
        }
        byte[] longer = [.. tx, 0];
        Assert.Equal(new DecodeResult(DecodeStatus.TrailingBytes, tx.Length), TransactionView.TryParse(longer, out _));
    }

    [Fact]
    public void An_oversized_buffer_is_too_large_at_offset_1232()
    {
        Assert.Equal(new DecodeResult(DecodeStatus.TooLarge, 1232), TransactionView.TryParse(new byte[1233], out _));
    }

    [Fact]
    public void Decoding_a_transaction_allocates_nothing()
    {
        byte[] tx = TestTransactions.Transfer(Keypair.Generate(), TestTransactions.RandomKey(new Random(4)), 9, default);
        long allocated = Allocations.Measure(10_000, () =>
        {
            TransactionView.TryParse(tx, out TransactionView view);
            foreach (InstructionView ix in view.Instructions) _ = ix.Data.Length;
        });
        Assert.Equal(0, allocated);
    }
}
