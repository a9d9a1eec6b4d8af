using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Exec.Programs;
using Fast.Exec.Tests.Infrastructure;
using Fast.Testing;
using Xunit;

namespace Fast.Exec.Tests.Programs;

public class SystemTransactionTests
{
    [Fact]
    public void The_span_writer_produces_exactly_the_builders_signed_transfer()
    {
        var keypair = Keypair.Generate();
        Pubkey to = TestChain.Key(5);
        Hash blockhash = TestChain.HashOf("recent");
        byte[] expected = new TransactionBuilder(new Pubkey(keypair.PublicKey), blockhash).Add(SystemInstruction.Transfer(new Pubkey(keypair.PublicKey), to, 12345)).Sign(keypair);
        byte[] written = new byte[SystemTransaction.TransferLength];
        Assert.Equal(SystemTransaction.TransferLength, SystemTransaction.WriteTransfer(written, keypair, to, 12345, blockhash));
        // BIP-340 signing here uses fresh auxiliary randomness, so compare the messages and verify the signature.
        Assert.Equal(expected.AsSpan(65).ToArray(), written.AsSpan(65).ToArray());
        Assert.True(TransactionView.TryParse(written, out TransactionView view).IsOk);
        Assert.True(Schnorr.Verify(keypair.PublicKey, view.Message, view.GetSignatureBytes(0)));
        Assert.Equal(view.Layout.Length, SystemTransaction.TransferLayout.Length);
        Assert.Equal(view.Layout.AccountKeysOffset, SystemTransaction.TransferLayout.AccountKeysOffset);
    }

    [Fact]
    public void Writing_an_unsigned_transfer_allocates_nothing()
    {
        byte[] buffer = new byte[SystemTransaction.TransferLength];
        Pubkey from = TestChain.Key(1), to = TestChain.Key(2);
        Hash blockhash = TestChain.HashOf("b");
        Assert.Equal(0, Allocations.Measure(1000, () => SystemTransaction.WriteTransferUnsigned(buffer, from, to, 7, blockhash)));
    }

    [Fact]
    public void A_transfer_to_oneself_is_refused_because_keys_must_be_distinct()
    {
        byte[] buffer = new byte[SystemTransaction.TransferLength];
        Assert.Throws<ArgumentException>(() => SystemTransaction.WriteTransferUnsigned(buffer, TestChain.Key(1), TestChain.Key(1), 7, default));
    }
}
