using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Exec.Tests.Infrastructure;
using Fast.Exec.Workloads;
using Fast.Storage.Accounts;
using Xunit;

namespace Fast.Exec.Tests.Banking;

/// <summary>
/// Recycled account data arrays are never visible to a reader (docs/programs.md "Data is
/// copy-on-write"): two bank trees run the same mixed-program slots, with dead sibling forks and
/// roots two slots behind — one recycling every array through a pool that fills returned arrays with
/// 0xDD, one with pooling off (every array new, none reused: the plain copy-on-write rule). If a child
/// bank, a sibling's replay, the root flush or a caller's read still held an array after its owner
/// gave it back, the poison would show in a bank hash or in the bytes the caller kept.
/// </summary>
public class RecycledAccountDataTests
{
    [Fact]
    public void Bank_hashes_and_kept_reads_are_unchanged_by_recycling_data_arrays_across_roots_and_dead_forks()
    {
        AccountDataPool poisoning = new() { PoisonReturned = true };
        using MixedChain recycled = new("fast-recycle-on", units: 4, new BankForksOptions { DataPool = poisoning, OverlayGraceRoots = 1, FlushInBackground = true });
        using MixedChain fresh = new("fast-recycle-off", units: 4, new BankForksOptions { DataPool = new AccountDataPool(maxPooledLength: 0), OverlayGraceRoots = 1, FlushInBackground = true });
        List<(Account Read, byte[] Copy)> kept = [];
        ulong parent = 0;
        for (int i = 1; i <= 80; i++)
        {
            ProgramBlock a = recycled.Workload.NextBlock(), b = fresh.Workload.NextBlock();
            ulong main = 2 * (ulong)i;
            if (i % 3 == 0)
            {
                // A sibling of this slot runs the same block first and dies at the next root: its overlay (and arrays) are recycled.
                Assert.Equal(recycled.RunSlot(main - 1, parent, a).Hash, fresh.RunSlot(main - 1, parent, b).Hash);
            }
            Bank bank = recycled.RunSlot(main, parent, a);
            Assert.Equal(fresh.RunSlot(main, parent, b).Hash, bank.Hash);
            if (i % 10 == 5)
            {
                // Reads a caller keeps: this slot's and its parent's view of every account the block named.
                foreach (VerifiedTransaction tx in a.Transactions)
                {
                    for (int k = 0; k < tx.View.AccountKeyCount; k++)
                    {
                        foreach (Bank reader in (Bank[])[bank, recycled.Forks[parent]!])
                        {
                            Account read = reader.GetAccount(tx.View.GetAccountKey(k));
                            if (read.DataLength > 0) kept.Add((read, read.Data.ToArray()));
                        }
                    }
                }
            }
            parent = main;
            if (i > 2)
            {
                recycled.Forks.SetRoot(2 * (ulong)(i - 2));
                fresh.Forks.SetRoot(2 * (ulong)(i - 2));
            }
        }
        recycled.Forks.WaitForRootFlush();
        fresh.Forks.WaitForRootFlush();
        Assert.True(poisoning.Misses > 0 && poisoning.PooledBytes > 0, "the pool handed out and took back arrays");
        Assert.True(kept.Count > 100, $"{kept.Count} reads kept");
        foreach ((Account read, byte[] copy) in kept) Assert.True(read.Data.SequenceEqual(copy), "a kept read changed after its slot's arrays were recycled");

        // The rooted state agrees too, account by account (the flush wrote what the overlays held before any recycling).
        Dictionary<Pubkey, Account> expected = fresh.Forks.Root.ReadAllAccounts();
        Dictionary<Pubkey, Account> actual = recycled.Forks.Root.ReadAllAccounts();
        Assert.Equal(expected.Count, actual.Count);
        foreach ((Pubkey key, Account account) in expected) Assert.Equal(account, actual[key]);
    }
}
