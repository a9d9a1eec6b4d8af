using System.Buffers.Binary;
using Fast.Core.Codec;
using Fast.Core.Primitives;

namespace Fast.Core.Genesis;

/// <summary>An account that exists at slot 0 (the faucet, validator identities, ...).</summary>
public sealed record GenesisAccount(Pubkey Address, ulong Lamports, Pubkey Owner, bool Executable, byte[] Data);

/// <summary>A validator of the first epoch: its identity, its vote account, and the stake that weights it.</summary>
public sealed record GenesisValidator(Pubkey Identity, Pubkey VoteAccount, ulong StakeLamports);

/// <summary>
/// The cluster's birth certificate, <c>genesis.bin</c>: PoH parameters, epoch length, fees, the
/// accounts at slot 0 and the first epoch's validators and stakes. Its SHA-256 is the genesis
/// hash (slot 0's blockhash and the start of the PoH chain); the shred version is folded from it.
/// Canonical encoding (docs/wire-format.md): accounts strictly ascending by address, validators
/// strictly ascending by identity, so equal configs have equal hashes.
/// <code>
/// "FASTGEN1" | u32 version | i64 creation_time_unix_ms | u64 hashes_per_tick | u32 ticks_per_slot
/// | u32 target_slot_ms | u64 slots_per_epoch | u64 lamports_per_signature
/// | (version ≥ 2) u64 rent_lamports_per_byte_year | u64 rent_exemption_threshold_years
/// | (version ≥ 3) staking parameters (<see cref="StakingParameters"/>, 11 bytes)
/// | shortvec a | a × { pubkey address, u64 lamports, pubkey owner, u8 executable, u32 data_len, data }
/// | shortvec v | v × { pubkey identity, pubkey vote_account, u64 stake_lamports }
/// </code>
/// Version 1 (before rent) is still read, as a rent-free cluster (<see cref="Rent.Free"/>), and
/// version 2 (before staking) as a cluster without staking (<see cref="Staking"/> null: genesis stakes
/// stay fixed weights, nothing is issued); each re-encodes as its own version, so an existing cluster
/// keeps its genesis hash and its rules. New configs are version 3, with Solana's rent schedule and
/// staking (<see cref="StakingParameters.Default"/>) unless told otherwise.
/// </summary>
public sealed record GenesisConfig
{
    public const uint CurrentVersion = 3;

    /// <summary>The first version, without a rent schedule.</summary>
    public const uint RentFreeVersion = 1;

    /// <summary>The version with rent but before staking.</summary>
    public const uint StakelessVersion = 2;
    public const int MaxAccounts = 4096;
    public const int MaxValidators = 1024;
    public const int MaxAccountData = 10 * 1024 * 1024;
    public const int MaxFileBytes = 64 * 1024 * 1024;

    private static ReadOnlySpan<byte> Magic => "FASTGEN1"u8;

    public required long CreationTimeUnixMs { get; init; }
    public required ulong HashesPerTick { get; init; }
    public required uint TicksPerSlot { get; init; }
    public required uint TargetSlotMs { get; init; }
    public required ulong SlotsPerEpoch { get; init; }
    public required ulong LamportsPerSignature { get; init; }

    /// <summary>The encoding version: <see cref="CurrentVersion"/>, or <see cref="RentFreeVersion"/> for a file from before rent.</summary>
    public uint Version { get; init; } = CurrentVersion;

    /// <summary>The rent-exempt minimum balance schedule (Solana's by default; <see cref="Rent.Free"/> in version 1).</summary>
    public Rent Rent { get; init; } = Rent.Default;

    /// <summary>Staking (inflation, warm-up, slashing, commission): <see cref="StakingParameters.Default"/> in version 3, null before.</summary>
    public StakingParameters? Staking { get; init; } = StakingParameters.Default;

    public required IReadOnlyList<GenesisAccount> Accounts { get; init; }
    public required IReadOnlyList<GenesisValidator> Validators { get; init; }

    /// <summary>The lamports of the listed genesis accounts. The stake and vote accounts genesis creates for the validators (Fast.Exec's Bank.Genesis) hold their stakes on top.</summary>
    public ulong TotalLamports
    {
        get
        {
            ulong total = 0;
            foreach (GenesisAccount a in Accounts) total = checked(total + a.Lamports);
            return total;
        }
    }

    public ulong TotalStake
    {
        get
        {
            ulong total = 0;
            foreach (GenesisValidator v in Validators) total = checked(total + v.StakeLamports);
            return total;
        }
    }

    /// <summary>Checks the rules a decoded or hand-built config must satisfy; null when valid.</summary>
    public string? Validate()
    {
        if (HashesPerTick == 0) return "hashes_per_tick must be at least 1";
        if (TicksPerSlot == 0) return "ticks_per_slot must be at least 1";
        if (TargetSlotMs == 0) return "target_slot_ms must be at least 1";
        if (SlotsPerEpoch == 0) return "slots_per_epoch must be at least 1";
        if (Version is not (RentFreeVersion or StakelessVersion or CurrentVersion)) return $"version {Version} is not one this build reads";
        if (Version == RentFreeVersion && Rent != Rent.Free) return "a version-1 genesis has no rent schedule";
        if ((Version >= CurrentVersion) != (Staking is not null)) return "version 3 carries staking parameters, earlier versions none";
        if (Staking?.Validate() is string staking) return staking;
        if (Rent.Validate() is string rent) return rent;
        if (Accounts.Count > MaxAccounts) return $"more than {MaxAccounts} accounts";
        if (Validators.Count == 0) return "at least one validator is required";
        if (Validators.Count > MaxValidators) return $"more than {MaxValidators} validators";
        for (int i = 1; i < Accounts.Count; i++)
        {
            if (Accounts[i - 1].Address >= Accounts[i].Address) return "accounts must be strictly ascending by address";
        }
        for (int i = 1; i < Validators.Count; i++)
        {
            if (Validators[i - 1].Identity >= Validators[i].Identity) return "validators must be strictly ascending by identity";
        }
        foreach (GenesisAccount a in Accounts)
        {
            if (a.Data.Length > MaxAccountData) return "account data larger than 10 MiB";
        }
        foreach (GenesisValidator v in Validators)
        {
            if (v.StakeLamports == 0) return "every validator needs stake";
        }
        try
        {
            _ = TotalLamports;
            _ = TotalStake;
        }
        catch (OverflowException)
        {
            return "lamports overflow u64";
        }
        return null;
    }

    public byte[] Encode()
    {
        string? invalid = Validate();
        if (invalid is not null) throw new InvalidOperationException("invalid genesis: " + invalid);
        int size = Magic.Length + 4 + 8 + 8 + 4 + 4 + 8 + 8 + 16 + StakingParameters.EncodedSize + ShortVec.MaxBytes * 2 + Validators.Count * (32 + 32 + 8);
        foreach (GenesisAccount a in Accounts) size += 32 + 8 + 32 + 1 + 4 + a.Data.Length;
        byte[] buffer = new byte[size];
        SpanWriter w = new(buffer);
        w.WriteBytes(Magic);
        w.WriteU32(Version);
        w.WriteI64(CreationTimeUnixMs);
        w.WriteU64(HashesPerTick);
        w.WriteU32(TicksPerSlot);
        w.WriteU32(TargetSlotMs);
        w.WriteU64(SlotsPerEpoch);
        w.WriteU64(LamportsPerSignature);
        if (Version >= StakelessVersion)
        {
            w.WriteU64(Rent.LamportsPerByteYear);
            w.WriteU64(Rent.ExemptionThresholdYears);
        }
        if (Staking is StakingParameters p)
        {
            w.WriteU16(p.InflationInitialBps);
            w.WriteU16(p.InflationTaperBps);
            w.WriteU16(p.InflationTerminalBps);
            w.WriteU16(p.WarmupCooldownBps);
            w.WriteU16(p.SlashBps);
            w.WriteU8(p.DefaultCommissionPercent);
        }
        w.WriteShortVec(Accounts.Count);
        foreach (GenesisAccount a in Accounts)
        {
            w.WritePubkey(a.Address);
            w.WriteU64(a.Lamports);
            w.WritePubkey(a.Owner);
            w.WriteU8(a.Executable ? (byte)1 : (byte)0);
            w.WriteU32((uint)a.Data.Length);
            w.WriteBytes(a.Data);
        }
        w.WriteShortVec(Validators.Count);
        foreach (GenesisValidator v in Validators)
        {
            w.WritePubkey(v.Identity);
            w.WritePubkey(v.VoteAccount);
            w.WriteU64(v.StakeLamports);
        }
        return w.Written.ToArray();
    }

    /// <summary>Decodes genesis bytes; a typed status and offset on anything malformed or non-canonical.</summary>
    public static DecodeResult TryDecode(ReadOnlySpan<byte> bytes, out GenesisConfig? config)
    {
        config = null;
        if (bytes.Length > MaxFileBytes) return new DecodeResult(DecodeStatus.TooLarge, MaxFileBytes);
        SpanReader r = new(bytes);
        if (!r.TryReadBytes(Magic.Length, out ReadOnlySpan<byte> magic)) return r.Result;
        if (!magic.SequenceEqual(Magic)) return new DecodeResult(DecodeStatus.InvalidValue, 0);
        int versionAt = r.Position;
        r.TryReadU32(out uint version);
        if (r.IsOk && version is not (RentFreeVersion or StakelessVersion or CurrentVersion)) return new DecodeResult(DecodeStatus.InvalidValue, versionAt);
        r.TryReadI64(out long created);
        r.TryReadU64(out ulong hashesPerTick);
        r.TryReadU32(out uint ticksPerSlot);
        r.TryReadU32(out uint slotMs);
        r.TryReadU64(out ulong slotsPerEpoch);
        r.TryReadU64(out ulong lamportsPerSignature);
        ulong lamportsPerByteYear = 0, exemptionYears = 0;
        if (version >= StakelessVersion)
        {
            r.TryReadU64(out lamportsPerByteYear);
            r.TryReadU64(out exemptionYears);
        }
        StakingParameters? staking = null;
        if (version >= CurrentVersion)
        {
            r.TryReadU16(out ushort initial);
            r.TryReadU16(out ushort taper);
            r.TryReadU16(out ushort terminal);
            r.TryReadU16(out ushort warmup);
            r.TryReadU16(out ushort slash);
            r.TryReadU8(out byte commission);
            staking = new StakingParameters(initial, taper, terminal, warmup, slash, commission);
        }
        r.TryReadShortVec(out int accountCount, MaxAccounts);
        if (!r.IsOk) return r.Result;

        List<GenesisAccount> accounts = new(accountCount);
        for (int i = 0; i < accountCount; i++)
        {
            r.TryReadPubkey(out Pubkey address);
            r.TryReadU64(out ulong lamports);
            r.TryReadPubkey(out Pubkey owner);
            int flagAt = r.Position;
            r.TryReadU8(out byte executable);
            if (r.IsOk && executable > 1) return new DecodeResult(DecodeStatus.InvalidValue, flagAt);
            int lengthAt = r.Position;
            r.TryReadU32(out uint dataLength);
            if (r.IsOk && dataLength > MaxAccountData) return new DecodeResult(DecodeStatus.LengthTooLarge, lengthAt);
            r.TryReadBytes((int)dataLength, out ReadOnlySpan<byte> data);
            if (!r.IsOk) return r.Result;
            accounts.Add(new GenesisAccount(address, lamports, owner, executable == 1, data.ToArray()));
        }
        r.TryReadShortVec(out int validatorCount, MaxValidators);
        if (!r.IsOk) return r.Result;
        List<GenesisValidator> validators = new(validatorCount);
        for (int i = 0; i < validatorCount; i++)
        {
            r.TryReadPubkey(out Pubkey identity);
            r.TryReadPubkey(out Pubkey vote);
            r.TryReadU64(out ulong stake);
            if (!r.IsOk) return r.Result;
            validators.Add(new GenesisValidator(identity, vote, stake));
        }
        if (!r.ExpectEnd()) return r.Result;

        GenesisConfig decoded = new()
        {
            CreationTimeUnixMs = created,
            HashesPerTick = hashesPerTick,
            TicksPerSlot = ticksPerSlot,
            TargetSlotMs = slotMs,
            SlotsPerEpoch = slotsPerEpoch,
            LamportsPerSignature = lamportsPerSignature,
            Version = version,
            Rent = new Rent(lamportsPerByteYear, exemptionYears),
            Staking = staking,
            Accounts = accounts,
            Validators = validators,
        };
        if (decoded.Validate() is not null) return new DecodeResult(DecodeStatus.InvalidValue, bytes.Length);
        config = decoded;
        return DecodeResult.Success;
    }

    /// <summary>sha256 of the encoded bytes: the genesis hash.</summary>
    public static Hash ComputeHash(ReadOnlySpan<byte> encoded) => Hash.Compute(encoded);

    /// <summary>
    /// The shred version: the genesis hash folded to 16 bits (XOR of its big-endian u16 chunks),
    /// plus one unless that would overflow, so it is never 0. Nodes drop shreds of another version.
    /// </summary>
    public static ushort ComputeShredVersion(in Hash genesisHash)
    {
        ReadOnlySpan<byte> bytes = genesisHash.Span;
        ushort folded = 0;
        for (int i = 0; i < bytes.Length; i += 2) folded ^= BinaryPrimitives.ReadUInt16BigEndian(bytes.Slice(i, 2));
        return folded < ushort.MaxValue ? (ushort)(folded + 1) : folded;
    }
}
