using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Exec.Runtime;

namespace Fast.Exec.Programs;

/// <summary>
/// The token program (program id <see cref="Id"/> = sha256("fast/program/token")): mints with a hard
/// cap (<see cref="MintState"/>) and token accounts tied to one (mint, owner) pair
/// (<see cref="TokenAccountState"/>), both owned by this program; mint-to, transfer, burn, delegate
/// approval, freeze/thaw and close. Every check happens before any write, amounts use checked
/// u64 arithmetic, and errors are typed <see cref="TransactionError"/>s (docs/programs.md). Runs on
/// the transaction's scratch accounts, so a failure leaves the slot untouched.
/// </summary>
public static class TokenProgram
{
    public static Pubkey Id { get; } = BuiltinPrograms.DeriveId("token");

    /// <summary>Runs one instruction; its account indexes are transaction account indexes.</summary>
    public static TransactionError Execute(in InvokeContext context, in InstructionView instruction)
    {
        if (!TokenInstructionData.TryDecode(instruction.Data, out TokenInstructionData data).IsOk) return TransactionError.InvalidInstruction;
        ReadOnlySpan<byte> indexes = instruction.AccountIndexes;
        int needed = data.Kind switch
        {
            TokenInstructionKind.InitializeMint => 1,
            TokenInstructionKind.InitializeAccount or TokenInstructionKind.Revoke => 2,
            _ => 3,
        };
        if (indexes.Length < needed) return TransactionError.NotEnoughAccountKeys;
        return data.Kind switch
        {
            TokenInstructionKind.InitializeMint => InitializeMint(ref context.Accounts[indexes[0]], data),
            TokenInstructionKind.InitializeAccount => InitializeAccount(context, indexes[0], indexes[1], data.Authority),
            TokenInstructionKind.MintTo => MintTo(context, indexes[0], indexes[1], indexes[2], data.Amount),
            TokenInstructionKind.Transfer => Transfer(context, indexes[0], indexes[1], indexes[2], data.Amount),
            TokenInstructionKind.Burn => Burn(context, indexes[0], indexes[1], indexes[2], data.Amount),
            TokenInstructionKind.Approve => Approve(context, indexes[0], indexes[1], indexes[2], data.Amount),
            TokenInstructionKind.Revoke => Revoke(context, indexes[0], indexes[1]),
            TokenInstructionKind.FreezeAccount => SetFrozen(context, indexes[0], indexes[1], indexes[2], frozen: true),
            TokenInstructionKind.ThawAccount => SetFrozen(context, indexes[0], indexes[1], indexes[2], frozen: false),
            _ => Close(context, indexes[0], indexes[1], indexes[2]),
        };
    }

    private static TransactionError InitializeMint(ref ScratchAccount mint, in TokenInstructionData data)
    {
        TransactionError uninitialized = CheckUninitialized(mint, MintState.Length);
        if (uninitialized != TransactionError.None) return uninitialized;
        MintState state = new()
        {
            Decimals = data.Decimals,
            HasFreezeAuthority = data.HasFreezeAuthority,
            MintAuthority = data.Authority,
            FreezeAuthority = data.FreezeAuthority,
            MaxSupply = data.Amount,
        };
        state.Write(BuiltinPrograms.WritableData(ref mint));
        return TransactionError.None;
    }

    private static TransactionError InitializeAccount(in InvokeContext context, int accountIndex, int mintIndex, in Pubkey owner)
    {
        ref ScratchAccount account = ref context.Accounts[accountIndex];
        TransactionError uninitialized = CheckUninitialized(account, TokenAccountState.Length);
        if (uninitialized != TransactionError.None) return uninitialized;
        TransactionError mintOk = ReadMint(context.Accounts[mintIndex], out _);
        if (mintOk != TransactionError.None) return mintOk;
        TokenAccountState state = new() { Mint = context.Key(mintIndex), Owner = owner };
        state.Write(BuiltinPrograms.WritableData(ref account));
        return TransactionError.None;
    }

    private static TransactionError MintTo(in InvokeContext context, int mintIndex, int destinationIndex, int authorityIndex, ulong amount)
    {
        ref ScratchAccount mintAccount = ref context.Accounts[mintIndex];
        ref ScratchAccount destinationAccount = ref context.Accounts[destinationIndex];
        TransactionError error = ReadMint(mintAccount, out MintState mint);
        if (error != TransactionError.None) return error;
        error = ReadTokenAccount(destinationAccount, out TokenAccountState destination);
        if (error != TransactionError.None) return error;
        if (!mintAccount.IsWritable || !destinationAccount.IsWritable) return TransactionError.ReadonlyAccountModified;
        if (destination.Mint != context.Key(mintIndex)) return TransactionError.MintMismatch;
        if (destination.Frozen) return TransactionError.AccountFrozen;
        error = CheckAuthority(context, authorityIndex, mint.MintAuthority);
        if (error != TransactionError.None) return error;
        if (amount > ulong.MaxValue - mint.MintedTotal) return TransactionError.ArithmeticOverflow;
        ulong minted = mint.MintedTotal + amount;
        if (minted > mint.MaxSupply) return TransactionError.MintCapExceeded; // the cap bounds every token ever minted
        if (amount > ulong.MaxValue - destination.Amount) return TransactionError.ArithmeticOverflow; // unreachable while supply ≤ u64, kept as the checked rule
        mint.MintedTotal = minted;
        destination.Amount += amount;
        mint.Write(BuiltinPrograms.WritableData(ref mintAccount));
        destination.Write(BuiltinPrograms.WritableData(ref destinationAccount));
        return TransactionError.None;
    }

    private static TransactionError Transfer(in InvokeContext context, int sourceIndex, int destinationIndex, int authorityIndex, ulong amount)
    {
        ref ScratchAccount sourceAccount = ref context.Accounts[sourceIndex];
        ref ScratchAccount destinationAccount = ref context.Accounts[destinationIndex];
        TransactionError error = ReadTokenAccount(sourceAccount, out TokenAccountState source);
        if (error != TransactionError.None) return error;
        error = ReadTokenAccount(destinationAccount, out TokenAccountState destination);
        if (error != TransactionError.None) return error;
        if (!sourceAccount.IsWritable || !destinationAccount.IsWritable) return TransactionError.ReadonlyAccountModified;
        if (source.Mint != destination.Mint) return TransactionError.MintMismatch;
        if (source.Frozen || destination.Frozen) return TransactionError.AccountFrozen;
        error = SpendAuthority(context, authorityIndex, ref source, amount);
        if (error != TransactionError.None) return error;
        if (source.Amount < amount) return TransactionError.InsufficientFunds;
        if (sourceIndex == destinationIndex)
        {
            // A transfer to itself moves nothing; only a delegate's allowance is spent.
            source.Write(BuiltinPrograms.WritableData(ref sourceAccount));
            return TransactionError.None;
        }
        if (amount > ulong.MaxValue - destination.Amount) return TransactionError.ArithmeticOverflow;
        source.Amount -= amount;
        destination.Amount += amount;
        source.Write(BuiltinPrograms.WritableData(ref sourceAccount));
        destination.Write(BuiltinPrograms.WritableData(ref destinationAccount));
        return TransactionError.None;
    }

    private static TransactionError Burn(in InvokeContext context, int accountIndex, int mintIndex, int authorityIndex, ulong amount)
    {
        ref ScratchAccount tokenAccount = ref context.Accounts[accountIndex];
        ref ScratchAccount mintAccount = ref context.Accounts[mintIndex];
        TransactionError error = ReadTokenAccount(tokenAccount, out TokenAccountState account);
        if (error != TransactionError.None) return error;
        error = ReadMint(mintAccount, out MintState mint);
        if (error != TransactionError.None) return error;
        if (!tokenAccount.IsWritable || !mintAccount.IsWritable) return TransactionError.ReadonlyAccountModified;
        if (account.Mint != context.Key(mintIndex)) return TransactionError.MintMismatch;
        if (account.Frozen) return TransactionError.AccountFrozen;
        error = SpendAuthority(context, authorityIndex, ref account, amount);
        if (error != TransactionError.None) return error;
        if (account.Amount < amount) return TransactionError.InsufficientFunds;
        if (amount > mint.Supply) return TransactionError.ArithmeticOverflow; // a balance above the supply would be a broken invariant
        account.Amount -= amount;
        mint.BurntTotal += amount;
        account.Write(BuiltinPrograms.WritableData(ref tokenAccount));
        mint.Write(BuiltinPrograms.WritableData(ref mintAccount));
        return TransactionError.None;
    }

    private static TransactionError Approve(in InvokeContext context, int sourceIndex, int delegateIndex, int ownerIndex, ulong amount)
    {
        ref ScratchAccount sourceAccount = ref context.Accounts[sourceIndex];
        TransactionError error = ReadTokenAccount(sourceAccount, out TokenAccountState source);
        if (error != TransactionError.None) return error;
        if (!sourceAccount.IsWritable) return TransactionError.ReadonlyAccountModified;
        if (source.Frozen) return TransactionError.AccountFrozen;
        error = CheckAuthority(context, ownerIndex, source.Owner);
        if (error != TransactionError.None) return error;
        source.HasDelegate = true;
        source.Delegate = context.Key(delegateIndex);
        source.DelegatedAmount = amount;
        source.Write(BuiltinPrograms.WritableData(ref sourceAccount));
        return TransactionError.None;
    }

    private static TransactionError Revoke(in InvokeContext context, int sourceIndex, int ownerIndex)
    {
        ref ScratchAccount sourceAccount = ref context.Accounts[sourceIndex];
        TransactionError error = ReadTokenAccount(sourceAccount, out TokenAccountState source);
        if (error != TransactionError.None) return error;
        if (!sourceAccount.IsWritable) return TransactionError.ReadonlyAccountModified;
        if (source.Frozen) return TransactionError.AccountFrozen;
        error = CheckAuthority(context, ownerIndex, source.Owner);
        if (error != TransactionError.None) return error;
        source.ClearDelegate();
        source.Write(BuiltinPrograms.WritableData(ref sourceAccount));
        return TransactionError.None;
    }

    private static TransactionError SetFrozen(in InvokeContext context, int accountIndex, int mintIndex, int authorityIndex, bool frozen)
    {
        ref ScratchAccount tokenAccount = ref context.Accounts[accountIndex];
        TransactionError error = ReadTokenAccount(tokenAccount, out TokenAccountState account);
        if (error != TransactionError.None) return error;
        error = ReadMint(context.Accounts[mintIndex], out MintState mint);
        if (error != TransactionError.None) return error;
        if (!tokenAccount.IsWritable) return TransactionError.ReadonlyAccountModified;
        if (account.Mint != context.Key(mintIndex)) return TransactionError.MintMismatch;
        if (!mint.HasFreezeAuthority) return TransactionError.InvalidAuthority; // SPL's MintCannotFreeze
        error = CheckAuthority(context, authorityIndex, mint.FreezeAuthority);
        if (error != TransactionError.None) return error;
        if (account.Frozen == frozen) return frozen ? TransactionError.AccountFrozen : TransactionError.InvalidArgument; // freezing twice / thawing an unfrozen account
        account.Frozen = frozen;
        account.Write(BuiltinPrograms.WritableData(ref tokenAccount));
        return TransactionError.None;
    }

    private static TransactionError Close(in InvokeContext context, int accountIndex, int destinationIndex, int ownerIndex)
    {
        ref ScratchAccount tokenAccount = ref context.Accounts[accountIndex];
        ref ScratchAccount destination = ref context.Accounts[destinationIndex];
        TransactionError error = ReadTokenAccount(tokenAccount, out TokenAccountState account);
        if (error != TransactionError.None) return error;
        if (accountIndex == destinationIndex) return TransactionError.InvalidArgument;
        if (!tokenAccount.IsWritable || !destination.IsWritable) return TransactionError.ReadonlyAccountModified;
        if (account.Frozen) return TransactionError.AccountFrozen;
        error = CheckAuthority(context, ownerIndex, account.Owner);
        if (error != TransactionError.None) return error;
        if (account.Amount != 0) return TransactionError.NonZeroTokenBalance;
        if (tokenAccount.Lamports > ulong.MaxValue - destination.Lamports) return TransactionError.ArithmeticOverflow;
        destination.Lamports += tokenAccount.Lamports;
        tokenAccount.Lamports = 0;
        tokenAccount.Data = [];
        tokenAccount.Owner = default;
        return TransactionError.None;
    }

    /// <summary>An account this program owns, of the given length, still all zero (created by the system program, not yet initialized).</summary>
    private static TransactionError CheckUninitialized(in ScratchAccount account, int length)
    {
        if (account.Owner != Id) return TransactionError.InvalidAccountOwner;
        if (!account.IsWritable) return TransactionError.ReadonlyAccountModified;
        if (account.Data.Length != length) return TransactionError.InvalidAccountData;
        if (account.Data[0] != 0) return TransactionError.AccountAlreadyInitialized;
        return TransactionError.None;
    }

    private static TransactionError ReadMint(in ScratchAccount account, out MintState mint)
    {
        mint = default;
        if (account.Owner != Id) return TransactionError.InvalidAccountOwner;
        return MintState.TryRead(account.Data, out mint) ? TransactionError.None : TransactionError.InvalidAccountData;
    }

    private static TransactionError ReadTokenAccount(in ScratchAccount account, out TokenAccountState state)
    {
        state = default;
        if (account.Owner != Id) return TransactionError.InvalidAccountOwner;
        return TokenAccountState.TryRead(account.Data, out state) ? TransactionError.None : TransactionError.InvalidAccountData;
    }

    /// <summary>The account at <paramref name="index"/> is <paramref name="authority"/> and signed.</summary>
    private static TransactionError CheckAuthority(in InvokeContext context, int index, in Pubkey authority)
    {
        if (context.Key(index) != authority) return TransactionError.InvalidAuthority;
        return context.Accounts[index].IsSigner ? TransactionError.None : TransactionError.MissingRequiredSignature;
    }

    /// <summary>The signer may spend <paramref name="amount"/> of <paramref name="account"/>: its owner, or its delegate within the allowance (which this spends).</summary>
    private static TransactionError SpendAuthority(in InvokeContext context, int index, ref TokenAccountState account, ulong amount)
    {
        Pubkey signer = context.Key(index);
        if (signer != account.Owner)
        {
            if (!account.HasDelegate || signer != account.Delegate) return TransactionError.InvalidAuthority;
            if (!context.Accounts[index].IsSigner) return TransactionError.MissingRequiredSignature;
            if (account.DelegatedAmount < amount) return TransactionError.InsufficientFunds;
            account.DelegatedAmount -= amount;
            if (account.DelegatedAmount == 0) account.ClearDelegate();
            return TransactionError.None;
        }
        return context.Accounts[index].IsSigner ? TransactionError.None : TransactionError.MissingRequiredSignature;
    }
}
