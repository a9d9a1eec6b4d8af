using System.Buffers.Binary;
using Fast.Core.Primitives;

namespace Fast.Exec.Programs;

/// <summary>
/// A stake account's data (128 bytes, owned by the stake program; docs/programs.md "Stake program"):
/// <code>
/// 0   u8 kind: 1 initialized, 2 delegated      1 7 reserved (0)
/// 8   authority(32)                            who may delegate, deactivate and withdraw
/// 40  vote_account(32)                         zero until delegated
/// 72  u64 stake                                delegated lamports (grows with rewards, shrinks by slashing)
/// 80  u64 activation_epoch                     u64::MAX: a genesis (bootstrap) stake, active from the start
/// 88  u64 deactivation_epoch                   u64::MAX: not deactivating
/// 96  u64 rent_exempt_reserve                  lamports that always stay (the account's rent deposit)
/// 104 u64 last_reward_epoch                    the epoch of the last reward paid (u64::MAX: none)
/// 112 u64 last_reward_lamports                 that reward (for getInflationReward)
/// 120 u64 last_reward_post_balance         the account's lamports right after that reward
/// </code>
/// </summary>
public struct StakeState
{
    public const int Length = 128;
    public const byte InitializedKind = 1;
    public const byte DelegatedKind = 2;

    /// <summary>Epoch value meaning "never" (not deactivating) or, as an activation epoch, "bootstrap" (active from genesis).</summary>
    public const ulong NoEpoch = ulong.MaxValue;

    public byte Kind;
    public Pubkey Authority;
    public Pubkey VoteAccount;
    public ulong Stake;
    public ulong ActivationEpoch;
    public ulong DeactivationEpoch;
    public ulong RentExemptReserve;
    public ulong LastRewardEpoch;
    public ulong LastRewardLamports;
    public ulong LastRewardPostBalance;

    public readonly bool IsDelegated => Kind == DelegatedKind;

    /// <summary>Reads a stake account's data; false when it is not an initialized stake account of this layout.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out StakeState state)
    {
        state = default;
        if (data.Length != Length || data[0] is not (InitializedKind or DelegatedKind)) return false;
        state = new StakeState
        {
            Kind = data[0],
            Authority = new Pubkey(data.Slice(8, Pubkey.Size)),
            VoteAccount = new Pubkey(data.Slice(40, Pubkey.Size)),
            Stake = BinaryPrimitives.ReadUInt64LittleEndian(data[72..]),
            ActivationEpoch = BinaryPrimitives.ReadUInt64LittleEndian(data[80..]),
            DeactivationEpoch = BinaryPrimitives.ReadUInt64LittleEndian(data[88..]),
            RentExemptReserve = BinaryPrimitives.ReadUInt64LittleEndian(data[96..]),
            LastRewardEpoch = BinaryPrimitives.ReadUInt64LittleEndian(data[104..]),
            LastRewardLamports = BinaryPrimitives.ReadUInt64LittleEndian(data[112..]),
            LastRewardPostBalance = BinaryPrimitives.ReadUInt64LittleEndian(data[120..]),
        };
        return true;
    }

    public readonly void Write(Span<byte> data)
    {
        data[..Length].Clear();
        data[0] = Kind;
        Authority.CopyTo(data.Slice(8, Pubkey.Size));
        VoteAccount.CopyTo(data.Slice(40, Pubkey.Size));
        BinaryPrimitives.WriteUInt64LittleEndian(data[72..], Stake);
        BinaryPrimitives.WriteUInt64LittleEndian(data[80..], ActivationEpoch);
        BinaryPrimitives.WriteUInt64LittleEndian(data[88..], DeactivationEpoch);
        BinaryPrimitives.WriteUInt64LittleEndian(data[96..], RentExemptReserve);
        BinaryPrimitives.WriteUInt64LittleEndian(data[104..], LastRewardEpoch);
        BinaryPrimitives.WriteUInt64LittleEndian(data[112..], LastRewardLamports);
        BinaryPrimitives.WriteUInt64LittleEndian(data[120..], LastRewardPostBalance);
    }

    public readonly byte[] ToArray()
    {
        byte[] data = new byte[Length];
        Write(data);
        return data;
    }
}

/// <summary>
/// A vote account's data (72 bytes, owned by the vote program): the validator a stake delegates to.
/// Until votes exist it holds only who runs it and what it charges:
/// <code>
/// 0  u8 kind = 1    1 u8 commission (percent, 0..100)    2 6 reserved (0)
/// 8  node_identity(32)     the validator's identity key (the leader that earns the credits)
/// 40 withdrawer(32)        who may withdraw the commission it collected
/// </code>
/// </summary>
public struct VoteState
{
    public const int Length = 72;
    public const byte Kind = 1;

    public byte Commission;
    public Pubkey NodeIdentity;
    public Pubkey Withdrawer;

    public static bool TryRead(ReadOnlySpan<byte> data, out VoteState state)
    {
        state = default;
        if (data.Length != Length || data[0] != Kind || data[1] > 100) return false;
        state = new VoteState
        {
            Commission = data[1],
            NodeIdentity = new Pubkey(data.Slice(8, Pubkey.Size)),
            Withdrawer = new Pubkey(data.Slice(40, Pubkey.Size)),
        };
        return true;
    }

    public readonly void Write(Span<byte> data)
    {
        data[..Length].Clear();
        data[0] = Kind;
        data[1] = Commission;
        NodeIdentity.CopyTo(data.Slice(8, Pubkey.Size));
        Withdrawer.CopyTo(data.Slice(40, Pubkey.Size));
    }

    public readonly byte[] ToArray()
    {
        byte[] data = new byte[Length];
        Write(data);
        return data;
    }
}

/// <summary>
/// The fixed addresses of the stake program's cluster-wide accounts (sha256("fast/sysvar/" ‖ name), like
/// the program ids) and of the genesis stake accounts (sha256("fast/genesis-stake/" ‖ identity)).
/// </summary>
public static class StakeAddresses
{
    /// <summary>Slots led per validator identity in the current epoch (<see cref="EpochCreditsState"/>), written at every freeze.</summary>
    public static Pubkey EpochCredits { get; } = Sysvar("epoch-credits");

    /// <summary>The cluster's stake per epoch and the supply figures (<see cref="StakeHistoryState"/>), written at epoch boundaries.</summary>
    public static Pubkey StakeHistory { get; } = Sysvar("stake-history");

    /// <summary>The stakes each epoch's leader schedule is drawn from (<see cref="EpochStakesState"/>), written at genesis and at epoch boundaries.</summary>
    public static Pubkey EpochStakes { get; } = Sysvar("epoch-stakes");

    /// <summary>The recorded offences (<see cref="OffenceRegistry"/>), written by the evidence instruction and at epoch boundaries.</summary>
    public static Pubkey Offences { get; } = Sysvar("offences");

    /// <summary>The stake account genesis creates for a validator's initial stake.</summary>
    public static Pubkey GenesisStake(in Pubkey identity)
    {
        byte[] text = new byte["fast/genesis-stake/".Length + Pubkey.Size];
        System.Text.Encoding.ASCII.GetBytes("fast/genesis-stake/", text);
        identity.CopyTo(text.AsSpan("fast/genesis-stake/".Length));
        return new Pubkey(Hash.Compute(text).Span);
    }

    private static Pubkey Sysvar(string name) => new(Hash.Compute(System.Text.Encoding.ASCII.GetBytes("fast/sysvar/" + name)).Span);
}
