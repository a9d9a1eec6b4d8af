using System.Buffers.Binary;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Exec.Runtime;
using Fast.Storage.Accounts;

namespace Fast.Exec.Programs;

/// <summary>
/// The system program (program id = <see cref="Pubkey.Zero"/>): creates accounts, moves lamports,
/// allocates data and hands accounts to other programs. Instruction data is Solana's layout (u32
/// little-endian discriminant, then fixed fields; see <see cref="SystemInstruction"/>); extra or
/// missing bytes are <see cref="TransactionError.InvalidInstruction"/>. Runs on a transaction's
/// scratch accounts, so a failure leaves the slot untouched; lamports use checked arithmetic.
/// </summary>
public static class SystemProgram
{
    public static Pubkey Id => Pubkey.Zero;

    /// <summary>Runs one instruction against the transaction's <paramref name="accounts"/> (indexed by transaction account index).</summary>
    public static TransactionError Execute(Span<ScratchAccount> accounts, in InstructionView instruction)
    {
        ReadOnlySpan<byte> data = instruction.Data;
        ReadOnlySpan<byte> indexes = instruction.AccountIndexes;
        if (data.Length < 4) return TransactionError.InvalidInstruction;
        switch ((SystemInstructionKind)BinaryPrimitives.ReadUInt32LittleEndian(data))
        {
            case SystemInstructionKind.CreateAccount:
                if (data.Length != SystemInstruction.CreateAccountDataLength) return TransactionError.InvalidInstruction;
                if (indexes.Length < 2) return TransactionError.NotEnoughAccountKeys;
                return CreateAccount(ref accounts[indexes[0]], ref accounts[indexes[1]],
                    BinaryPrimitives.ReadUInt64LittleEndian(data[4..]), BinaryPrimitives.ReadUInt64LittleEndian(data[12..]), new Pubkey(data.Slice(20, Pubkey.Size)));
            case SystemInstructionKind.Assign:
                if (data.Length != SystemInstruction.AssignDataLength) return TransactionError.InvalidInstruction;
                if (indexes.Length < 1) return TransactionError.NotEnoughAccountKeys;
                return Assign(ref accounts[indexes[0]], new Pubkey(data.Slice(4, Pubkey.Size)));
            case SystemInstructionKind.Transfer:
                if (data.Length != SystemInstruction.TransferDataLength) return TransactionError.InvalidInstruction;
                if (indexes.Length < 2) return TransactionError.NotEnoughAccountKeys;
                return Transfer(ref accounts[indexes[0]], ref accounts[indexes[1]], BinaryPrimitives.ReadUInt64LittleEndian(data[4..]));
            case SystemInstructionKind.Allocate:
                if (data.Length != SystemInstruction.AllocateDataLength) return TransactionError.InvalidInstruction;
                if (indexes.Length < 1) return TransactionError.NotEnoughAccountKeys;
                return Allocate(ref accounts[indexes[0]], BinaryPrimitives.ReadUInt64LittleEndian(data[4..]));
            default:
                return TransactionError.InvalidInstruction;
        }
    }

    /// <summary>Moves lamports from a system account without data to any writable account. <paramref name="from"/> and <paramref name="to"/> may be the same account.</summary>
    private static TransactionError Transfer(ref ScratchAccount from, ref ScratchAccount to, ulong lamports)
    {
        if (!from.IsSigner) return TransactionError.MissingRequiredSignature;
        if (!from.IsWritable || !to.IsWritable) return TransactionError.ReadonlyAccountModified;
        if (from.Data.Length != 0) return TransactionError.InvalidArgument; // Solana: "Transfer: `from` must not carry data"
        if (!from.Owner.IsZero) return TransactionError.InvalidAccountOwner;
        if (from.Lamports < lamports) return TransactionError.InsufficientFunds;
        from.Lamports -= lamports;
        ulong credited = to.Lamports + lamports;
        if (credited < to.Lamports) return TransactionError.ArithmeticOverflow; // checked: a u64 of lamports overflows
        to.Lamports = credited;
        return TransactionError.None;
    }

    private static TransactionError CreateAccount(ref ScratchAccount from, ref ScratchAccount to, ulong lamports, ulong space, in Pubkey owner)
    {
        if (!from.IsSigner || !to.IsSigner) return TransactionError.MissingRequiredSignature;
        if (!from.IsWritable || !to.IsWritable) return TransactionError.ReadonlyAccountModified;
        if (to.Lamports != 0 || to.Data.Length != 0 || !to.Owner.IsZero) return TransactionError.AccountAlreadyExists;
        if (space > Account.MaxDataLength) return TransactionError.InvalidAccountDataLength;
        TransactionError moved = Transfer(ref from, ref to, lamports);
        if (moved != TransactionError.None) return moved;
        BuiltinPrograms.NewData(ref to, (int)space); // this transaction's own array: its next instructions write it in place
        to.Owner = owner;
        return TransactionError.None;
    }

    private static TransactionError Assign(ref ScratchAccount account, in Pubkey owner)
    {
        if (!account.IsSigner) return TransactionError.MissingRequiredSignature;
        if (account.Owner == owner) return TransactionError.None; // Solana: assigning the current owner is a no-op
        if (!account.Owner.IsZero) return TransactionError.InvalidAccountOwner;
        if (!account.IsWritable) return TransactionError.ReadonlyAccountModified;
        account.Owner = owner;
        return TransactionError.None;
    }

    private static TransactionError Allocate(ref ScratchAccount account, ulong space)
    {
        if (!account.IsSigner) return TransactionError.MissingRequiredSignature;
        if (!account.IsWritable) return TransactionError.ReadonlyAccountModified;
        if (account.Data.Length != 0 || !account.Owner.IsZero) return TransactionError.AccountAlreadyExists; // "Allocate: account already in use"
        if (space > Account.MaxDataLength) return TransactionError.InvalidAccountDataLength;
        BuiltinPrograms.NewData(ref account, (int)space);
        return TransactionError.None;
    }
}
