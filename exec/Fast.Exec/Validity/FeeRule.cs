using System.Runtime.CompilerServices;
using Fast.Core.Primitives;

namespace Fast.Exec.Validity;

/// <summary>
/// Block-validity rule "every transaction pays its fee" (docs/block-validity.md): the one check of
/// a fee payer, called by the executor on the payer as it stands when the transaction runs (leader
/// and replayer alike, in <see cref="Runtime.TransactionProcessor"/>) and by the leader's
/// <see cref="EntryAdmission"/> on a lower bound of that state before it records the entry.
/// <para>Monotone by design, which is what makes the leader's prediction sound: a payer that passes
/// with fewer lamports passes with more. So the fee itself is not subject to the rent minimum (a fee
/// may leave the payer below it; see <see cref="RentRule"/>).</para>
/// </summary>
public static class FeeRule
{
    /// <summary>The fee of a transaction with <paramref name="signatures"/> signatures.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Fee(int signatures, ulong lamportsPerSignature) => checked((ulong)signatures * lamportsPerSignature);

    /// <summary>
    /// None when a payer with <paramref name="lamports"/>, owned by <paramref name="owner"/> and holding
    /// <paramref name="dataLength"/> bytes, can pay <paramref name="fee"/>; otherwise the
    /// not-committed error (the transaction must not be in a block).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TransactionError CheckPayer(ulong lamports, in Pubkey owner, int dataLength, ulong fee)
    {
        if (lamports == 0) return TransactionError.AccountNotFound;
        if (!owner.IsZero || dataLength != 0) return TransactionError.InvalidAccountForFee; // Solana: the payer must be a system account without data
        if (lamports < fee) return TransactionError.InsufficientFundsForFee;
        return TransactionError.None;
    }
}
