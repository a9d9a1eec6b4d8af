using System.Buffers.Binary;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Exec.Runtime;

namespace Fast.Exec.Programs;

/// <summary>
/// The vote program (program id <see cref="Id"/> = sha256("fast/program/vote")), reduced to what
/// staking needs until votes exist: a vote account (<see cref="VoteState"/>) names the validator's node
/// identity, its commission and who may withdraw the commission it collects. Instructions:
/// <code>
/// 0 InitializeAccount  u8 0 ‖ withdrawer(32) ‖ u8 commission (0..100)   accounts: vote (w; created with 72 bytes, owned by this program), node identity (s)
/// 1 Withdraw           u8 1 ‖ u64 lamports                             accounts: vote (w), destination (w), withdrawer (s)
/// </code>
/// A withdrawal keeps the account's rent-exempt minimum unless it takes everything (closing it).
/// Genesis creates one vote account per genesis validator.
/// </summary>
public static class VoteProgram
{
    public const int InitializeLength = 1 + Pubkey.Size + 1;
    public const int WithdrawLength = 1 + 8;

    public static Pubkey Id { get; } = BuiltinPrograms.DeriveId("vote");

    public static TransactionError Execute(in InvokeContext context, in InstructionView instruction)
    {
        if (context.Stake is null) return TransactionError.UnsupportedProgram;
        ReadOnlySpan<byte> data = instruction.Data;
        ReadOnlySpan<byte> indexes = instruction.AccountIndexes;
        if (data.IsEmpty) return TransactionError.InvalidInstruction;
        if (data[0] == 0)
        {
            if (data.Length != InitializeLength || data[^1] > 100) return TransactionError.InvalidInstruction;
            if (indexes.Length < 2) return TransactionError.NotEnoughAccountKeys;
            ref ScratchAccount vote = ref context.Accounts[indexes[0]];
            if (vote.Owner != Id) return TransactionError.InvalidAccountOwner;
            if (vote.Data.Length != VoteState.Length) return TransactionError.InvalidAccountData;
            if (vote.Data[0] != 0) return TransactionError.AccountAlreadyInitialized;
            if (!context.Accounts[indexes[1]].IsSigner) return TransactionError.MissingRequiredSignature;
            if (!vote.IsWritable) return TransactionError.ReadonlyAccountModified;
            VoteState state = new() { Commission = data[^1], NodeIdentity = context.Key(indexes[1]), Withdrawer = new Pubkey(data.Slice(1, Pubkey.Size)) };
            state.Write(BuiltinPrograms.WritableData(ref vote));
            return TransactionError.None;
        }
        if (data[0] == 1)
        {
            if (data.Length != WithdrawLength) return TransactionError.InvalidInstruction;
            if (indexes.Length < 3) return TransactionError.NotEnoughAccountKeys;
            ref ScratchAccount vote = ref context.Accounts[indexes[0]];
            ref ScratchAccount destination = ref context.Accounts[indexes[1]];
            if (vote.Owner != Id) return TransactionError.InvalidAccountOwner;
            if (!VoteState.TryRead(vote.Data, out VoteState state)) return TransactionError.InvalidAccountData;
            if (context.Key(indexes[2]) != state.Withdrawer) return TransactionError.InvalidAuthority;
            if (!context.Accounts[indexes[2]].IsSigner) return TransactionError.MissingRequiredSignature;
            if (indexes[0] == indexes[1]) return TransactionError.InvalidArgument;
            if (!vote.IsWritable || !destination.IsWritable) return TransactionError.ReadonlyAccountModified;
            ulong lamports = BinaryPrimitives.ReadUInt64LittleEndian(data[1..]);
            ulong reserve = context.Stake.Rent.MinimumBalance(VoteState.Length);
            bool closing = lamports == vote.Lamports;
            if (lamports > vote.Lamports || (!closing && lamports > vote.Lamports - Math.Min(reserve, vote.Lamports))) return TransactionError.InsufficientFunds;
            if (destination.Lamports > ulong.MaxValue - lamports) return TransactionError.ArithmeticOverflow;
            vote.Lamports -= lamports;
            destination.Lamports += lamports;
            if (closing)
            {
                vote.Data = [];
                vote.Owner = default;
            }
            return TransactionError.None;
        }
        return TransactionError.InvalidInstruction;
    }
}
