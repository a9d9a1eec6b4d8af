using Fast.Core.Consensus;
using Fast.Core.Primitives;
using Fast.Core.Shreds;
using Fast.Crypto;
using Fast.Exec.Banking;
using Fast.Exec.Programs;
using Fast.Storage.Accounts;

namespace Fast.Exec.Tests.Infrastructure;

/// <summary>
/// A staking chain for stake-program tests: 8-slot epochs (a year is 10 epochs, so rewards show),
/// two genesis validators A and B with bootstrap stakes, a funded payer; banks advanced one slot at a
/// time with a chosen leader (who earns the slot's credit), and after every freeze a check that the
/// accounts' lamports sum to the bank's capitalization. Owns its temporary accounts store.
/// </summary>
internal sealed class StakeChain : IDisposable
{
    public const ulong SlotsPerEpoch = 8;
    public const ulong PayerLamports = 1_000_000_000_000_000;
    public const ulong GenesisStake = 10_000_000_000_000_000;

    private readonly TestChain _chain = new("fast-stake");
    private readonly Random _random;

    public StakeChain(int seed = 1, ulong slashBps = StakingConfig.DefaultSlashBps, ulong stakeA = GenesisStake, ulong stakeB = GenesisStake,
        ulong warmupCooldownBps = StakingConfig.DefaultWarmupCooldownBps)
    {
        _random = new Random(seed);
        StakingConfig staking = new()
        {
            SlotsPerEpoch = SlotsPerEpoch,
            SlotsPerYear = SlotsPerEpoch * 10,
            SlashBps = slashBps,
            WarmupCooldownBps = warmupCooldownBps,
            Validators = [(IdentityA, VoteA, stakeA), (IdentityB, VoteB, stakeB)],
        };
        GenesisConfig genesis = new(TestChain.GenesisHash, [(Payer, new Account(PayerLamports, Pubkey.Zero, false, null))]) { Staking = staking };
        var genesisBank = Bank.Genesis(_chain.Accounts, genesis);
        AssertConserved(genesisBank);
        Bank = new Bank(genesisBank, 1, Leader);
    }

    public static Pubkey Payer => TestChain.Key(0);

    /// <summary>Validator A's identity: it signs shreds, so it has a real keypair.</summary>
    public static Keypair IdentityKeyA { get; } = Keypair.TryFromSecretKey(Hash.Compute("stake chain identity A"u8).Span, out Keypair? key) ? key : throw new InvalidOperationException("not a secret key");

    public static Pubkey IdentityA { get; } = new(IdentityKeyA.PublicKey);

    public static Pubkey IdentityB => TestChain.Key(102);

    public static Pubkey VoteA => TestChain.Key(201);

    public static Pubkey VoteB => TestChain.Key(202);

    /// <summary>The leader of the banks made from now on (earns their credits).</summary>
    public Pubkey Leader { get; set; } = IdentityA;

    public Bank Bank { get; private set; }

    public ulong Epoch => Bank.Epoch;

    public TransactionResult Run(params Instruction[] instructions) =>
        Bank.Process(TestTransactions.View(TestTransactions.Build(_random, Payer, TestChain.GenesisHash, instructions)));

    /// <summary>Runs and asserts success.</summary>
    public void Ok(params Instruction[] instructions)
    {
        TransactionResult result = Run(instructions);
        if (!result.IsOk) throw new Xunit.Sdk.XunitException($"expected success, got {result}");
    }

    /// <summary>Freezes the bank (checking conservation) and continues on its child, one slot at a time, <paramref name="slots"/> times.</summary>
    public void Advance(ulong slots = 1)
    {
        for (ulong i = 0; i < slots; i++)
        {
            Bank.Freeze(TestChain.HashOf("slot " + Bank.Slot));
            AssertConserved(Bank);
            Bank = new Bank(Bank, Bank.Slot + 1, Leader);
        }
    }

    /// <summary>The schedule of <paramref name="epoch"/> as this bank's chain recorded its stakes (the seed is the test genesis hash).</summary>
    public LeaderSchedule Schedule(ulong epoch) =>
        LeaderSchedule.Compute(TestChain.GenesisHash, new Epoch(epoch), SlotsPerEpoch,
            Bank.LeaderScheduleStakes(epoch, out _) ?? throw new Xunit.Sdk.XunitException("no schedule stakes recorded"));

    /// <summary>The slots of <paramref name="epoch"/> that <paramref name="identity"/> leads by <see cref="Schedule"/>.</summary>
    public List<ulong> SlotsLedBy(Pubkey identity, ulong epoch)
    {
        LeaderSchedule schedule = Schedule(epoch);
        List<ulong> slots = [];
        for (ulong slot = schedule.FirstSlot; slot < schedule.FirstSlot + SlotsPerEpoch; slot++) if (schedule.LeaderAt(slot) == identity) slots.Add(slot);
        return slots;
    }

    /// <summary>The latest slot before the current one (not slot 0, which has no shreds) that <paramref name="identity"/> was scheduled to lead in this or the previous epoch, or null.</summary>
    public ulong? LatestSlotLedBy(Pubkey identity)
    {
        for (ulong epoch = Bank.Epoch; ; epoch--)
        {
            List<ulong> slots = SlotsLedBy(identity, epoch);
            for (int i = slots.Count - 1; i >= 0; i--) if (slots[i] >= 1 && slots[i] < Bank.Slot) return slots[i];
            if (epoch == 0 || epoch + 1 == Bank.Epoch) return null;
        }
    }

    /// <summary>Freezes the bank and continues on a child <paramref name="skipped"/> slots further on (those slots had no block on this fork).</summary>
    public void Skip(ulong skipped)
    {
        Bank.Freeze(TestChain.HashOf("slot " + Bank.Slot));
        AssertConserved(Bank);
        Bank = new Bank(Bank, Bank.Slot + 1 + skipped, Leader);
    }

    /// <summary>Advances to the first slot of the next epoch (its boundary processed).</summary>
    public void NextEpoch() => Advance((Bank.Epoch + 1) * SlotsPerEpoch - Bank.Slot);

    public ulong Rent(int length) => Bank.Rent.MinimumBalance((ulong)length);

    public Account Account(Pubkey key) => Bank.GetAccount(key);

    public StakeState Stake(Pubkey key)
    {
        if (!StakeState.TryRead(Bank.GetAccount(key).Data, out StakeState state)) throw new Xunit.Sdk.XunitException($"{key} is not a stake account");
        return state;
    }

    public StakeActivationStatus Activation(Pubkey key)
    {
        if (!Bank.TryGetStakeActivation(key, Bank.Epoch, out StakeActivationStatus status, out _)) throw new Xunit.Sdk.XunitException($"{key} is not a stake account");
        return status;
    }

    /// <summary>Creates, initializes and delegates a stake account of <paramref name="lamports"/> (above its reserve) to <paramref name="vote"/>, with the payer as authority.</summary>
    public void CreateDelegatedStake(Pubkey stake, ulong lamports, Pubkey vote) =>
        Ok(StakeInstruction.CreateStakeAccount(Payer, stake, Rent(StakeState.Length) + lamports), StakeInstruction.Initialize(stake, Payer), StakeInstruction.Delegate(stake, vote, Payer));

    /// <summary>Checks that every account's lamports sum to the frozen bank's capitalization.</summary>
    public static void AssertConserved(Bank bank)
    {
        ulong sum = 0;
        foreach ((_, Account account) in bank.ReadAllAccounts()) sum = checked(sum + account.Lamports);
        if (sum != bank.Capitalization) throw new Xunit.Sdk.XunitException($"bank {bank.Slot}: accounts hold {sum} lamports, capitalization is {bank.Capitalization}");
    }

    /// <summary>Evidence that <paramref name="leader"/> signed two different FEC sets 0 of <paramref name="slot"/>.</summary>
    public static byte[] EquivocationEvidence(Keypair leader, ulong slot, int seed = 1)
    {
        byte[] first = ShredOfVersion(leader, slot, seed);
        byte[] second = ShredOfVersion(leader, slot, seed + 1000);
        if (!DuplicateShredEvidence.TryFindConflict(first, second, out DuplicateShredConflict conflict)) throw new InvalidOperationException("no conflict");
        byte[] buffer = new byte[DuplicateShredEvidence.MaxSize];
        int length = DuplicateShredEvidence.Write(buffer, conflict, new Pubkey(leader.PublicKey), first, second);
        return buffer.AsSpan(0, length).ToArray();
    }

    /// <summary>Evidence made of two shreds of one FEC set: genuine signatures over the same root, no conflict.</summary>
    public static byte[] NonConflictingEvidence(Keypair leader, ulong slot)
    {
        byte[] a = ShredOfVersion(leader, slot, 7, leaf: 0), b = ShredOfVersion(leader, slot, 7, leaf: 1);
        if (a.AsSpan().SequenceCompareTo(b) > 0) (a, b) = (b, a);
        byte[] buffer = new byte[DuplicateShredEvidence.MaxSize];
        int length = DuplicateShredEvidence.Encode(buffer, DuplicateShredConflict.SameFecSet, new Pubkey(leader.PublicKey), slot, a, b);
        return buffer.AsSpan(0, length).ToArray();
    }

    private static byte[] ShredOfVersion(Keypair leader, ulong slot, int seed, int leaf = 0)
    {
        Shredder shredder = new(leader, 9);
        shredder.BeginSlot(slot, slot - 1, default);
        byte[] payload = new byte[3000];
        new Random(seed).NextBytes(payload);
        if (!shredder.TryAppend(payload)) throw new InvalidOperationException("append");
        byte[] buffer = new byte[Shredder.SetBufferSize];
        ShreddedFecSet set = shredder.FinishSlot(buffer);
        return set.Shred(buffer, leaf).ToArray();
    }

    /// <summary>Puts <paramref name="evidence"/> into a fresh buffer (several transactions) and reports it; returns the report's result.</summary>
    public TransactionResult Report(byte[] evidence, int bufferSeed)
    {
        Pubkey buffer = TestChain.Key(700_000 + bufferSeed);
        Ok(StakeInstruction.CreateEvidenceBuffer(Payer, buffer, Rent(EvidenceBuffer.Length)));
        foreach (Instruction write in StakeInstruction.WriteEvidenceChunks(buffer, Payer, evidence)) Ok(write);
        return Run(StakeInstruction.ReportEquivocation(buffer, Payer));
    }

    public void Dispose() => _chain.Dispose();
}
