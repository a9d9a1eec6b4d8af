using Fast.Crypto;

namespace Fast.Core.Transactions;

/// <summary>Checks a transaction's signatures: signer i (account key i) signed the message with signature i.</summary>
public static class TransactionSignatures
{
    /// <summary>True when every signature verifies (BIP-340 over the message bytes).</summary>
    public static bool VerifyAll(in TransactionView transaction)
    {
        ReadOnlySpan<byte> message = transaction.Message;
        for (int i = 0; i < transaction.SignatureCount; i++)
        {
            if (!Schnorr.Verify(transaction.GetAccountKeyBytes(i), message, transaction.GetSignatureBytes(i))) return false;
        }
        return true;
    }
}
