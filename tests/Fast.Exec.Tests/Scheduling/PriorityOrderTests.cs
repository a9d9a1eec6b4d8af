using Fast.Exec.Scheduling;
using Fast.Exec.Tests.Infrastructure;
using Fast.Testing;
using Xunit;

namespace Fast.Exec.Tests.Scheduling;

public class PriorityOrderTests
{
    private static VerifiedTransaction[] Transfers(int count)
    {
        Random random = new(5);
        return [.. Enumerable.Range(0, count).Select(i => TestTransactions.Verified(TestTransactions.Transfer(random, TestChain.Key(i), TestChain.Key(i + 1000), (ulong)i, TestChain.GenesisHash)))];
    }

    [Fact]
    public void With_equal_fees_per_signature_priority_order_is_arrival_order_and_allocates_nothing()
    {
        VerifiedTransaction[] transactions = Transfers(50);
        VerifiedTransaction[] original = [.. transactions];
        SealevelScheduler.OrderByPriority(transactions, 5000);
        Assert.Equal(original.Select(t => t.Buffer), transactions.Select(t => t.Buffer));
        Assert.Equal(0, Allocations.Measure(100, () => SealevelScheduler.OrderByPriority(transactions, 5000)));
    }

    [Fact]
    public void Higher_priority_goes_first_and_ties_keep_arrival_order()
    {
        VerifiedTransaction[] transactions = Transfers(40);
        var priority = transactions.Select((t, i) => (t.Buffer, (ulong)(i % 4))).ToDictionary(p => p.Buffer, p => p.Item2);
        VerifiedTransaction[] expected = [.. transactions.Select((t, i) => (t, i)).OrderByDescending(p => priority[p.t.Buffer]).ThenBy(p => p.i).Select(p => p.t)];
        SealevelScheduler.OrderBy(transactions, 5000, (in VerifiedTransaction t, ulong _) => priority[t.Buffer]);
        Assert.Equal(expected.Select(t => t.Buffer), transactions.Select(t => t.Buffer));
    }
}
