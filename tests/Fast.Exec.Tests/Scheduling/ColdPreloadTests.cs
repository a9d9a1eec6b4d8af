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

    private static (List<Hash> Hashes, long BlockingDiskReads, int Preloaded) Run(bool preload, bool warm = false, int workers = 2, int readsInFlight = 1024)
    {
        using TempDir dir = new("fast-cold-preload");
        // 50,000 accounts (~5 MiB of records) over 2 MiB of FASTER memory: most first touches miss it; warm: 64 MiB holds them all.
        using var store = AccountsDb.Open(TestChain.StoreOptions(dir.Path) with { MemoryBytes = warm ? 64L << 20 : 2L << 20, IndexBytes = 4L << 20 });
        TransferWorkload workload = new(50_000, hotAccounts: 0, seed: 12);
        using var forks = BankForks.Open(store, workload.Genesis(1_000_000_000, TestChain.GenesisHash, Leader), new BankForksOptions { FlushInBackground = true, CheckpointIntervalSlots = 1_000_000 });
        using SealevelScheduler scheduler = new(new SchedulerOptions { Workers = workers, PreloadAfterDiskReads = preload ? 1 : 0, PreloadReadsInFlight = readsInFlight });
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

    [Fact]
    public void A_cold_bank_preloaded_on_all_workers_gives_the_bank_hashes_of_a_warm_one()
    {
        (List<Hash> warmHashes, long warmWaits, int warmPreloaded) = Run(preload: true, warm: true);
        (List<Hash> coldHashes, long coldWaits, int coldPreloaded) = Run(preload: true, readsInFlight: 300);

        Assert.Equal(warmHashes, coldHashes);
        Assert.Equal(0, warmWaits);
        Assert.Equal(0, warmPreloaded);
        Assert.True(coldPreloaded > 1000, $"only {coldPreloaded} accounts were preloaded from the disk");
        // Only the first block waits one by one (the preload starts once a block found the state cold): at most its 2 accounts per transfer.
        Assert.True(coldWaits <= 2 * 4000, $"{coldWaits} one-by-one disk waits beside {coldPreloaded} preloaded");
    }

    [Fact]
    public void A_preload_on_one_worker_gives_the_same_bank_hashes_as_on_two()
    {
        (List<Hash> two, _, int twoPreloaded) = Run(preload: true);
        (List<Hash> one, _, int onePreloaded) = Run(preload: true, workers: 1, readsInFlight: 97);

        Assert.Equal(two, one);
        Assert.True(onePreloaded > 1000 && twoPreloaded > 1000, $"preloaded {onePreloaded} and {twoPreloaded} from the disk");
    }
}
