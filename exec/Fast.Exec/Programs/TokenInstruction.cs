using System.Buffers.Binary;
using Fast.Core.Codec;
using Fast.Core.Primitives;
using Fast.Core.Transactions;

namespace Fast.Exec.Programs;

/// <summary>The token program's instructions (the first byte of the instruction data).</summary>
public enum TokenInstructionKind : byte
{
    InitializeMint = 0,
    InitializeAccount = 1,
    MintTo = 2,
    Transfer = 3,
    Burn = 4,
    Approve = 5,
    Revoke = 6,
    FreezeAccount = 7,
    ThawAccount = 8,
    CloseAccount = 9,
}

/// <summary>
/// One decoded token instruction. Encodings (exact lengths; anything else is rejected, see docs/programs.md):
/// <code>
/// InitializeMint     u8 0 | u8 decimals | u64 max_supply | mint_authority(32) | u8 has_freeze (0/1) | freeze_authority(32, zero when 0)   75 bytes
/// InitializeAccount  u8 1 | owner(32)                                                                                                  33 bytes
/// MintTo, Transfer, Burn, Approve   u8 2/3/4/5 | u64 amount                                                                              9 bytes
/// Revoke, FreezeAccount, ThawAccount, CloseAccount   u8 6/7/8/9                                                                          1 byte
/// </code>
/// <see cref="TryDecode"/> never throws and reports the offset of the first bad byte; <see cref="Write"/> is its inverse.
/// </summary>
public readonly struct TokenInstructionData
{
    public const int InitializeMintLength = 1 + 1 + 8 + Pubkey.Size + 1 + Pubkey.Size;
    public const int InitializeAccountLength = 1 + Pubkey.Size;
    public const int AmountLength = 1 + 8;
    public const int MaxLength = InitializeMintLength;

    public TokenInstructionKind Kind { get; init; }

    /// <summary>MintTo/Transfer/Burn/Approve: the amount; InitializeMint: the max supply.</summary>
    public ulong Amount { get; init; }

    public byte Decimals { get; init; }

    /// <summary>InitializeMint: the mint authority; InitializeAccount: the owner.</summary>
    public Pubkey Authority { get; init; }

    public bool HasFreezeAuthority { get; init; }

    public Pubkey FreezeAuthority { get; init; }

    /// <summary>The encoded length of an instruction of <paramref name="kind"/>.</summary>
    public static int LengthOf(TokenInstructionKind kind) => kind switch
    {
        TokenInstructionKind.InitializeMint => InitializeMintLength,
        TokenInstructionKind.InitializeAccount => InitializeAccountLength,
        TokenInstructionKind.MintTo or TokenInstructionKind.Transfer or TokenInstructionKind.Burn or TokenInstructionKind.Approve => AmountLength,
        _ => 1,
    };

    public static DecodeResult TryDecode(ReadOnlySpan<byte> data, out TokenInstructionData instruction)
    {
        instruction = default;
        if (data.IsEmpty) return new DecodeResult(DecodeStatus.Truncated, 0);
        if (data[0] > (byte)TokenInstructionKind.CloseAccount) return new DecodeResult(DecodeStatus.InvalidValue, 0);
        var kind = (TokenInstructionKind)data[0];
        int length = LengthOf(kind);
        if (data.Length < length) return new DecodeResult(DecodeStatus.Truncated, data.Length);
        if (data.Length > length) return new DecodeResult(DecodeStatus.TrailingBytes, length);
        switch (kind)
        {
            case TokenInstructionKind.InitializeMint:
                byte hasFreeze = data[42];
                if (hasFreeze > 1) return new DecodeResult(DecodeStatus.InvalidValue, 42);
                ReadOnlySpan<byte> freeze = data.Slice(43, Pubkey.Size);
                if (hasFreeze == 0 && freeze.IndexOfAnyExcept((byte)0) >= 0) return new DecodeResult(DecodeStatus.InvalidValue, 43); // one encoding per value
                instruction = new TokenInstructionData
                {
                    Kind = kind,
                    Decimals = data[1],
                    Amount = BinaryPrimitives.ReadUInt64LittleEndian(data[2..]),
                    Authority = new Pubkey(data.Slice(10, Pubkey.Size)),
                    HasFreezeAuthority = hasFreeze == 1,
                    FreezeAuthority = new Pubkey(freeze),
                };
                break;
            case TokenInstructionKind.InitializeAccount:
                instruction = new TokenInstructionData { Kind = kind, Authority = new Pubkey(data.Slice(1, Pubkey.Size)) };
                break;
            case TokenInstructionKind.MintTo or TokenInstructionKind.Transfer or TokenInstructionKind.Burn or TokenInstructionKind.Approve:
                instruction = new TokenInstructionData { Kind = kind, Amount = BinaryPrimitives.ReadUInt64LittleEndian(data[1..]) };
                break;
            default:
                instruction = new TokenInstructionData { Kind = kind };
                break;
        }
        return DecodeResult.Success;
    }

    /// <summary>Writes the encoding into <paramref name="destination"/> (at least <see cref="LengthOf"/> bytes); returns its length.</summary>
    public int Write(Span<byte> destination)
    {
        int length = LengthOf(Kind);
        if (destination.Length < length) ThrowHelper.ThrowArgument(nameof(destination), $"a {Kind} instruction needs {length} bytes");
        destination[0] = (byte)Kind;
        switch (Kind)
        {
            case TokenInstructionKind.InitializeMint:
                destination[1] = Decimals;
                BinaryPrimitives.WriteUInt64LittleEndian(destination[2..], Amount);
                Authority.CopyTo(destination.Slice(10, Pubkey.Size));
                destination[42] = HasFreezeAuthority ? (byte)1 : (byte)0;
                if (HasFreezeAuthority) FreezeAuthority.CopyTo(destination.Slice(43, Pubkey.Size));
                else destination.Slice(43, Pubkey.Size).Clear();
                break;
            case TokenInstructionKind.InitializeAccount:
                Authority.CopyTo(destination.Slice(1, Pubkey.Size));
                break;
            case TokenInstructionKind.MintTo or TokenInstructionKind.Transfer or TokenInstructionKind.Burn or TokenInstructionKind.Approve:
                BinaryPrimitives.WriteUInt64LittleEndian(destination[1..], Amount);
                break;
        }
        return length;
    }

    public byte[] ToArray()
    {
        byte[] data = new byte[LengthOf(Kind)];
        Write(data);
        return data;
    }
}

/// <summary>
/// Client-side builders of token instructions (cold path: allocates), with the accounts each takes
/// in order. Mint and token accounts are first created by the system program with
/// <see cref="MintState.Length"/> / <see cref="TokenAccountState.Length"/> bytes owned by
/// <see cref="TokenProgram.Id"/> (<see cref="CreateMintAccount"/>, <see cref="CreateTokenAccount"/>), then initialized.
/// </summary>
public static class TokenInstruction
{
    /// <summary>System CreateAccount of a mint account: <paramref name="lamports"/> should be the rent-exempt minimum of <see cref="MintState.Length"/> bytes.</summary>
    public static Instruction CreateMintAccount(Pubkey funder, Pubkey mint, ulong lamports) =>
        SystemInstruction.CreateAccount(funder, mint, lamports, MintState.Length, TokenProgram.Id);

    /// <summary>System CreateAccount of a token account: <paramref name="lamports"/> should be the rent-exempt minimum of <see cref="TokenAccountState.Length"/> bytes.</summary>
    public static Instruction CreateTokenAccount(Pubkey funder, Pubkey account, ulong lamports) =>
        SystemInstruction.CreateAccount(funder, account, lamports, TokenAccountState.Length, TokenProgram.Id);

    /// <summary>accounts: [mint (writable)].</summary>
    public static Instruction InitializeMint(Pubkey mint, Pubkey mintAuthority, byte decimals, ulong maxSupply, Pubkey? freezeAuthority = null) =>
        Build([AccountMeta.Writable(mint)], new TokenInstructionData
        {
            Kind = TokenInstructionKind.InitializeMint,
            Decimals = decimals,
            Amount = maxSupply,
            Authority = mintAuthority,
            HasFreezeAuthority = freezeAuthority.HasValue,
            FreezeAuthority = freezeAuthority ?? default,
        });

    /// <summary>accounts: [account (writable), mint].</summary>
    public static Instruction InitializeAccount(Pubkey account, Pubkey mint, Pubkey owner) =>
        Build([AccountMeta.Writable(account), AccountMeta.ReadOnly(mint)], new TokenInstructionData { Kind = TokenInstructionKind.InitializeAccount, Authority = owner });

    /// <summary>accounts: [mint (writable), destination (writable), mint authority (signer)].</summary>
    public static Instruction MintTo(Pubkey mint, Pubkey destination, Pubkey mintAuthority, ulong amount) =>
        Build([AccountMeta.Writable(mint), AccountMeta.Writable(destination), AccountMeta.ReadOnly(mintAuthority, signer: true)], Amount(TokenInstructionKind.MintTo, amount));

    /// <summary>accounts: [source (writable), destination (writable), owner or delegate (signer)].</summary>
    public static Instruction Transfer(Pubkey source, Pubkey destination, Pubkey authority, ulong amount) =>
        Build([AccountMeta.Writable(source), AccountMeta.Writable(destination), AccountMeta.ReadOnly(authority, signer: true)], Amount(TokenInstructionKind.Transfer, amount));

    /// <summary>accounts: [account (writable), mint (writable), owner or delegate (signer)].</summary>
    public static Instruction Burn(Pubkey account, Pubkey mint, Pubkey authority, ulong amount) =>
        Build([AccountMeta.Writable(account), AccountMeta.Writable(mint), AccountMeta.ReadOnly(authority, signer: true)], Amount(TokenInstructionKind.Burn, amount));

    /// <summary>accounts: [source (writable), delegate, owner (signer)].</summary>
    public static Instruction Approve(Pubkey source, Pubkey @delegate, Pubkey owner, ulong amount) =>
        Build([AccountMeta.Writable(source), AccountMeta.ReadOnly(@delegate), AccountMeta.ReadOnly(owner, signer: true)], Amount(TokenInstructionKind.Approve, amount));

    /// <summary>accounts: [source (writable), owner (signer)].</summary>
    public static Instruction Revoke(Pubkey source, Pubkey owner) =>
        Build([AccountMeta.Writable(source), AccountMeta.ReadOnly(owner, signer: true)], new TokenInstructionData { Kind = TokenInstructionKind.Revoke });

    /// <summary>accounts: [account (writable), mint, freeze authority (signer)].</summary>
    public static Instruction Freeze(Pubkey account, Pubkey mint, Pubkey freezeAuthority) =>
        Build([AccountMeta.Writable(account), AccountMeta.ReadOnly(mint), AccountMeta.ReadOnly(freezeAuthority, signer: true)], new TokenInstructionData { Kind = TokenInstructionKind.FreezeAccount });

    /// <summary>accounts: [account (writable), mint, freeze authority (signer)].</summary>
    public static Instruction Thaw(Pubkey account, Pubkey mint, Pubkey freezeAuthority) =>
        Build([AccountMeta.Writable(account), AccountMeta.ReadOnly(mint), AccountMeta.ReadOnly(freezeAuthority, signer: true)], new TokenInstructionData { Kind = TokenInstructionKind.ThawAccount });

    /// <summary>accounts: [account (writable), lamports destination (writable), owner (signer)].</summary>
    public static Instruction Close(Pubkey account, Pubkey destination, Pubkey owner) =>
        Build([AccountMeta.Writable(account), AccountMeta.Writable(destination), AccountMeta.ReadOnly(owner, signer: true)], new TokenInstructionData { Kind = TokenInstructionKind.CloseAccount });

    private static TokenInstructionData Amount(TokenInstructionKind kind, ulong amount) => new() { Kind = kind, Amount = amount };

    private static Instruction Build(AccountMeta[] accounts, TokenInstructionData data) => new(TokenProgram.Id, accounts, data.ToArray());
}
