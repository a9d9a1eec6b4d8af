using Fast.Core.Codec;
using Fast.Core.Genesis;
using Fast.Core.Primitives;
using Xunit;

namespace Fast.Core.Tests.Genesis;

public class GenesisConfigTests
{
    private static Pubkey Key(byte b) => new(Enumerable.Repeat(b, 32).ToArray());

    internal static GenesisConfig Sample() => new()
    {
        CreationTimeUnixMs = 1_700_000_000_000,
        HashesPerTick = 12_500,
        TicksPerSlot = 64,
        TargetSlotMs = 600,
        SlotsPerEpoch = 8192,
        LamportsPerSignature = 5000,
        Accounts = [new GenesisAccount(Key(1), 1_000, Pubkey.Zero, false, []), new GenesisAccount(Key(2), 2_000, Key(9), true, [1, 2, 3])],
        Validators = [new GenesisValidator(Key(3), Key(4), 100), new GenesisValidator(Key(5), Key(6), 300)],
    };

    [Fact]
    public void Encoding_round_trips_every_field_and_the_hash_is_stable()
    {
        byte[] bytes = Sample().Encode();
        Assert.Equal(DecodeStatus.Ok, GenesisConfig.TryDecode(bytes, out GenesisConfig? decoded).Status);
        Assert.Equal(bytes, decoded!.Encode());
        Assert.Equal(3000UL, decoded.TotalLamports);
        Assert.Equal(400UL, decoded.TotalStake);
        Assert.Equal(new byte[] { 1, 2, 3 }, decoded.Accounts[1].Data);
        Assert.True(decoded.Accounts[1].Executable);
        Assert.Equal(GenesisConfig.ComputeHash(bytes), GenesisConfig.ComputeHash(Sample().Encode()));
    }

    [Fact]
    public void The_shred_version_is_never_zero_and_follows_the_hash()
    {
        Hash h = GenesisConfig.ComputeHash(Sample().Encode());
        ushort version = GenesisConfig.ComputeShredVersion(h);
        Assert.NotEqual(0, version);
        Assert.Equal(version, GenesisConfig.ComputeShredVersion(h));
        Assert.NotEqual(version, GenesisConfig.ComputeShredVersion(Hash.Compute("other"u8)));
        Assert.Equal(1, GenesisConfig.ComputeShredVersion(Hash.Zero));
    }

    [Fact]
    public void Every_truncation_is_rejected_with_an_offset_inside_the_input()
    {
        byte[] bytes = Sample().Encode();
        for (int length = 0; length < bytes.Length; length++)
        {
            DecodeResult result = GenesisConfig.TryDecode(bytes.AsSpan(0, length), out GenesisConfig? config);
            Assert.False(result.IsOk);
            Assert.Null(config);
            Assert.InRange(result.Offset, 0, length);
        }
        Assert.Equal(new DecodeResult(DecodeStatus.TrailingBytes, bytes.Length), GenesisConfig.TryDecode([.. bytes, 0], out _));
    }

    [Fact]
    public void Wrong_magic_version_flags_and_order_are_rejected()
    {
        byte[] bytes = Sample().Encode();
        byte[] magic = (byte[])bytes.Clone();
        magic[0] ^= 1;
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 0), GenesisConfig.TryDecode(magic, out _));
        byte[] version = (byte[])bytes.Clone();
        version[8] = 4;
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 8), GenesisConfig.TryDecode(version, out _));

        GenesisConfig unordered = Sample() with { Accounts = [.. Sample().Accounts.Reverse()] };
        Assert.NotNull(unordered.Validate());
        Assert.Throws<InvalidOperationException>(() => unordered.Encode());
        Assert.NotNull((Sample() with { Validators = [] }).Validate());
        Assert.NotNull((Sample() with { HashesPerTick = 0 }).Validate());
    }

    [Fact]
    public void A_new_genesis_carries_solanas_rent_schedule_and_round_trips_it()
    {
        GenesisConfig config = Sample();
        Assert.Equal(GenesisConfig.CurrentVersion, config.Version);
        Assert.Equal(890_880UL, config.Rent.MinimumBalance(0));
        GenesisConfig custom = Sample() with { Rent = new Rent(1000, 3) };
        Assert.Equal(DecodeStatus.Ok, GenesisConfig.TryDecode(custom.Encode(), out GenesisConfig? decoded).Status);
        Assert.Equal(new Rent(1000, 3), decoded!.Rent);
        Assert.NotEqual(GenesisConfig.ComputeHash(Sample().Encode()), GenesisConfig.ComputeHash(custom.Encode()));
        Assert.NotNull((Sample() with { Rent = new Rent(ulong.MaxValue, 2) }).Validate());
    }

    [Fact]
    public void A_version_1_genesis_from_before_rent_is_read_as_rent_free_and_keeps_its_bytes_and_hash()
    {
        GenesisConfig v1 = Sample() with { Version = GenesisConfig.RentFreeVersion, Rent = Rent.Free, Staking = null };
        byte[] bytes = v1.Encode();
        Assert.Equal(Sample().Encode().Length - 16 - StakingParameters.EncodedSize, bytes.Length); // no rent or staking fields
        Assert.Equal(DecodeStatus.Ok, GenesisConfig.TryDecode(bytes, out GenesisConfig? decoded).Status);
        Assert.Equal(Rent.Free, decoded!.Rent);
        Assert.Equal(GenesisConfig.RentFreeVersion, decoded.Version);
        Assert.Equal(bytes, decoded.Encode());
        Assert.NotNull((Sample() with { Version = GenesisConfig.RentFreeVersion, Staking = null }).Validate()); // version 1 cannot carry rent
    }

    [Fact]
    public void A_version_2_genesis_from_before_staking_is_read_without_staking_and_keeps_its_bytes_and_hash()
    {
        GenesisConfig v2 = Sample() with { Version = GenesisConfig.StakelessVersion, Staking = null };
        byte[] bytes = v2.Encode();
        Assert.Equal(Sample().Encode().Length - StakingParameters.EncodedSize, bytes.Length);
        Assert.Equal(DecodeStatus.Ok, GenesisConfig.TryDecode(bytes, out GenesisConfig? decoded).Status);
        Assert.Null(decoded!.Staking);
        Assert.Equal(GenesisConfig.StakelessVersion, decoded.Version);
        Assert.Equal(bytes, decoded.Encode());
        Assert.NotNull((Sample() with { Version = GenesisConfig.StakelessVersion }).Validate()); // version 2 cannot carry staking
    }

    [Fact]
    public void A_new_genesis_carries_the_staking_parameters_and_round_trips_them()
    {
        GenesisConfig custom = Sample() with { Staking = new StakingParameters(700, 1000, 100, 2500, 500, 5) };
        Assert.Equal(DecodeStatus.Ok, GenesisConfig.TryDecode(custom.Encode(), out GenesisConfig? decoded).Status);
        Assert.Equal(custom.Staking, decoded!.Staking);
        Assert.Equal(StakingParameters.Default, Sample().Staking);
        Assert.NotNull((Sample() with { Staking = new StakingParameters(100, 1000, 200, 900, 1000, 10) }).Validate()); // terminal above initial
        Assert.NotNull((Sample() with { Staking = new StakingParameters(800, 1500, 150, 900, 1000, 101) }).Validate());
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        Random random = new(3);
        byte[] sample = Sample().Encode();
        for (int i = 0; i < 5000; i++)
        {
            byte[] bytes = (byte[])sample.Clone();
            for (int flips = random.Next(1, 4); flips > 0; flips--) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            DecodeResult result = GenesisConfig.TryDecode(bytes.AsSpan(0, random.Next(bytes.Length + 1)), out GenesisConfig? config);
            if (result.IsOk) Assert.NotNull(config);
        }
    }
}
