using System.Collections.Concurrent;
using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Exec.Tests.Infrastructure;
using Fast.Storage.Accounts;
using Xunit;
using Xunit.Abstractions;

namespace Fast.Exec.Tests.Banking;

/// <summary>BankForks.ReadAccounts: reader threads against the owner thread rooting.</summary>
public class BankForksReadTests(ITestOutputHelper output)
{
    private static readonly Pubkey Leader = TestChain.Key(999);
    private const int Targets = 32;
    private const int Ballasts = 24;
    private const ulong Fee = 5000;

    /// <summary>
    /// The owner thread roots 2 slots behind the tip for 300 slots; each slot moves lamports from one of
    /// two payers to one of 32 accounts, and rewrites one of 24 ballast accounts of 512 KiB (paid by a
    /// third payer), so untouched records leave the store's 8 MiB of memory and are read from disk. Readers read the
    /// payers, the 32 accounts and the leader at the root, at the tip, and through a root pointer
    /// published only after SetRoot returns (as RPC's chain view lags). Every snapshot must read without
    /// an error and hold exactly the lamports its slot holds (a snapshot mixing two roots would not).
    /// With the background root flush, FASTER is written outside the root lock while readers read
    /// rooted-but-unflushed slots from their overlays.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Readers_at_the_root_and_the_tip_never_fail_and_never_mix_two_roots_across_hundreds_of_roots(bool backgroundRootFlush)
    {
        using TestChain chain = new("fast-forks-read");
        const ulong Lamports = 1_000_000_000_000;
        const ulong TargetLamports = 10_000_000;
        List<(Pubkey, Account)> genesis = [.. Enumerable.Range(0, 3).Select(i => (TestChain.Key(i), new Account(Lamports, Pubkey.Zero, false, null)))];
        genesis.AddRange(Enumerable.Range(10, Targets).Select(i => (TestChain.Key(i), new Account(TargetLamports, Pubkey.Zero, false, null))));
        // Written after the targets: 12 MiB of ballast pushes them out of memory from the start.
        genesis.AddRange(Enumerable.Range(100, Ballasts).Select(i => (TestChain.Key(i), new Account(Lamports, Pubkey.Zero, false, new byte[512 * 1024]))));
        using var forks = BankForks.Open(chain.Accounts, new GenesisConfig(TestChain.GenesisHash, [.. genesis]) { Leader = Leader }, new BankForksOptions { FlushInBackground = backgroundRootFlush });
        Pubkey[] keys = [TestChain.Key(0), TestChain.Key(1), .. Enumerable.Range(10, Targets).Select(TestChain.Key), Leader];
        // What the read accounts hold at slot s: the ballast payer's fees (one per slot) flow in through the leader.
        static ulong Expected(ulong slot) => 2 * Lamports + Targets * TargetLamports + Fee * slot;

        Bank? tip = forks.Root;
        Bank? publishedRoot = forks.Root;
        using CancellationTokenSource stop = new();
        ConcurrentQueue<string> failures = new();
        long snapshots = 0;
        Func<Bank?>[] choosers = [() => forks.Root, () => Volatile.Read(ref tip), () => Volatile.Read(ref publishedRoot)];
        Thread[] readers = [.. choosers.Select(choose => new Thread(() =>
        {
            var accounts = new Account[keys.Length];
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    ulong slot = forks.ReadAccounts(keys, accounts, choose);
                    ulong sum = 0;
                    foreach (Account account in accounts) sum += account.Lamports;
                    if (sum != Expected(slot)) failures.Enqueue($"slot {slot}: {sum} lamports, expected {Expected(slot)}");
                    Interlocked.Increment(ref snapshots);
                }
                catch (Exception e)
                {
                    failures.Enqueue(e.GetType().Name + ": " + e.Message);
                }
            }
        }))];
        foreach (Thread reader in readers) reader.Start();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        for (ulong slot = 1; slot <= 300; slot++)
        {
            Bank parent = forks[slot - 1]!;
            Bank bank = forks.NewBank(slot, slot - 1, Leader);
            Pubkey to = TestChain.Key(10 + (int)(slot * 7 % Targets));
            TransactionResult result = bank.Process(TestTransactions.View(TestTransactions.Transfer(new Random((int)slot), TestChain.Key((int)(slot % 2)), to, slot, parent.LastBlockhash)));
            Assert.True(result.IsOk, result.ToString());
            Pubkey ballast = TestChain.Key(100 + (int)(slot % Ballasts));
            result = bank.Process(TestTransactions.View(TestTransactions.Transfer(new Random(1_000_000 + (int)slot), TestChain.Key(2), ballast, 1, parent.LastBlockhash)));
            Assert.True(result.IsOk, result.ToString());
            bank.Freeze(TestChain.HashOf("slot " + slot));
            Volatile.Write(ref tip, bank);
            if (slot > 2)
            {
                forks.SetRoot(slot - 2);
                Volatile.Write(ref publishedRoot, forks.Root);
            }
        }
        stop.Cancel();
        foreach (Thread reader in readers) reader.Join();

        output.WriteLine($"{snapshots} snapshots in {clock.Elapsed.TotalSeconds:0.0} s, {chain.Accounts.DiskReadsStarted} disk reads, {forks.ReadRetries} retried, {forks.LockedDiskReads} under the lock");
        Assert.True(failures.IsEmpty, $"{failures.Count} failures, e.g. {string.Join(" | ", failures.Take(5))}");
        Assert.True(Interlocked.Read(ref snapshots) > 100, $"only {snapshots} snapshots");
        Assert.True(chain.Accounts.DiskReadsStarted > 0, "no read went to the disk: the test did not exercise reads outside the root lock");
    }
}
