using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Exec.Scheduling;
using Fast.Exec.Tests.Infrastructure;
using Xunit;

namespace Fast.Exec.Tests.Scheduling;

/// <summary>Pre/post balances captured during execution (what a transaction's stored status and getTransaction's meta carry).</summary>
public sealed class BalanceCaptureTests : IDisposable
{
    private readonly TestChain _chain = new();
    private readonly SealevelScheduler _scheduler = new(new SchedulerOptions { Workers = 2, BatchSize = 2 });

    [Fact]
    public void A_failed_transfer_shows_only_its_fee_and_a_later_transfer_sees_the_balances_an_earlier_one_left()
    {
        const ulong funded = 10_000_000, fee = 5_000; // every account stays above the rent-exempt minimum (890,880)
        var bank = new Bank(Bank.Genesis(_chain.Accounts, TestChain.Genesis(4, funded)), 1, TestChain.Key(3));
        Random random = new(1);
        Pubkey a = TestChain.Key(0), b = TestChain.Key(1), c = TestChain.Key(2);
        byte[][] block =
        [
            TestTransactions.Transfer(random, a, b, 1_000, TestChain.GenesisHash),
            TestTransactions.Transfer(random, c, b, 10 * funded, TestChain.GenesisHash), // more than c has
            TestTransactions.Transfer(random, b, c, 500, TestChain.GenesisHash),
        ];
        VerifiedTransaction[] verified = [.. block.Select(TestTransactions.Verified)];
        var results = new TransactionResult[block.Length];
        ulong[] balances = new ulong[SealevelScheduler.BalanceCount(verified)];
        Assert.Equal(2 * 3 * 3, balances.Length); // payer, recipient, system program: before and after

        _scheduler.Execute(bank, verified, results, balances);

        Assert.Equal(TransactionError.None, results[0].Error);
        Assert.Equal(TransactionError.InsufficientFunds, results[1].Error);
        Assert.Equal(TransactionError.None, results[2].Error);
        ulong system = balances[2];
        Assert.Equal([funded, funded, system, funded - fee - 1_000, funded + 1_000, system], balances[0..6]);
        Assert.Equal([funded, funded + 1_000, system, funded - fee, funded + 1_000, system], balances[6..12]);
        Assert.Equal([funded + 1_000, funded - fee, system, funded + 1_000 - fee - 500, funded - fee + 500, system], balances[12..18]);
    }

    public void Dispose()
    {
        _scheduler.Dispose();
        _chain.Dispose();
    }
}
