using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Node.Bench;
using Xunit;

namespace Fast.Node.Tests.Bench;

public class SampleTransfersTests
{
    [Fact]
    public void Every_generated_transfer_is_a_valid_signed_transaction()
    {
        byte[][] txs = SampleTransfers.Generate(64, 4, Hash.Compute("b"u8));
        HashSet<Signature> signatures = [];
        foreach (byte[] tx in txs)
        {
            Assert.True(TransactionView.TryParse(tx, out TransactionView view).IsOk);
            Assert.True(TransactionSignatures.VerifyAll(view));
            Assert.True(signatures.Add(view.FirstSignature));
        }
    }
}
