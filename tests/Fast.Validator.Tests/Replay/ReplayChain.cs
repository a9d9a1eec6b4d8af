using Fast.Core.Codec;
using Fast.Core.Ledger;
using Fast.Core.Primitives;
using Fast.Crypto;
using Fast.Exec.Banking;
using Fast.Exec.Programs;
using Fast.Exec.Replay;
using Fast.Exec.Scheduling;
using Fast.Storage.Accounts;
using Fast.Testing;
using Fast.Validator.Replay;
using Xunit;

namespace Fast.Validator.Tests.Replay;

/// <summary>
/// Test fixture for the replay machine: a bank chain (FASTER store in a temporary folder) with funded
/// payers, a builder of signed blocks that meet the PoH rule, and a sink that records every decision.
/// </summary>
internal sealed class ReplayChain : IDisposable
{
    public const ulong HashesPerTick = 16;
    public const ulong TicksPerSlot = 4;
    public const ulong PayerLamports = 1_000_000_000;

    private readonly TempDir _dir = new("fast-replay");
    private readonly SealevelScheduler _scheduler = new(new SchedulerOptions { Workers = 1, FreezeOnWorkers = false });

    public ReplayChain(int payers = 4)
    {
        Payers = [.. Enumerable.Range(0, payers).Select(i => Key(i))];
        Unfunded = Key(1000);
        Accounts = AccountsDb.Open(new AccountsDbOptions { Directory = _dir.Path, IndexBytes = 1L << 16, PageBytes = 1L << 16, MemoryBytes = 1L << 18, SegmentBytes = 1L << 22 });
        GenesisConfig genesis = new(Hash.Compute("replay genesis"u8), [.. Payers.Select(k => (new Pubkey(k.PublicKey), new Account(PayerLamports, Pubkey.Zero, false, null)))]);
        Banks = BankForks.Open(Accounts, genesis, new BankForksOptions { CheckpointIntervalSlots = ulong.MaxValue });
        Machine = new ReplayMachine(Banks, _scheduler, new SingleSignatureCheck(), new ReplayRules(HashesPerTick, TicksPerSlot), maxBlocksWaiting: 4);
    }

    public Keypair[] Payers { get; }
    public Keypair Unfunded { get; }
    public AccountsDb Accounts { get; }
    public BankForks Banks { get; }
    public ReplayMachine Machine { get; }
    public RecordingSink Sink = new(new List<string>());

    public static Keypair Key(int i) =>
        Keypair.TryFromSecretKey(Hash.Compute(BitConverter.GetBytes(i + 1)).Span, out Keypair? key) ? key.AsDeterministic() : throw new InvalidOperationException("not a secret key");

    /// <summary>The leader every slot's fees go to in these tests.</summary>
    public static readonly Pubkey ScheduledLeader = new(Key(2000).PublicKey);

    public void Receive(WholeBlock block) => Machine.OnBlock(block, ref Sink);

    /// <summary>
    /// A block for <paramref name="slot"/> on <paramref name="parentSlot"/> whose PoH starts at
    /// <paramref name="parentLastHash"/>: one entry of transfers (payer i → payer i+1, signed over
    /// <paramref name="blockhash"/>), then the ticks of every slot since the parent.
    /// </summary>
    public WholeBlock Block(ulong slot, ulong parentSlot, Hash parentLastHash, Hash blockhash, int transfers, Keypair? from = null, bool breakPoh = false, bool forgeSignature = false)
    {
        byte[] txs = new byte[transfers * SystemTransaction.TransferLength];
        int length = 0;
        for (int i = 0; i < transfers; i++)
        {
            Keypair payer = from ?? Payers[i % Payers.Length];
            Pubkey to = new(Payers[(i + 1) % Payers.Length].PublicKey);
            length += SystemTransaction.WriteTransfer(txs.AsSpan(length), payer, to, 1 + (ulong)i, blockhash);
        }
        if (forgeSignature) txs[1 + 5] ^= 0x40; // the first transfer's signature (after its one-byte count), before PoH commits to it
        byte[] entries = new byte[64 * 1024];
        SpanWriter w = new(entries);
        Hash poh = breakPoh ? Hash.Compute("not the parent"u8) : parentLastHash;
        ulong sinceTick = 0;
        int count = 0;
        if (transfers > 0)
        {
            byte[] scratch = new byte[EntryView.HeaderSize + 3 + length];
            SpanWriter s = new(scratch);
            EntryWriter.Write(ref s, 1, default, transfers, txs.AsSpan(0, length));
            EntryView.TryParse(s.Written, out EntryView view);
            poh = EntryHashing.NextHash(poh, 1, EntryHashing.TransactionsHash(view), isTick: false);
            EntryWriter.Write(ref w, 1, poh, transfers, txs.AsSpan(0, length));
            sinceTick = 1;
            count++;
        }
        for (ulong t = 0; t < (slot - parentSlot) * TicksPerSlot; t++)
        {
            ulong hashes = HashesPerTick - sinceTick;
            sinceTick = 0;
            poh = EntryHashing.NextHash(poh, hashes, default, isTick: true);
            EntryWriter.WriteTick(ref w, hashes, poh);
            count++;
        }
        return new WholeBlock(slot, parentSlot, Hash.Compute(BitConverter.GetBytes(slot)), Hash.Compute(BitConverter.GetBytes(parentSlot)), w.Written.ToArray(), count);
    }

    /// <summary>A valid block on a frozen bank of this chain.</summary>
    public WholeBlock BlockOn(ulong slot, ulong parentSlot, int transfers, bool forgeSignature = false)
    {
        Bank parent = Banks[parentSlot]!;
        return Block(slot, parentSlot, parent.LastBlockhash, parent.LastBlockhash, transfers, forgeSignature: forgeSignature);
    }

    public void Dispose()
    {
        Banks.Dispose();
        Accounts.Dispose();
        _scheduler.Dispose();
        _dir.Dispose();
    }

    /// <summary>Every signature verified one at a time (the definition).</summary>
    private sealed class SingleSignatureCheck : IBlockSignatureCheck
    {
        public int FirstInvalid(byte[] entries) => Fast.Exec.Validity.BlockSignatures.FirstInvalidSingly(entries);
    }
}

/// <summary>Records each decision of the machine as one line ("replayed 3", "dead 4 Execution", ...).</summary>
internal struct RecordingSink(List<string> log) : IReplayActions
{
    public readonly List<string> Log = log;
    public readonly Dictionary<ulong, Hash> BankHashes = [];

    public readonly Pubkey ScheduledLeader(ulong slot) => ReplayChain.ScheduledLeader;

    public readonly void AlreadyHeld(WholeBlock block) => Log.Add($"held {block.Slot}");

    public readonly void Unconnectable(WholeBlock block) => Log.Add($"unconnectable {block.Slot}");

    public readonly void WaitingForParent(WholeBlock block) => Log.Add($"waiting {block.Slot}");

    public readonly void Replaying(WholeBlock block) { }

    public readonly void Dead(WholeBlock block, ReplayFailure failure, string detail) => Log.Add($"dead {block.Slot} {failure}");

    public readonly void Replayed(WholeBlock block, Bank bank, Bank parent, SlotReplayer replayer, in ReplayOutcome outcome)
    {
        Assert.True(bank.IsFrozen);
        BankHashes[block.Slot] = bank.Hash;
        Log.Add($"replayed {block.Slot} {outcome.Committed}");
    }
}
