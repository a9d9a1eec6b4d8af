using System.Runtime.CompilerServices;
using Fast.Core.Genesis;

namespace Fast.Exec.Validity;

/// <summary>
/// Rule "no account is left between zero and its rent-exempt minimum" (docs/block-validity.md),
/// checked on every writable account after a transaction's instructions succeeded, comparing its
/// state before the transaction (before the fee) with its state after: Solana's
/// <c>RentState::transition_allowed</c>. After the transaction an account must hold nothing, or at
/// least <see cref="Rent.MinimumBalance"/> for its data length; the one exception is an account that
/// was already below its minimum before (from a rent-free genesis, or left there by fees) and
/// stays below it with the same data length and no more lamports. A violation fails the
/// transaction with <see cref="TransactionError.InsufficientFundsForRent"/>: it pays its fee and
/// changes nothing else.
/// </summary>
public static class RentRule
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TransitionAllowed(in Rent rent, ulong preLamports, int preDataLength, ulong postLamports, int postDataLength)
    {
        if (rent.IsExempt(postLamports, (ulong)postDataLength)) return true;
        // Post-state is rent-paying: allowed only if it already was, unresized and not credited.
        return !rent.IsExempt(preLamports, (ulong)preDataLength) && preDataLength == postDataLength && postLamports <= preLamports;
    }
}
