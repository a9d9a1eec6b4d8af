using System.Buffers.Binary;
using Fast.Core.Primitives;

namespace Fast.Exec.Programs;

/// <summary>
/// The token program's mint account: who may mint, who may freeze, the decimals, the hard cap and
/// how much was ever minted and burnt. Fixed layout, little-endian (docs/programs.md):
/// <code>
/// 0  u8  kind = 1        1 u8 decimals      2 u8 has_freeze_authority (0/1)     3 u8 reserved (0)
/// 4  mint_authority(32)  36 freeze_authority(32, zero when none)
/// 68 u64 max_supply      76 u64 minted_total   84 u64 burnt_total               (92 bytes)
/// </code>
/// The supply is <c>minted_total − burnt_total</c>; <c>minted_total ≤ max_supply</c> always (the cap
/// bounds everything ever issued: burning does not make room to mint again).
/// </summary>
public struct MintState
{
    public const int Length = 92;
    public const byte Kind = 1;

    public byte Decimals;
    public bool HasFreezeAuthority;
    public Pubkey MintAuthority;
    public Pubkey FreezeAuthority;
    public ulong MaxSupply;
    public ulong MintedTotal;
    public ulong BurntTotal;

    /// <summary>Tokens in circulation.</summary>
    public readonly ulong Supply => MintedTotal - BurntTotal;

    /// <summary>Reads an initialized mint; false when <paramref name="data"/> is not one (wrong length, kind or flag).</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out MintState mint)
    {
        mint = default;
        if (data.Length != Length || data[0] != Kind || data[2] > 1) return false;
        mint.Decimals = data[1];
        mint.HasFreezeAuthority = data[2] == 1;
        mint.MintAuthority = new Pubkey(data.Slice(4, Pubkey.Size));
        mint.FreezeAuthority = new Pubkey(data.Slice(36, Pubkey.Size));
        mint.MaxSupply = BinaryPrimitives.ReadUInt64LittleEndian(data[68..]);
        mint.MintedTotal = BinaryPrimitives.ReadUInt64LittleEndian(data[76..]);
        mint.BurntTotal = BinaryPrimitives.ReadUInt64LittleEndian(data[84..]);
        return mint.BurntTotal <= mint.MintedTotal;
    }

    public readonly void Write(Span<byte> data)
    {
        data[0] = Kind;
        data[1] = Decimals;
        data[2] = HasFreezeAuthority ? (byte)1 : (byte)0;
        data[3] = 0;
        MintAuthority.CopyTo(data.Slice(4, Pubkey.Size));
        FreezeAuthority.CopyTo(data.Slice(36, Pubkey.Size));
        BinaryPrimitives.WriteUInt64LittleEndian(data[68..], MaxSupply);
        BinaryPrimitives.WriteUInt64LittleEndian(data[76..], MintedTotal);
        BinaryPrimitives.WriteUInt64LittleEndian(data[84..], BurntTotal);
    }
}

/// <summary>
/// The token program's token account: a balance of one mint held by one owner, with an optional
/// delegate allowed to spend up to <c>delegated_amount</c>, and a frozen flag only the mint's freeze
/// authority changes. Fixed layout, little-endian (docs/programs.md):
/// <code>
/// 0  u8 kind = 2    1 u8 frozen (0/1)    2 u8 has_delegate (0/1)    3 u8 reserved (0)
/// 4  mint(32)       36 owner(32)         68 u64 amount
/// 76 delegate(32, zero when none)        108 u64 delegated_amount (0 when none)      (116 bytes)
/// </code>
/// </summary>
public struct TokenAccountState
{
    public const int Length = 116;
    public const byte Kind = 2;

    public bool Frozen;
    public bool HasDelegate;
    public Pubkey Mint;
    public Pubkey Owner;
    public ulong Amount;
    public Pubkey Delegate;
    public ulong DelegatedAmount;

    /// <summary>Reads an initialized token account; false when <paramref name="data"/> is not one.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out TokenAccountState account)
    {
        account = default;
        if (data.Length != Length || data[0] != Kind || data[1] > 1 || data[2] > 1) return false;
        account.Frozen = data[1] == 1;
        account.HasDelegate = data[2] == 1;
        account.Mint = new Pubkey(data.Slice(4, Pubkey.Size));
        account.Owner = new Pubkey(data.Slice(36, Pubkey.Size));
        account.Amount = BinaryPrimitives.ReadUInt64LittleEndian(data[68..]);
        account.Delegate = new Pubkey(data.Slice(76, Pubkey.Size));
        account.DelegatedAmount = BinaryPrimitives.ReadUInt64LittleEndian(data[108..]);
        return true;
    }

    public readonly void Write(Span<byte> data)
    {
        data[0] = Kind;
        data[1] = Frozen ? (byte)1 : (byte)0;
        data[2] = HasDelegate ? (byte)1 : (byte)0;
        data[3] = 0;
        Mint.CopyTo(data.Slice(4, Pubkey.Size));
        Owner.CopyTo(data.Slice(36, Pubkey.Size));
        BinaryPrimitives.WriteUInt64LittleEndian(data[68..], Amount);
        Delegate.CopyTo(data.Slice(76, Pubkey.Size));
        BinaryPrimitives.WriteUInt64LittleEndian(data[108..], DelegatedAmount);
    }

    /// <summary>Removes the delegate and its allowance.</summary>
    public void ClearDelegate()
    {
        HasDelegate = false;
        Delegate = default;
        DelegatedAmount = 0;
    }
}
