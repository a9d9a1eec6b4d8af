using System.Buffers.Binary;
using System.Text;
using Fast.Core.Genesis;
using Fast.Core.Primitives;
using Fast.Crypto;
using Fast.Storage;

namespace Fast.Node.Ledger;

/// <summary>What `fast genesis` is asked to make.</summary>
public sealed record GenesisOptions
{
    public int Validators { get; init; } = 1;
    public ulong FaucetLamports { get; init; } = 1_000_000_000_000_000;
    public ulong ValidatorLamports { get; init; } = 1_000_000_000_000;
    public ulong StakeLamports { get; init; } = 100_000_000_000_000;
    public uint SlotMs { get; init; } = 600;
    public uint TicksPerSlot { get; init; } = 64;
    public ulong HashesPerTick { get; init; } = 12_500;
    public ulong SlotsPerEpoch { get; init; } = 8192;
    public ulong LamportsPerSignature { get; init; } = 5000;
    /// <summary>Rent: lamports per byte-year and years of rent an account must hold (Solana's 3,480 × 2: 890,880 lamports for an account without data).</summary>
    public ulong RentLamportsPerByteYear { get; init; } = Rent.DefaultLamportsPerByteYear;
    public ulong RentExemptionThresholdYears { get; init; } = Rent.DefaultExemptionThresholdYears;
    /// <summary>Null: fresh random keys. Otherwise every key (and the creation time, unless given) follows from it.</summary>
    public string? Seed { get; init; }
    public long? CreationTimeUnixMs { get; init; }
}

/// <summary>The keys and config a genesis run produced, before they are written to disk.</summary>
public sealed record GenesisBundle(GenesisConfig Config, byte[] Encoded, Hash Hash, Keypair Faucet, IReadOnlyList<(Keypair Identity, Keypair Vote)> Validators)
{
    public ushort ShredVersion => GenesisConfig.ComputeShredVersion(Hash);
}

/// <summary>
/// Makes a cluster's genesis: keypairs for N validators (identity + vote) and a faucet, their
/// initial balances and stakes, and the PoH/epoch/fee parameters. With a seed, every key is
/// derived as sha256("fast-genesis" ‖ seed ‖ label ‖ counter) — same seed, same cluster, byte for byte.
/// </summary>
public static class GenesisBuilder
{
    public static GenesisBundle Build(GenesisOptions options)
    {
        if (options.Validators is < 1 or > GenesisConfig.MaxValidators) throw new ArgumentOutOfRangeException(nameof(options), "validators must be 1..1024");
        Keypair faucet = NewKeypair(options.Seed, "faucet");
        List<(Keypair Identity, Keypair Vote)> validators = [];
        for (int i = 0; i < options.Validators; i++)
        {
            validators.Add((NewKeypair(options.Seed, $"validator-{i}/identity"), NewKeypair(options.Seed, $"validator-{i}/vote")));
        }

        List<GenesisAccount> accounts = [new GenesisAccount(new Pubkey(faucet.PublicKey), options.FaucetLamports, Pubkey.Zero, false, [])];
        foreach ((Keypair identity, _) in validators)
        {
            accounts.Add(new GenesisAccount(new Pubkey(identity.PublicKey), options.ValidatorLamports, Pubkey.Zero, false, []));
        }
        accounts.Sort((a, b) => a.Address.CompareTo(b.Address));
        List<GenesisValidator> stakes = [.. validators.Select(v => new GenesisValidator(new Pubkey(v.Identity.PublicKey), new Pubkey(v.Vote.PublicKey), options.StakeLamports))];
        stakes.Sort((a, b) => a.Identity.CompareTo(b.Identity));

        GenesisConfig config = new()
        {
            CreationTimeUnixMs = options.CreationTimeUnixMs ?? (options.Seed is null ? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() : 0),
            HashesPerTick = options.HashesPerTick,
            TicksPerSlot = options.TicksPerSlot,
            TargetSlotMs = options.SlotMs,
            SlotsPerEpoch = options.SlotsPerEpoch,
            LamportsPerSignature = options.LamportsPerSignature,
            Rent = new Rent(options.RentLamportsPerByteYear, options.RentExemptionThresholdYears),
            Accounts = accounts,
            Validators = stakes,
        };
        string? invalid = config.Validate();
        if (invalid is not null) throw new ArgumentException("invalid genesis: " + invalid, nameof(options));
        byte[] encoded = config.Encode();
        return new GenesisBundle(config, encoded, GenesisConfig.ComputeHash(encoded), faucet, validators);
    }

    /// <summary>Writes genesis.bin, faucet.json and validator-i/{identity,vote}.json under <paramref name="directory"/>.</summary>
    public static void Write(GenesisBundle bundle, string directory, bool overwrite)
    {
        Directory.CreateDirectory(directory);
        string genesisPath = Path.Combine(directory, "genesis.bin");
        if (!overwrite && File.Exists(genesisPath)) throw new IOException($"{genesisPath} already exists (use --force to overwrite)");
        WriteKey(Path.Combine(directory, "faucet.json"), bundle.Faucet, overwrite);
        for (int i = 0; i < bundle.Validators.Count; i++)
        {
            string dir = Path.Combine(directory, $"validator-{i}");
            Directory.CreateDirectory(dir);
            WriteKey(Path.Combine(dir, "identity.json"), bundle.Validators[i].Identity, overwrite);
            WriteKey(Path.Combine(dir, "vote.json"), bundle.Validators[i].Vote, overwrite);
            DurableFile.SyncDirectory(dir);
        }
        // genesis.bin last: its presence means the directory is complete.
        DurableFile.Write(genesisPath, bundle.Encoded);
    }

    private static void WriteKey(string path, Keypair keypair, bool overwrite)
    {
        KeypairFileError error = KeypairFile.TryWrite(path, keypair, overwrite, out string message);
        if (error != KeypairFileError.None) throw new IOException(message);
    }

    private static Keypair NewKeypair(string? seed, string label)
    {
        if (seed is null) return Keypair.Generate();
        byte[] prefix = Encoding.UTF8.GetBytes($"fast-genesis\0{seed}\0{label}\0");
        byte[] input = new byte[prefix.Length + 4];
        prefix.CopyTo(input, 0);
        Span<byte> secret = stackalloc byte[32];
        for (uint counter = 0; ; counter++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(input.AsSpan(prefix.Length), counter);
            Sha256Kernel.Hash(input, secret);
            if (Keypair.TryFromSecretKey(secret, out Keypair? keypair)) return keypair;
        }
    }
}
