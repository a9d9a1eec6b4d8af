using System.Runtime.InteropServices;

namespace Fast.Exec;

/// <summary>
/// The outcome of one transaction in a bank: ok, or a typed <see cref="TransactionError"/> with
/// the index of the instruction that failed; whether it was committed; the fee it paid.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct TransactionResult(TransactionError Error, byte InstructionIndex, ulong Fee)
{
    public bool IsOk => Error == TransactionError.None;

    /// <summary>Committed: the fee was paid and the signature recorded (see <see cref="TransactionError"/>).</summary>
    public bool IsCommitted => Error.IsCommitted();

    public static TransactionResult NotCommitted(TransactionError error) => new(error, 0, 0);

    public override string ToString() => IsOk ? $"ok (fee {Fee})" : $"{Error} at instruction {InstructionIndex} (fee {Fee})";
}
