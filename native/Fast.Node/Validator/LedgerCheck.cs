using Fast.Node.Ledger;
using Fast.Storage;
using Fast.Storage.Accounts;
using Fast.Storage.Blocks;

namespace Fast.Node.Validator;

/// <summary>
/// Start-up checks of a ledger folder as a whole, beside the ones each store makes of its own files:
/// a new (empty) ledger starts from genesis; a ledger with some of its parts missing, or whose accounts
/// checkpoint is rooted at a slot the Blockstore does not hold, is damaged — the node refuses to start
/// (<see cref="LedgerDamagedException"/>, exit 3) and writes nothing, rather than start over.
/// </summary>
internal static class LedgerCheck
{
    public const string GenesisMarker = "genesis.hash";

    /// <summary>
    /// True when the ledger is new (no accounts or blocks files). Throws when it belongs to another
    /// genesis (<see cref="ValidatorStartException"/>) or misses a part (<see cref="LedgerDamagedException"/>).
    /// </summary>
    public static bool CheckLayout(string ledger, GenesisFile genesis)
    {
        string marker = Path.Combine(ledger, GenesisMarker);
        string accountsPath = Path.Combine(ledger, "accounts");
        bool accounts = HasFiles(accountsPath);
        bool blocks = HasFiles(Path.Combine(ledger, "blocks"));
        if (File.Exists(marker))
        {
            string found = File.ReadAllText(marker).Trim();
            string expected = genesis.Hash.ToString();
            if (found != expected) throw new ValidatorStartException($"{ledger} holds the ledger of another cluster (genesis {found}, not {expected})");
        }
        else if (accounts || blocks)
        {
            throw new LedgerDamagedException(marker, "missing: the ledger holds accounts or blocks but not the genesis they belong to");
        }
        if (blocks && !accounts) throw new LedgerDamagedException(accountsPath, "missing: the ledger holds blocks but no accounts store");
        return !accounts && !blocks;
    }

    /// <summary>The accounts checkpoint's root must be a complete slot of the Blockstore (it was confirmed, so committed, before it was rooted).</summary>
    public static void CheckConsistency(string ledger, AccountsDb accounts, Blockstore blockstore)
    {
        ulong[] slots = blockstore.Slots();
        if (accounts.Recovered is not RecoveredRoot root)
        {
            if (slots.Length > 0)
            {
                throw new LedgerDamagedException(Path.Combine(ledger, "accounts", "checkpoints"),
                    $"missing: the accounts store has no complete checkpoint, but the Blockstore holds {slots.Length} slot(s) up to {slots[^1]}");
            }
            return;
        }
        if (root.Slot == 0) return;
        if (!blockstore.TryGetSlotMeta(root.Slot, out SlotMeta meta) || !meta.IsComplete)
        {
            string holds = slots.Length == 0 ? "no slots" : $"slots {slots[0]}..{slots[^1]}";
            throw new LedgerDamagedException(blockstore.CommitFile ?? Path.Combine(ledger, "blocks"),
                $"the Blockstore lacks rooted slot {root.Slot}, where the accounts checkpoint is (it recovered {holds})");
        }
    }

    /// <summary>Marks a new ledger as this genesis' (written through to the disk before anything else is).</summary>
    public static void WriteGenesisMarker(string ledger, GenesisFile genesis)
    {
        string marker = Path.Combine(ledger, GenesisMarker);
        if (File.Exists(marker)) return;
        DurableFile.Write(marker, System.Text.Encoding.ASCII.GetBytes(genesis.Hash + "\n"));
    }

    private static bool HasFiles(string path) =>
        Directory.Exists(path) && Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Any();
}
