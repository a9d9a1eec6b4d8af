using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Exec.Scheduling;
using Fast.Exec.Tests.Infrastructure;
using Fast.Exec.Workloads;
using Fast.Storage.Accounts;
using Fast.Testing;
using Xunit;

namespace Fast.Exec.Tests.Scheduling;

/// <summary>Preloading a block's cold accounts (SchedulerOptions.PreloadAfterDiskReads) reads them from the disk together and changes no outcome.</summary>
public class ColdPreloadTests
{
    private static readonly Pubkey Leader = TestChain.Key(999);

    private static (List<Hash> Hashes, long BlockingDiskReads, int Preloaded) Run(bool preload)
    {
        using TempDir dir = new("fast-cold-preload");
        // 50,000 accounts (~5 MiB of records) over 2 MiB of FASTER memory: most first touches miss it.
        using var store = AccountsDb.Open(TestChain.StoreOptions(dir.Path) with { MemoryBytes = 2L << 20, IndexBytes = 4L << 20 });
        TransferWorkload workload = new(50_000, hotAccounts: 0, seed: 12);
        using var forks = BankForks.Open(store, workload.Genesis(1_000_000_000, TestChain.GenesisHash, Leader), new BankForksOptions { FlushInBackground = true, CheckpointIntervalSlots = 1_000_000 });
        using SealevelScheduler scheduler = new(new SchedulerOptions { Workers = 2, PreloadAfterDiskReads = preload ? 1 : 0 });
        Random random = new(3);
        List<Hash> hashes = [];
        var results = new TransactionResult[4000];
        long before = store.BlockingDiskReads;
        int preloaded = 0;
        for (ulong slot = 1; slot <= 5; slot++)
        {
            TransferBlock block = workload.CreateUniformBlock(4000, random);
            Bank parent = forks[slot - 1]!;
            Bank bank = forks.NewBank(slot, slot - 1, Leader);
            block.Refresh(parent.LastBlockhash, slot);
            scheduler.Execute(bank, block.Transactions, results);
            Assert.All(results, r => Assert.True(r.IsOk, r.ToString()));
            preloaded += scheduler.LastPreloadedFromDisk;
            hashes.Add(bank.Freeze(TestChain.HashOf("slot " + slot)));
            if (slot > 2) forks.SetRoot(slot - 2);
        }
        return (hashes, store.BlockingDiskReads - before, preloaded);
    }

    [Fact]
    public void Preloaded_cold_accounts_give_the_same_bank_hashes_and_replace_one_by_one_disk_waits()
    {
        (List<Hash> lazyHashes, long lazyWaits, int lazyPreloaded) = Run(preload: false);
        (List<Hash> preloadHashes, long preloadWaits, int preloaded) = Run(preload: true);

        Assert.Equal(lazyHashes, preloadHashes);
        Assert.Equal(0, lazyPreloaded);
        Assert.True(lazyWaits > 1000, $"only {lazyWaits} loads waited on the disk: the state was not cold");
        Assert.True(preloaded > 1000, $"only {preloaded} accounts were preloaded from the disk");
        Assert.True(preloadWaits < lazyWaits / 2, $"{preloadWaits} one-by-one disk waits with preload against {lazyWaits} without");
    }
}
