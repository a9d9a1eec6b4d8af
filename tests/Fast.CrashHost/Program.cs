using Fast.Core.Primitives;
using Fast.CrashHost;
using Fast.Exec.Banking;
using Fast.Exec.Replay;
using Fast.Exec.Scheduling;
using Fast.Storage.Accounts;
using Fast.Storage.Blocks;

// The crash host: writes until it is killed (kill -9 by the tests). Every line it prints is a promise
// the tests hold it to after the kill:
//   blockstore <dir>  → "durable <slot>" once AppendEntries of a complete slot returned (committed).
//   chain <dir>       → "slot <n> <bank hash>" once slot n's entries are committed, executed and frozen;
//                       it roots RootLag slots behind and checkpoints every CheckpointIntervalSlots roots.
//   chain-background <dir> → the same with BankForks' background root flush (a kill lands mid-flush too).
//   accounts <dir>    → "checkpoint <slot>" once the background checkpoint of root <slot> is durable, and
//                       "compacted <scanned bytes> <copied bytes>" after each compaction slice; it
//                       writes a root of CheckpointScenario accounts per slot (continuing from what it
//                       recovered), compacts a slice of the log when it outgrows CompactAboveBytes and starts
//                       a checkpoint whenever none is in flight, and reads from
//                       another thread throughout — so a kill lands inside checkpoints.
if (args.Length < 2) return Usage();
string mode = args[0];
string directory = args[1];
using StreamWriter output = new(Console.OpenStandardOutput()) { AutoFlush = true };
switch (mode)
{
    case "blockstore":
        RunBlockstore(directory, output);
        return 0;
    case "chain":
        RunChain(directory, output, CrashScenario.ForksOptions);
        return 0;
    case "chain-background":
        RunChain(directory, output, CrashScenario.ForksOptions with { FlushInBackground = true });
        return 0;
    case "accounts":
        RunAccounts(directory, output);
        return 0;
    default:
        return Usage();
}

static int Usage()
{
    Console.Error.WriteLine("usage: Fast.CrashHost blockstore|chain|chain-background|accounts <directory>");
    return 2;
}

static void RunBlockstore(string directory, StreamWriter output)
{
    using var store = Blockstore.Open(CrashScenario.BlockstoreOptions(directory));
    for (ulong slot = 1; ; slot++)
    {
        byte[] first = CrashScenario.Payload(slot, 0), second = CrashScenario.Payload(slot, 1);
        store.AppendEntries(slot, slot - 1, 2, first, slotComplete: false);
        store.AppendEntries(slot, slot - 1, 3, second, slotComplete: true);
        output.WriteLine($"durable {slot}");
    }
}

static void RunChain(string directory, StreamWriter output, BankForksOptions options)
{
    using var accounts = AccountsDb.Open(CrashScenario.AccountsOptions(directory));
    using var blocks = Blockstore.Open(CrashScenario.BlockstoreOptions(directory));
    using var forks = BankForks.Open(accounts, CrashScenario.Genesis(), options);
    using SealevelScheduler scheduler = new(new SchedulerOptions { Workers = 2 });
    SlotReplayer replayer = new(scheduler);
    for (ulong slot = forks.Root.Slot + 1; ; slot++)
    {
        Bank parent = forks[slot - 1]!;
        byte[] entries = CrashScenario.Entries(slot, parent.LastBlockhash);
        blocks.AppendEntries(slot, slot - 1, CrashScenario.EntriesPerSlot, entries, slotComplete: true);
        Bank bank = forks.NewBank(slot, slot - 1, CrashScenario.Leader);
        ReplayOutcome outcome = replayer.Replay(bank, entries);
        if (!outcome.DecodedAll) throw new InvalidOperationException($"slot {slot} does not decode: {outcome.Decode}");
        Hash hash = bank.Freeze(outcome.LastEntryHash);
        output.WriteLine($"slot {slot} {hash}");
        if (slot > CrashScenario.RootLag)
        {
            ulong root = slot - CrashScenario.RootLag;
            forks.SetRoot(root);
            blocks.MarkRooted(root);
        }
    }
}

static void RunAccounts(string directory, StreamWriter output)
{
    using var accounts = AccountsDb.Open(CheckpointScenario.Options(directory));
    ulong slot = accounts.Recovered?.Slot ?? 0;
    Thread reader = new(() =>
    {
        for (int i = 0; ; i = (i + 1) % CheckpointScenario.Accounts) accounts.Read(CheckpointScenario.Key(i));
    }) { IsBackground = true };
    reader.Start();
    byte[] state = new byte[CheckpointScenario.StateLength];
    while (true)
    {
        slot++;
        for (int i = 0; i < CheckpointScenario.Accounts; i++)
        {
            accounts.Write(CheckpointScenario.Key(i), CheckpointScenario.Lamports(slot, i), CheckpointScenario.Owner(i), false, CheckpointScenario.Data(slot, i));
        }
        CheckpointScenario.State(slot, state);
        accounts.WriteRoot(slot, state);
        if (accounts.TryCompleteCheckpoint(out CheckpointReport report)) output.WriteLine($"checkpoint {report.Slot}");
        if (!accounts.CheckpointInProgress && accounts.LogBytes > CheckpointScenario.CompactAboveBytes && accounts.TryCompact(CheckpointScenario.CompactionSliceBytes, out CompactionReport compaction))
        {
            output.WriteLine($"compacted {compaction.ScannedBytes} {compaction.CopiedBytes}");
        }
        if (!accounts.CheckpointInProgress) accounts.TryBeginCheckpoint();
        Thread.Sleep(1);
    }
}
