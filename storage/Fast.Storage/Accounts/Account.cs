using Fast.Core.Primitives;

namespace Fast.Storage.Accounts;

/// <summary>
/// One account's state: its balance in lamports, the program that owns it, whether it holds a
/// program, and its data (at most <see cref="MaxDataLength"/> bytes). An account with zero
/// lamports does not exist: it reads as <see cref="Empty"/>. The data array is shared, never
/// written after the account is made (a change makes a new array).
/// </summary>
public readonly struct Account : IEquatable<Account>
{
    /// <summary>10 MiB: Solana's MAX_PERMITTED_DATA_LENGTH, a consensus limit.</summary>
    public const int MaxDataLength = 10 * 1024 * 1024;

    private readonly byte[]? _data;

    public Account(ulong lamports, Pubkey owner, bool executable, byte[]? data)
    {
        if (data is not null && data.Length > MaxDataLength) ThrowHelper.ThrowArgument(nameof(data), $"account data is limited to {MaxDataLength} bytes");
        Lamports = lamports;
        Owner = owner;
        Executable = executable;
        _data = data is { Length: > 0 } ? data : null;
    }

    /// <summary>The state of an account that does not exist (zero lamports, owned by the system program, no data).</summary>
    public static Account Empty => default;

    public ulong Lamports { get; }

    public Pubkey Owner { get; }

    public bool Executable { get; }

    public ReadOnlySpan<byte> Data => _data;

    public ReadOnlyMemory<byte> DataMemory => _data;

    public int DataLength => _data?.Length ?? 0;

    public bool Exists => Lamports > 0;

    /// <summary>The shared array behind <see cref="Data"/> (empty when there is none); callers must not write to it.</summary>
    internal byte[] DataArray => _data ?? [];

    public bool Equals(Account other) =>
        Lamports == other.Lamports && Owner == other.Owner && Executable == other.Executable && Data.SequenceEqual(other.Data);

    public override bool Equals(object? obj) => obj is Account other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Lamports, Owner, Executable, DataLength);

    public override string ToString() => $"{{lamports {Lamports}, owner {Owner}, executable {Executable}, data {DataLength} B}}";

    public static bool operator ==(Account left, Account right) => left.Equals(right);
    public static bool operator !=(Account left, Account right) => !left.Equals(right);
}
