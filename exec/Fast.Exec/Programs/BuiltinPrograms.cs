using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Exec.Runtime;

namespace Fast.Exec.Programs;

/// <summary>
/// What an executing instruction may see besides its data: the transaction's scratch accounts and
/// keys (indexed by transaction account index), the slot it runs in, and how deeply it is nested
/// (1 for a top-level instruction, one more for each instruction a multisig proposal invokes).
/// Lives on the executing worker's stack for one instruction.
/// </summary>
public readonly ref struct InvokeContext
{
    public InvokeContext(Span<ScratchAccount> accounts, TransactionView transaction, ulong slot, int depth, StakeRules? stake = null)
    {
        Accounts = accounts;
        Transaction = transaction;
        Slot = slot;
        Depth = depth;
        Stake = stake;
    }

    /// <summary>The staking rules of the chain (epoch length, warm-up rate, rent); null without staking.</summary>
    public StakeRules? Stake { get; }

    public Span<ScratchAccount> Accounts { get; }

    public TransactionView Transaction { get; }

    public ulong Slot { get; }

    public int Depth { get; }

    /// <summary>The key of transaction account <paramref name="index"/>.</summary>
    public Pubkey Key(int index) => Transaction.GetAccountKey(index);

    /// <summary>The transaction account index of <paramref name="key"/>, or −1 when the transaction does not list it.</summary>
    public int IndexOf(ReadOnlySpan<byte> key)
    {
        for (int i = 0; i < Transaction.AccountKeyCount; i++)
        {
            if (Transaction.GetAccountKeyBytes(i).SequenceEqual(key)) return i;
        }
        return -1;
    }

    /// <summary>The same accounts one nesting level deeper.</summary>
    public InvokeContext Nested() => new(Accounts, Transaction, Slot, Depth + 1, Stake);
}

/// <summary>
/// The one dispatch from a program id to a built-in program, used for top-level instructions by
/// <see cref="TransactionProcessor"/> and for the instructions a multisig proposal invokes, so an
/// inner instruction runs exactly as it would at the top. Direct calls, no virtual dispatch.
/// </summary>
public static class BuiltinPrograms
{
    /// <summary>The deepest nesting allowed: a top-level instruction is depth 1 (Solana's CPI limit is 4 too).</summary>
    public const int MaxInvokeDepth = 4;

    /// <summary>Runs <paramref name="instruction"/> of <paramref name="programId"/> (its account indexes are transaction indexes).</summary>
    public static TransactionError Invoke(in InvokeContext context, in Pubkey programId, in InstructionView instruction)
    {
        if (programId.IsZero) return SystemProgram.Execute(context.Accounts, instruction);
        if (programId == TokenProgram.Id) return TokenProgram.Execute(context, instruction);
        if (programId == MultisigProgram.Id) return MultisigProgram.Execute(context, instruction);
        if (programId == StakeProgram.Id) return StakeProgram.Execute(context, instruction);
        if (programId == VoteProgram.Id) return VoteProgram.Execute(context, instruction);
        return TransactionError.UnsupportedProgram;
    }

    /// <summary>A program id from a fixed name: sha256("fast/program/" ‖ name), documented in docs/programs.md.</summary>
    internal static Pubkey DeriveId(string name)
    {
        byte[] text = System.Text.Encoding.ASCII.GetBytes("fast/program/" + name);
        return new Pubkey(Hash.Compute(text).Span);
    }

    /// <summary>
    /// Replaces <paramref name="account"/>'s data by a private copy and returns it (the slot's array is
    /// never written in place: a failed transaction must leave it as it was) — once per transaction: an
    /// array this transaction already made (an earlier copy, or a CreateAccount's new data) is returned
    /// as it is, so create + initialize + delegate takes one array, not three. The copy is rented from
    /// the account's <see cref="ScratchAccount.Pool"/>, so steady state allocates nothing.
    /// </summary>
    internal static Span<byte> WritableData(ref ScratchAccount account)
    {
        if (account.PrivateData is byte[] mine && ReferenceEquals(mine, account.Data)) return mine;
        byte[] copy = account.Pool is Storage.Accounts.AccountDataPool pool ? pool.RentCopy(account.Data) : account.Data.AsSpan().ToArray();
        account.Data = copy;
        account.PrivateData = copy;
        return copy;
    }

    /// <summary>Gives <paramref name="account"/> new all-zero data of <paramref name="length"/> bytes (CreateAccount, Allocate), this transaction's own array.</summary>
    internal static void NewData(ref ScratchAccount account, int length)
    {
        byte[] data = length == 0 ? [] : account.Pool is Storage.Accounts.AccountDataPool pool ? pool.RentZeroed(length) : new byte[length];
        account.Data = data;
        account.PrivateData = data;
    }
}
