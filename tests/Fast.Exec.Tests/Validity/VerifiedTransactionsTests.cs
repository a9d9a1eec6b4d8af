using Fast.Core.Primitives;
using Fast.Exec.Validity;
using Xunit;

namespace Fast.Exec.Tests.Validity;

/// <summary>
/// The set of transactions whose signatures were already verified: keyed by the hash of the exact
/// bytes (a changed byte is another transaction), bounded (the oldest are forgotten first, so a
/// forgotten one is merely verified again), counting hits and misses.
/// </summary>
public sealed class VerifiedTransactionsTests
{
    private static Hash Key(int i) => VerifiedTransactions.KeyOf(BitConverter.GetBytes(i));

    [Fact]
    public void A_transaction_is_found_only_by_its_exact_bytes()
    {
        VerifiedTransactions set = new(capacity: 8);
        byte[] tx = [1, 2, 3, 4, 5];
        set.Add(VerifiedTransactions.KeyOf(tx));
        Assert.True(set.Contains(VerifiedTransactions.KeyOf(tx)));
        tx[4] ^= 1;
        Assert.False(set.Contains(VerifiedTransactions.KeyOf(tx)));
        Assert.Equal((1L, 1L), (set.Hits, set.Misses));
    }

    [Fact]
    public void Past_its_capacity_the_oldest_entries_are_forgotten_first()
    {
        VerifiedTransactions set = new(capacity: 4);
        for (int i = 0; i < 6; i++) set.Add(Key(i));
        set.Add(Key(5)); // already held: nothing moves
        Assert.False(set.Contains(Key(0)));
        Assert.False(set.Contains(Key(1)));
        for (int i = 2; i < 6; i++) Assert.True(set.Contains(Key(i)));
        Assert.Equal(6, set.Added);
    }
}
