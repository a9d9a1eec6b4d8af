using Fast.Core.Codec;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Exec.Banking;
using Fast.Exec.Programs;
using Fast.Storage.Accounts;
using Fast.Testing;

namespace Fast.Exec.Tests.Infrastructure;

/// <summary>
/// Test fixtures: an accounts store in a temporary folder, genesis banks with funded accounts, and
/// transactions built without signing (execution does not check signatures; each gets unique random
/// signature bytes, which is what the status cache keys on).
/// </summary>
internal sealed class TestChain : IDisposable
{
    private readonly TempDir _dir;

    public TestChain(string prefix = "fast-exec")
    {
        _dir = new TempDir(prefix);
        Accounts = AccountsDb.Open(StoreOptions(_dir.Path));
    }

    public AccountsDb Accounts { get; }

    public string Directory => _dir.Path;

    public static AccountsDbOptions StoreOptions(string directory) => new()
    {
        Directory = directory,
        IndexBytes = 1L << 20,
        PageBytes = 1L << 20,
        MemoryBytes = 8L << 20,
        SegmentBytes = 32L << 20,
    };

    public static readonly Hash GenesisHash = HashOf("genesis");

    public static Hash HashOf(string text) => Hash.Compute(System.Text.Encoding.UTF8.GetBytes(text));

    public static Pubkey Key(int i) => new(HashOf("key " + i).Span);

    public static GenesisConfig Genesis(int accounts, ulong lamports, Pubkey leader = default) =>
        new(GenesisHash, [.. Enumerable.Range(0, accounts).Select(i => (Key(i), new Account(lamports, Pubkey.Zero, false, null)))]) { Leader = leader };

    public void Dispose()
    {
        Accounts.Dispose();
        _dir.Dispose();
    }
}

/// <summary>Builds transactions with random (unchecked) signatures.</summary>
internal static class TestTransactions
{
    public static byte[] Build(Random random, Pubkey payer, Hash blockhash, params Instruction[] instructions)
    {
        TransactionBuilder builder = new(payer, blockhash);
        foreach (Instruction instruction in instructions) builder.Add(instruction);
        (List<Pubkey> _, byte required, byte _, byte _) = builder.CompileKeys();
        byte[] message = builder.BuildMessage();
        byte[] tx = new byte[ShortVec.EncodedLength(required) + required * Signature.Size + message.Length];
        SpanWriter w = new(tx);
        w.WriteShortVec(required);
        random.NextBytes(w.Advance(required * Signature.Size));
        w.WriteBytes(message);
        return tx;
    }

    public static byte[] Transfer(Random random, Pubkey from, Pubkey to, ulong lamports, Hash blockhash) =>
        Build(random, from, blockhash, SystemInstruction.Transfer(from, to, lamports));

    public static VerifiedTransaction Verified(byte[] tx) => VerifiedTransaction.Parse(tx);

    public static TransactionView View(byte[] tx)
    {
        TransactionView.TryParse(tx, out TransactionView view);
        return view;
    }
}
