using System.Globalization;
using Fast.Core.Primitives;
using Fast.CrashHost;
using Fast.Exec.Banking;
using Fast.Exec.Replay;
using Fast.Exec.Scheduling;
using Fast.Storage.Accounts;
using Fast.Storage.Blocks;
using Fast.Testing;
using Xunit;

namespace Fast.Exec.Tests.Banking;

/// <summary>
/// kill -9 during a write load (a real child process executing, rooting and checkpointing slots),
/// then restart: the accounts are the last checkpoint plus the blocks replayed from the Blockstore,
/// identical to executing every block from genesis, and no lamport is lost or made.
/// </summary>
public class CrashRecoveryTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Theory]
    [InlineData(12, false)]
    [InlineData(37, false)]
    [InlineData(19, true)]
    [InlineData(41, true)]
    public void After_kill_9_the_last_checkpoint_plus_replayed_blocks_equals_a_full_replay_and_lamports_are_conserved(int killAfterSlots, bool backgroundRootFlush)
    {
        using TempDir dir = new("fast-crash-chain");
        Dictionary<ulong, Hash> reported = [];
        using (var host = CrashHostProcess.Start(backgroundRootFlush ? "chain-background" : "chain", dir.Path))
        {
            while (reported.Count < killAfterSlots)
            {
                string line = host.ReadLine(TimeSpan.FromSeconds(120)) ?? throw new Xunit.Sdk.XunitException($"crash host stopped: {host.StandardError}");
                Record(reported, line);
            }
            Thread.Sleep(Random.Shared.Next(0, 30)); // land the kill anywhere in a slot
            foreach (string line in host.KillAndDrain()) Record(reported, line);
        }
        ulong lastReported = reported.Keys.Max();

        using var accounts = AccountsDb.Open(CrashScenario.AccountsOptions(dir.Path));
        using var blocks = Blockstore.Open(CrashScenario.BlockstoreOptions(dir.Path));
        var forks = BankForks.Open(accounts, CrashScenario.Genesis(), CrashScenario.ForksOptions);
        Assert.True(forks.RecoveredFromCheckpoint);
        ulong root = forks.Root.Slot;
        Assert.True(root <= lastReported);
        if (reported.TryGetValue(root, out Hash rootHash)) Assert.Equal(rootHash, forks.Root.Hash);

        foreach (ulong slot in blocks.Slots())
        {
            if (slot <= root && slot + 150 > root) forks.RestoreProcessedTransactions(slot, blocks.ReadSlotEntries(slot)!);
        }
        using SealevelScheduler scheduler = new(new SchedulerOptions { Workers = 2 });
        SlotReplayer replayer = new(scheduler);
        Dictionary<ulong, Hash> replayed = [];
        ulong tip = root;
        while (blocks.TryGetSlotMeta(tip + 1, out SlotMeta meta) && meta.IsComplete)
        {
            ulong slot = tip + 1;
            Bank bank = forks.NewBank(slot, tip, CrashScenario.Leader);
            ReplayOutcome outcome = replayer.Replay(bank, blocks.ReadSlotEntries(slot)!);
            Assert.True(outcome.DecodedAll);
            replayed[slot] = bank.Freeze(outcome.LastEntryHash);
            if (reported.TryGetValue(slot, out Hash expected)) Assert.Equal(expected, replayed[slot]);
            tip = slot;
        }
        Assert.True(tip >= lastReported, $"replayed to {tip}, but the host reported slot {lastReported} done");
        Assert.True(root >= CrashScenario.CheckpointIntervalSlots, $"the host should have checkpointed past genesis (root {root})");
        output.WriteLine($"killed after slot {lastReported}; recovered root {root}; replayed {tip - root} slots to {tip}");

        // Reference: every block from genesis, one transaction at a time, never rooted.
        using TempDir referenceDir = new("fast-crash-reference");
        using var referenceStore = AccountsDb.Open(CrashScenario.AccountsOptions(referenceDir.Path));
        var reference = Bank.Genesis(referenceStore, CrashScenario.Genesis());
        for (ulong slot = 1; slot <= tip; slot++)
        {
            reference = new Bank(reference, slot, CrashScenario.Leader);
            byte[] entries = blocks.ReadSlotEntries(slot)!;
            Hash last = ProcessSerially(reference, entries);
            Hash hash = reference.Freeze(last);
            if (replayed.TryGetValue(slot, out Hash replayedHash)) Assert.Equal(hash, replayedHash);
            if (reported.TryGetValue(slot, out Hash reportedHash)) Assert.Equal(hash, reportedHash);
        }
        Dictionary<Pubkey, Account> recovered = forks[tip]!.ReadAllAccounts();
        Assert.Equal(reference.ReadAllAccounts().OrderBy(p => p.Key), recovered.OrderBy(p => p.Key));
        ulong total = recovered.Values.Aggregate(0UL, (sum, a) => checked(sum + a.Lamports));
        Assert.Equal(CrashScenario.InitialLamports * CrashScenario.Accounts, total);
    }

    private static void Record(Dictionary<ulong, Hash> reported, string line)
    {
        string[] parts = line.Split(' ');
        Assert.True(Hash.TryParse(parts[2], out Hash hash));
        reported[ulong.Parse(parts[1], CultureInfo.InvariantCulture)] = hash;
    }

    private static Hash ProcessSerially(Bank bank, byte[] entries)
    {
        int position = 0;
        Hash last = default;
        while (position < entries.Length)
        {
            Assert.True(Fast.Core.Ledger.EntryView.TryParsePrefix(entries.AsSpan(position), out Fast.Core.Ledger.EntryView entry).IsOk);
            foreach (Fast.Core.Transactions.TransactionView tx in entry.Transactions) bank.Process(tx);
            last = entry.Hash;
            position += entry.Length;
        }
        return last;
    }
}
