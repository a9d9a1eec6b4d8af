using System.CommandLine;
using Fast.Node.Ledger;

namespace Fast.Node.Cli;

/// <summary>`fast genesis`: create a cluster — keypairs, balances, stakes, PoH parameters, genesis.bin.</summary>
public static class GenesisCommand
{
    public static Command Build(CliIO io)
    {
        GenesisOptions defaults = new();
        Option<long> validators = CliOptions.Integer("--validators", "Number of validators", 1, 1, 1024);
        Option<string> output = new("--out") { Description = "Directory for genesis.bin, faucet.json and validator-i/ keypairs", Required = true };
        Option<long> faucetLamports = CliOptions.Integer("--faucet-lamports", "Faucet balance", (long)defaults.FaucetLamports, 0, long.MaxValue);
        Option<long> validatorLamports = CliOptions.Integer("--validator-lamports", "Balance of each validator identity", (long)defaults.ValidatorLamports, 0, long.MaxValue);
        Option<long> stake = CliOptions.Integer("--stake-lamports", "Stake of each validator", (long)defaults.StakeLamports, 1, long.MaxValue);
        Option<long> slotMs = CliOptions.Integer("--slot-ms", "Target slot time in milliseconds", defaults.SlotMs, 50, 60_000);
        Option<long> ticksPerSlot = CliOptions.Integer("--ticks-per-slot", "PoH ticks per slot", defaults.TicksPerSlot, 1, 1024);
        Option<long> hashesPerTick = CliOptions.Integer("--hashes-per-tick", "PoH hashes per tick (see `fast bench poh` for this machine's maximum)", (long)defaults.HashesPerTick, 1, 100_000_000);
        Option<long> slotsPerEpoch = CliOptions.Integer("--slots-per-epoch", "Slots per epoch", (long)defaults.SlotsPerEpoch, 32, 10_000_000);
        Option<long> fee = CliOptions.Integer("--lamports-per-signature", "Transaction fee per signature", (long)defaults.LamportsPerSignature, 0, 1_000_000_000);
        Option<long> rentPerByteYear = CliOptions.Integer("--rent-lamports-per-byte-year", "Rent: lamports per byte-year; an account must hold this × --rent-exemption-years × (128 + data bytes), or nothing (0: no minimum)", (long)defaults.RentLamportsPerByteYear, 0, 1_000_000_000);
        Option<long> rentYears = CliOptions.Integer("--rent-exemption-years", "Rent: years of rent an account must hold to exist", (long)defaults.RentExemptionThresholdYears, 0, 1000);
        Option<string?> seed = new("--seed") { Description = "Derive every key (and the creation time) from this text: same seed, same cluster" };
        Option<bool> force = new("--force") { Description = "Overwrite an existing genesis in --out" };
        Command command = new("genesis", "Create a cluster: keypairs for N validators and a faucet, stakes, balances, PoH parameters, genesis.bin")
        {
            validators, output, faucetLamports, validatorLamports, stake, slotMs, ticksPerSlot, hashesPerTick, slotsPerEpoch, fee, rentPerByteYear, rentYears, seed, force,
        };
        command.SetAction(parse =>
        {
            GenesisOptions options = new()
            {
                Validators = (int)parse.GetValue(validators),
                FaucetLamports = (ulong)parse.GetValue(faucetLamports),
                ValidatorLamports = (ulong)parse.GetValue(validatorLamports),
                StakeLamports = (ulong)parse.GetValue(stake),
                SlotMs = (uint)parse.GetValue(slotMs),
                TicksPerSlot = (uint)parse.GetValue(ticksPerSlot),
                HashesPerTick = (ulong)parse.GetValue(hashesPerTick),
                SlotsPerEpoch = (ulong)parse.GetValue(slotsPerEpoch),
                LamportsPerSignature = (ulong)parse.GetValue(fee),
                RentLamportsPerByteYear = (ulong)parse.GetValue(rentPerByteYear),
                RentExemptionThresholdYears = (ulong)parse.GetValue(rentYears),
                Seed = parse.GetValue(seed),
            };
            GenesisBundle bundle;
            try
            {
                bundle = GenesisBuilder.Build(options);
            }
            catch (Exception e) when (e is ArgumentException or OverflowException)
            {
                throw new CliException(e.Message);
            }
            string directory = parse.GetValue(output)!;
            try
            {
                GenesisBuilder.Write(bundle, directory, parse.GetValue(force));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliException(e.Message, e is UnauthorizedAccessException ? ExitCodes.Failure : ExitCodes.BadInput);
            }
            io.Out.WriteLine($"genesis hash:   {bundle.Hash}");
            io.Out.WriteLine($"shred version:  {bundle.ShredVersion}");
            io.Out.WriteLine($"faucet:         {bundle.Faucet.PublicKey.ToBase58()} ({options.FaucetLamports} lamports) -> {Path.Combine(directory, "faucet.json")}");
            for (int i = 0; i < bundle.Validators.Count; i++)
            {
                io.Out.WriteLine($"validator {i}:    identity {bundle.Validators[i].Identity.PublicKey.ToBase58()}, vote {bundle.Validators[i].Vote.PublicKey.ToBase58()}, stake {options.StakeLamports}");
            }
            io.Out.WriteLine($"poh:            {options.HashesPerTick} hashes/tick, {options.TicksPerSlot} ticks/slot, {options.SlotMs} ms/slot");
            io.Out.WriteLine($"rent:           {bundle.Config.Rent.MinimumBalance(0)} lamports minimum per account + {bundle.Config.Rent.LamportsPerByte} per data byte");
            io.Out.WriteLine($"total lamports: {bundle.Config.TotalLamports}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
