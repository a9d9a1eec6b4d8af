using Fast.Core.Consensus;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Exec.Banking;
using Fast.Exec.Programs;
using Fast.Node.Cluster;
using Fast.Storage.Accounts;
using Fast.Testing;
using Fast.Validator.Leader;
using Xunit;

namespace Fast.Node.Tests.Cluster;

/// <summary>
/// The node's leader schedule over real banks (<see cref="BankScheduleStakes"/> under a
/// <see cref="LeaderScheduleCache"/>, 4-slot epochs): a delegation made in epoch 0 is recorded by the
/// first bank of epoch 1 for epoch 2; until the root passes that bank the node's answer is provisional
/// (the best bank's record once the best bank is in epoch 1, else the root's newest), and once it has,
/// epoch 2's schedule is the one drawn from the record — final, and the one a restarted node reads back
/// from its accounts store.
/// </summary>
public sealed class BankScheduleStakesTests : IDisposable
{
    private const ulong SlotsPerEpoch = 4;
    private static readonly Keypair Payer = Keypair.TryFromSecretKey(Hash.Compute("schedule stakes payer"u8).Span, out Keypair? k) ? k : throw new InvalidOperationException();
    private static readonly Pubkey PayerKey = new(Payer.PublicKey);
    private static readonly Pubkey IdentityA = new(Hash.Compute("schedule identity a"u8).Span), IdentityB = new(Hash.Compute("schedule identity b"u8).Span);
    private static readonly Pubkey VoteA = new(Hash.Compute("schedule vote a"u8).Span), VoteB = new(Hash.Compute("schedule vote b"u8).Span);
    private static readonly Hash GenesisHash = Hash.Compute("schedule stakes genesis"u8);
    private const ulong StakeA = 1_000_000_000_000;

    private readonly TempDir _dir = new("fast-schedule-stakes");
    private readonly AccountsDb _accounts;
    private readonly GenesisConfig _genesis;

    public BankScheduleStakesTests()
    {
        _accounts = AccountsDb.Open(new AccountsDbOptions { Directory = _dir.Path, IndexBytes = 1L << 20, PageBytes = 1L << 20, MemoryBytes = 8L << 20, SegmentBytes = 32L << 20 });
        // B starts without stake (it leads nothing) and warm-up is 100 % a epoch, so a delegation to it is whole at the next boundary.
        StakingConfig staking = new() { SlotsPerEpoch = SlotsPerEpoch, SlotsPerYear = 40, WarmupCooldownBps = 10_000, Validators = [(IdentityA, VoteA, StakeA), (IdentityB, VoteB, 0)] };
        _genesis = new GenesisConfig(GenesisHash, [(PayerKey, new Account(1_000_000_000_000_000, Pubkey.Zero, false, null))]) { Staking = staking };
    }

    public void Dispose()
    {
        _accounts.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void The_schedule_of_epoch_2_follows_the_delegation_from_the_best_bank_in_epoch_1_provisionally_and_from_the_root_finally()
    {
        using var forks = BankForks.Open(_accounts, _genesis);
        Bank? best = null; // the node's best frozen bank
        BankScheduleStakes source = new(forks, [(IdentityA, StakeA)], () => best);
        LeaderScheduleCache cache = new(GenesisHash, SlotsPerEpoch, source);

        var stake = Keypair.Generate();
        Bank bank = forks.NewBank(1, 0, IdentityA);
        TransactionBuilder builder = new(PayerKey, GenesisHash);
        builder.Add(StakeInstruction.CreateStakeAccount(PayerKey, new Pubkey(stake.PublicKey), bank.Rent.MinimumBalance(StakeState.Length) + StakeA));
        builder.Add(StakeInstruction.Initialize(new Pubkey(stake.PublicKey), PayerKey));
        builder.Add(StakeInstruction.Delegate(new Pubkey(stake.PublicKey), VoteB, PayerKey));
        Assert.True(TransactionView.TryParse(builder.Sign(Payer, stake), out TransactionView view).IsOk);
        Assert.True(bank.Process(view).IsOk);
        for (ulong slot = 2; slot <= 6; slot++) // slot 4: the first bank of epoch 1 records epoch 2's stakes
        {
            bank.Freeze(Hash.Compute(BitConverter.GetBytes(slot)));
            best = bank;
            if (slot == 4)
            {
                // The best bank (3) is still in epoch 0 and the root is genesis: epoch 2 reads the newest record at or
                // before it (epoch 1's, genesis's), provisionally.
                Assert.False(source.StakesFor(2).IsFinal);
                Assert.Equal([(IdentityA, StakeA)], source.StakesFor(2).Stakes);
                for (ulong s = 8; s < 12; s++) Assert.Equal(IdentityA, cache.LeaderAt(s));
            }
            bank = forks.NewBank(slot, slot - 1, IdentityA);
        }

        // The best bank (5) is past the first bank of epoch 1 while the root is still genesis: its fork's record, provisionally.
        ScheduleStakes provisional = source.StakesFor(2);
        Assert.False(provisional.IsFinal);
        Assert.Contains((IdentityB, StakeA), provisional.Stakes); // all of it: 100 % of the cluster may warm up in one epoch
        var expected = LeaderSchedule.Compute(GenesisHash, new Epoch(2), SlotsPerEpoch, provisional.Stakes);
        for (ulong s = 8; s < 12; s++) Assert.Equal(expected.LeaderAt(s), cache.LeaderAt(s)); // the best bank moved: the old answer was replaced

        forks.SetRoot(5); // past the first bank of epoch 1: the same schedule, now final
        ScheduleStakes rooted = source.StakesFor(2);
        Assert.True(rooted.IsFinal);
        Assert.Equal(provisional.Stakes, rooted.Stakes);
        for (ulong s = 8; s < 12; s++) Assert.Equal(expected.LeaderAt(s), cache.LeaderAt(s));
        Assert.True(cache.IsFinal(2));
    }
}
