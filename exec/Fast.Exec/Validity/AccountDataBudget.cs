using System.Buffers.Binary;
using Fast.Core.Transactions;
using Fast.Exec.Programs;

namespace Fast.Exec.Validity;

/// <summary>
/// Rule "a block allocates at most <see cref="MaxNewDataBytesPerBlock"/> bytes of new account data"
/// (docs/block-validity.md). What a transaction may allocate is read from its instructions alone —
/// the <c>space</c> of every system CreateAccount and Allocate, whether or not it will succeed — so
/// the leader (before recording) and the replayer (before executing) count the same bytes without
/// touching any account, and the order of parallel execution cannot change the sum.
/// </summary>
public static class AccountDataBudget
{
    /// <summary>
    /// 32 MiB of new account data per block (Solana allows 100 MB per 400 ms block; Fast's is
    /// smaller because a slot's new data stays in memory, in its bank's overlay, until the slot is
    /// rooted 31 slots later: 31 × 32 MiB ≈ 1 GiB at most). Three maximum-size (10 MiB) accounts fit.
    /// </summary>
    public const ulong MaxNewDataBytesPerBlock = 32UL << 20;

    /// <summary>Bytes of account data <paramref name="tx"/> asks the system program to allocate (an upper bound of what it may add).</summary>
    public static ulong DeclaredNewData(in TransactionView tx)
    {
        ulong total = 0;
        foreach (InstructionView instruction in tx.Instructions)
        {
            ReadOnlySpan<byte> data = instruction.Data;
            if (data.Length < 4 || tx.GetAccountKeyBytes(instruction.ProgramIdIndex).IndexOfAnyExcept((byte)0) >= 0) continue; // not the system program
            ulong space = (SystemInstructionKind)BinaryPrimitives.ReadUInt32LittleEndian(data) switch
            {
                SystemInstructionKind.CreateAccount when data.Length == SystemInstruction.CreateAccountDataLength => BinaryPrimitives.ReadUInt64LittleEndian(data[12..]),
                SystemInstructionKind.Allocate when data.Length == SystemInstruction.AllocateDataLength => BinaryPrimitives.ReadUInt64LittleEndian(data[4..]),
                _ => 0,
            };
            total = space > ulong.MaxValue - total ? ulong.MaxValue : total + space; // saturating: a hostile space cannot wrap the sum
        }
        return total;
    }

    /// <summary>Adds <paramref name="tx"/>'s declared data to <paramref name="used"/> if the block stays within its cap; false (and unchanged) otherwise.</summary>
    public static bool TryReserve(ref ulong used, in TransactionView tx)
    {
        ulong declared = DeclaredNewData(tx);
        if (declared == 0) return true;
        if (declared > MaxNewDataBytesPerBlock - used) return false;
        used += declared;
        return true;
    }
}
