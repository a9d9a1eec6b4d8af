using System.Buffers.Binary;
using Fast.Core.Primitives;
using Fast.Core.Transactions;

namespace Fast.Exec.Programs;

/// <summary>The system program's instructions, numbered as Solana's SystemInstruction enum.</summary>
public enum SystemInstructionKind : uint
{
    CreateAccount = 0,
    Assign = 1,
    Transfer = 2,
    Allocate = 8,
}

/// <summary>An instruction ready for <see cref="TransactionBuilder.AddInstruction"/>: program, accounts, data.</summary>
public sealed record Instruction(Pubkey ProgramId, AccountMeta[] Accounts, byte[] Data);

/// <summary>
/// Encoders for system program instructions in Solana's layout (bincode of SystemInstruction):
/// <code>
/// CreateAccount: u32 0 | u64 lamports | u64 space | owner(32)    accounts: [funder (signer, writable), new (signer, writable)]
/// Assign:        u32 1 | owner(32)                               accounts: [account (signer, writable)]
/// Transfer:      u32 2 | u64 lamports                            accounts: [from (signer, writable), to (writable)]
/// Allocate:      u32 8 | u64 space                               accounts: [account (signer, writable)]
/// </code>
/// The <c>Write...</c> forms fill a span and allocate nothing; the others return ready instructions (client side).
/// </summary>
public static class SystemInstruction
{
    public const int CreateAccountDataLength = 4 + 8 + 8 + Pubkey.Size;
    public const int AssignDataLength = 4 + Pubkey.Size;
    public const int TransferDataLength = 4 + 8;
    public const int AllocateDataLength = 4 + 8;

    public static int WriteTransfer(Span<byte> destination, ulong lamports)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)SystemInstructionKind.Transfer);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[4..], lamports);
        return TransferDataLength;
    }

    public static int WriteCreateAccount(Span<byte> destination, ulong lamports, ulong space, in Pubkey owner)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)SystemInstructionKind.CreateAccount);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[4..], lamports);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[12..], space);
        owner.CopyTo(destination.Slice(20, Pubkey.Size));
        return CreateAccountDataLength;
    }

    public static int WriteAssign(Span<byte> destination, in Pubkey owner)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)SystemInstructionKind.Assign);
        owner.CopyTo(destination.Slice(4, Pubkey.Size));
        return AssignDataLength;
    }

    public static int WriteAllocate(Span<byte> destination, ulong space)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)SystemInstructionKind.Allocate);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[4..], space);
        return AllocateDataLength;
    }

    public static byte[] TransferData(ulong lamports)
    {
        byte[] data = new byte[TransferDataLength];
        WriteTransfer(data, lamports);
        return data;
    }

    public static Instruction Transfer(Pubkey from, Pubkey to, ulong lamports) =>
        new(SystemProgram.Id, [AccountMeta.Writable(from, signer: true), AccountMeta.Writable(to)], TransferData(lamports));

    public static Instruction CreateAccount(Pubkey funder, Pubkey newAccount, ulong lamports, ulong space, Pubkey owner)
    {
        byte[] data = new byte[CreateAccountDataLength];
        WriteCreateAccount(data, lamports, space, owner);
        return new(SystemProgram.Id, [AccountMeta.Writable(funder, signer: true), AccountMeta.Writable(newAccount, signer: true)], data);
    }

    public static Instruction Assign(Pubkey account, Pubkey owner)
    {
        byte[] data = new byte[AssignDataLength];
        WriteAssign(data, owner);
        return new(SystemProgram.Id, [AccountMeta.Writable(account, signer: true)], data);
    }

    public static Instruction Allocate(Pubkey account, ulong space)
    {
        byte[] data = new byte[AllocateDataLength];
        WriteAllocate(data, space);
        return new(SystemProgram.Id, [AccountMeta.Writable(account, signer: true)], data);
    }

    /// <summary>Adds <paramref name="instruction"/> to a transaction being built.</summary>
    public static TransactionBuilder Add(this TransactionBuilder builder, Instruction instruction) =>
        builder.AddInstruction(instruction.ProgramId, instruction.Accounts, instruction.Data);
}
