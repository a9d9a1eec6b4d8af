using Fast.Core.Codec;
using Fast.Core.Ledger;
using Fast.Core.Primitives;
using Fast.Core.Shreds;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Exec.Banking;
using Fast.Exec.Programs;
using Fast.Exec.Replay;
using Fast.Exec.Scheduling;
using Fast.Exec.Tests.Infrastructure;
using Fast.Exec.Validity;
using Fast.Storage.Accounts;
using Xunit;

namespace Fast.Exec.Tests.Validity;

/// <summary>
/// Block space is never free: the leader's admission (record, then execute) admits only
/// transactions that pay their fee when the entry runs, and the replayer refuses a block carrying
/// one that did not (docs/block-validity.md).
/// </summary>
public class EntryAdmissionTests
{
    private static readonly Pubkey Leader = TestChain.Key(999_999);
    private static readonly Pubkey Program = TestChain.Key(4242);
    private const ulong Fee = GenesisConfig.DefaultLamportsPerSignature;

    private static Bank NewBank(TestChain chain, params (int Key, Account Account)[] accounts) =>
        new(Bank.Genesis(chain.Accounts, new GenesisConfig(TestChain.GenesisHash, [.. accounts.Select(a => (TestChain.Key(a.Key), a.Account))])), 1, Leader);

    private static Account System(ulong lamports) => new(lamports, Pubkey.Zero, false, null);

    private static byte[] Tx(Random random, int payer, params Instruction[] instructions) =>
        TestTransactions.Build(random, TestChain.Key(payer), TestChain.GenesisHash, instructions);

    /// <summary>Admits <paramref name="txs"/> as one entry; returns the verdicts and executes the admitted ones as the leader would.</summary>
    private static (Admission[] Verdicts, TransactionResult[] Results) AdmitAndExecute(Bank bank, EntryAdmission admission, SealevelScheduler scheduler, IReadOnlyList<byte[]> txs)
    {
        admission.BeginEntry(bank);
        Admission[] verdicts = [.. txs.Select(tx => admission.Admit(bank, TestTransactions.View(tx)))];
        VerifiedTransaction[] admitted = [.. txs.Where((_, i) => verdicts[i] == Admission.Admitted).Select(TestTransactions.Verified)];
        var results = new TransactionResult[admitted.Length];
        scheduler.Execute(bank, admitted, results);
        return (verdicts, results);
    }

    [Fact]
    public void A_payer_assigned_to_another_program_sends_ten_thousand_transactions_and_none_is_admitted()
    {
        using TestChain chain = new();
        Bank bank = NewBank(chain, (0, new Account(1_000_000_000, Program, false, null)), (1, System(1_000_000)));
        EntryAdmission admission = new();
        Random random = new(1);
        int admitted = 0;
        for (int entry = 0; entry < 20; entry++)
        {
            admission.BeginEntry(bank);
            for (int i = 0; i < 500; i++)
            {
                if (admission.Admit(bank, TestTransactions.View(Tx(random, 0, SystemInstruction.Transfer(TestChain.Key(0), TestChain.Key(1), 1)))) == Admission.Admitted) admitted++;
            }
        }
        Assert.Equal(0, admitted);
        // The executor agrees: such a payer cannot pay, so had it been recorded the block would be invalid.
        Assert.Equal(TransactionError.InvalidAccountForFee, bank.Process(TestTransactions.View(Tx(random, 0, SystemInstruction.Transfer(TestChain.Key(0), TestChain.Key(1), 1)))).Error);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_payer_that_drains_itself_earlier_in_the_entry_is_not_admitted_again(int workers)
    {
        using TestChain chain = new();
        Bank bank = NewBank(chain, (0, System(1_000_000)), (1, System(1_000_000)));
        using SealevelScheduler scheduler = new(new SchedulerOptions { Workers = workers });
        Random random = new(2);
        List<byte[]> entry = [Tx(random, 0, SystemInstruction.Transfer(TestChain.Key(0), TestChain.Key(1), 1_000_000 - Fee))];
        for (int i = 0; i < 50; i++) entry.Add(Tx(random, 0, SystemInstruction.Transfer(TestChain.Key(0), TestChain.Key(1), 1)));

        (Admission[] verdicts, TransactionResult[] results) = AdmitAndExecute(bank, new EntryAdmission(), scheduler, entry);

        Assert.Equal(Admission.Admitted, verdicts[0]);
        Assert.All(verdicts.Skip(1), v => Assert.Equal(Admission.FeePayer, v));
        Assert.All(results, r => Assert.True(r.IsCommitted, r.ToString()));
        Assert.Equal(0UL, bank.GetBalance(TestChain.Key(0)));
    }

    [Fact]
    public void A_payer_that_assigns_itself_or_is_drained_by_another_payers_transaction_is_not_admitted_later_in_the_entry()
    {
        using TestChain chain = new();
        Bank bank = NewBank(chain, (0, System(10_000_000)), (1, System(10_000_000)), (2, System(10_000_000)));
        using SealevelScheduler scheduler = new(new SchedulerOptions { Workers = 2 });
        Random random = new(3);
        byte[] assign = Tx(random, 0, SystemInstruction.Assign(TestChain.Key(0), Program));
        byte[] afterAssign = Tx(random, 0, SystemInstruction.Transfer(TestChain.Key(0), TestChain.Key(2), 1_000_000));
        // Key 2 pays the fee of a transfer that key 1 signs and that takes all of key 1's lamports.
        byte[] drainOther = Tx(random, 2, SystemInstruction.Transfer(TestChain.Key(1), TestChain.Key(2), 10_000_000));
        byte[] afterDrain = Tx(random, 1, SystemInstruction.Transfer(TestChain.Key(1), TestChain.Key(2), 1_000_000));

        (Admission[] verdicts, TransactionResult[] results) = AdmitAndExecute(bank, new EntryAdmission(), scheduler, [assign, afterAssign, drainOther, afterDrain]);

        Assert.Equal([Admission.Admitted, Admission.FeePayer, Admission.Admitted, Admission.FeePayer], verdicts);
        Assert.All(results, r => Assert.True(r.IsOk, r.ToString()));
        Assert.Equal(Program, bank.GetAccount(TestChain.Key(0)).Owner);
        Assert.Equal(0UL, bank.GetBalance(TestChain.Key(1)));
    }

    [Fact]
    public void Every_admitted_transaction_pays_its_fee_when_its_entry_executes()
    {
        // Property: random entries of transfers, creates, assigns and allocates among a few accounts
        // (so payers drain, fund, reassign and allocate each other inside entries): admission on the
        // bank before each entry never admits a transaction that the executor does not commit.
        using TestChain chain = new();
        const int keys = 8;
        Bank bank = NewBank(chain, [.. Enumerable.Range(0, keys).Select(i => (i, System((ulong)(i + 1) * 3_000_000)))]);
        using SealevelScheduler scheduler = new(new SchedulerOptions { Workers = 2 });
        EntryAdmission admission = new();
        Random random = new(4);
        int admittedTotal = 0, refusedTotal = 0;
        for (int entry = 0; entry < 200; entry++)
        {
            List<byte[]> txs = [];
            for (int i = random.Next(1, 40); i > 0; i--)
            {
                int payer = random.Next(keys), other = random.Next(keys + 4), fresh = keys + random.Next(1000); // keys from 8 start empty
                ulong amount = (ulong)random.Next(0, 4) switch { 0 => 0, 1 => (ulong)random.Next(1, 2_000_000), 2 => 1_000_000, _ => (ulong)random.Next(1, 30_000_000) };
                int kind = random.Next(100);
                Instruction instruction = kind switch
                {
                    0 => SystemInstruction.Assign(TestChain.Key(payer), Program), // rare: an assigned payer never pays again
                    < 5 => SystemInstruction.Allocate(TestChain.Key(random.Next(2) == 0 ? fresh : payer), 0),
                    < 15 => SystemInstruction.CreateAccount(TestChain.Key(payer), TestChain.Key(fresh), amount, (ulong)random.Next(0, 64), random.Next(2) == 0 ? Pubkey.Zero : Program),
                    _ => SystemInstruction.Transfer(TestChain.Key(random.Next(keys)), TestChain.Key(other), amount),
                };
                txs.Add(Tx(random, payer, instruction));
            }
            (Admission[] verdicts, TransactionResult[] results) = AdmitAndExecute(bank, admission, scheduler, txs);
            Assert.All(results, r => Assert.True(r.IsCommitted, $"entry {entry}: an admitted transaction was not committed: {r}"));
            admittedTotal += results.Length;
            refusedTotal += verdicts.Count(v => v != Admission.Admitted);
        }
        Assert.True(admittedTotal > 500 && refusedTotal > 50, $"admitted {admittedTotal}, refused {refusedTotal}: the property needs both");
    }

    [Fact]
    public void A_block_carrying_a_transaction_that_did_not_pay_is_invalid_on_replay()
    {
        using TestChain chain = new();
        var genesis = Bank.Genesis(chain.Accounts, new GenesisConfig(TestChain.GenesisHash,
            [(TestChain.Key(0), new Account(1_000_000_000, Program, false, null)), (TestChain.Key(1), System(1_000_000)), (TestChain.Key(2), System(1_000_000))]));
        Random random = new(5);
        byte[] paying = Tx(random, 1, SystemInstruction.Transfer(TestChain.Key(1), TestChain.Key(2), 1));
        byte[] unpaid = Tx(random, 0, SystemInstruction.Transfer(TestChain.Key(0), TestChain.Key(2), 1));
        using SealevelScheduler scheduler = new(new SchedulerOptions { Workers = 2 });
        SlotReplayer replayer = new(scheduler);

        ReplayOutcome valid = replayer.Replay(new Bank(genesis, 1, Leader), Entries(paying));
        Assert.True(valid.IsValid, valid.Describe());

        ReplayOutcome invalid = replayer.Replay(new Bank(genesis, 2, Leader), Entries(paying, unpaid));
        Assert.False(invalid.IsValid);
        Assert.Equal(BlockRuleViolation.UncommittedTransaction, invalid.Violation);
        Assert.Equal(1, invalid.ViolationIndex);
        Assert.Equal(TransactionError.InvalidAccountForFee, invalid.ViolationError);
    }

    [Fact]
    public void A_block_allocating_more_new_account_data_than_its_budget_is_refused_by_the_leader_and_invalid_on_replay()
    {
        using TestChain chain = new();
        const ulong big = 10UL << 20;
        ulong lamports = 4 * GenesisConfig.DefaultLamportsPerSignature + Core.Genesis.Rent.Default.MinimumBalance(big) * 4;
        Bank bank = NewBank(chain, [.. Enumerable.Range(0, 5).Select(i => (i, System(lamports)))]);
        Random random = new(6);
        // Four 10 MiB allocations: three fit the 32 MiB budget, the fourth does not.
        byte[][] allocations = [.. Enumerable.Range(0, 4).Select(i => Tx(random, i, SystemInstruction.CreateAccount(TestChain.Key(i), TestChain.Key(100 + i), Core.Genesis.Rent.Default.MinimumBalance(big), big, Program)))];
        EntryAdmission admission = new();
        admission.BeginEntry(bank);
        Assert.Equal([Admission.Admitted, Admission.Admitted, Admission.Admitted, Admission.BlockDataFull], allocations.Select(tx => admission.Admit(bank, TestTransactions.View(tx))));
        Assert.Equal(3 * big, admission.BlockNewDataBytes);
        admission.BeginEntry(bank); // a later entry of the same block: the budget is still spent
        Assert.Equal(Admission.BlockDataFull, admission.Admit(bank, TestTransactions.View(Tx(random, 4, SystemInstruction.Allocate(TestChain.Key(4), big)))));

        using SealevelScheduler scheduler = new(new SchedulerOptions { Workers = 1 });
        ReplayOutcome outcome = new SlotReplayer(scheduler).Replay(bank, Entries(allocations));
        Assert.Equal(BlockRuleViolation.AccountDataBlockLimit, outcome.Violation);
        Assert.Equal(3, outcome.ViolationIndex);
        Assert.Equal(0, bank.TouchedAccounts); // refused before anything ran
    }

    [Fact]
    public void A_transaction_already_executed_on_the_fork_is_refused_at_admission_and_a_sibling_fork_admits_it()
    {
        using TestChain chain = new();
        var genesis = Bank.Genesis(chain.Accounts, TestChain.Genesis(4, 1_000_000_000));
        Random random = new(11);
        byte[] tx = TestTransactions.Transfer(random, TestChain.Key(0), TestChain.Key(1), 100, TestChain.GenesisHash);
        Bank slot1 = new(genesis, 1, Leader);
        Assert.True(slot1.Process(TestTransactions.View(tx)).IsOk);
        slot1.Freeze(TestChain.HashOf("1"));
        // Later slots register more blockhashes: the status is still found under the transaction's own.
        Bank slot2 = new(slot1, 2, Leader);
        byte[] underNewer = TestTransactions.Transfer(random, TestChain.Key(2), TestChain.Key(3), 5, slot1.LastBlockhash);
        Assert.True(slot2.Process(TestTransactions.View(underNewer)).IsOk);
        slot2.Freeze(TestChain.HashOf("2"));
        Bank slot3 = new(slot2, 3, Leader);

        EntryAdmission admission = new();
        admission.BeginEntry(slot3);
        Assert.Equal(Admission.AlreadyProcessed, admission.Admit(slot3, TestTransactions.View(tx)));
        Assert.Equal(Admission.AlreadyProcessed, admission.Admit(slot3, TestTransactions.View(underNewer)));
        byte[] fresh = TestTransactions.Transfer(random, TestChain.Key(0), TestChain.Key(1), 100, TestChain.GenesisHash);
        Assert.Equal(Admission.Admitted, admission.Admit(slot3, TestTransactions.View(fresh)));

        Bank sibling = new(genesis, 4, Leader); // a fork without slot 1: the transaction was never executed there
        EntryAdmission siblingAdmission = new();
        siblingAdmission.BeginEntry(sibling);
        Assert.Equal(Admission.Admitted, siblingAdmission.Admit(sibling, TestTransactions.View(tx)));
    }

    /// <summary>
    /// 1-signature transfers meet the transaction cap; 2-signature ones (the payer's transfer plus a
    /// second signer's) meet the signature cap first.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_block_past_its_transaction_or_signature_cap_is_refused_by_the_leader_and_invalid_on_replay(int signaturesEach)
    {
        using TestChain chain = new();
        Bank bank = NewBank(chain, (0, System(1_000_000_000_000)), (1, System(1_000_000)));
        Random random = new(7);
        int fits = Math.Min(TransactionLimits.MaxTransactionsPerBlock, BlockCapacity.MaxSignaturesPerBlock / signaturesEach);
        byte[] NextTx() => signaturesEach == 1
            ? Tx(random, 0, SystemInstruction.Transfer(TestChain.Key(0), TestChain.Key(1), 1))
            : Tx(random, 0, SystemInstruction.Transfer(TestChain.Key(0), TestChain.Key(1), 1), SystemInstruction.Transfer(TestChain.Key(2), TestChain.Key(1), 1));
        byte[][] txs = [.. Enumerable.Range(0, fits + 1).Select(_ => NextTx())];
        Assert.Equal(signaturesEach, TestTransactions.View(txs[0]).SignatureCount);
        EntryAdmission admission = new();
        admission.BeginEntry(bank);
        Admission[] verdicts = [.. txs.Select(tx => admission.Admit(bank, TestTransactions.View(tx)))];
        Assert.Equal(fits, verdicts.Count(v => v == Admission.Admitted));
        Assert.Equal(Admission.BlockFull, verdicts[^1]);
        Assert.False(admission.BlockHasRoom); // the leader stops gathering: the rest wait for the next slot
        admission.BeginEntry(bank); // a later entry of the same block: still full
        Assert.Equal(Admission.BlockFull, admission.Admit(bank, TestTransactions.View(NextTx())));

        using SealevelScheduler scheduler = new(new SchedulerOptions { Workers = 1 });
        ReplayOutcome outcome = new SlotReplayer(scheduler).Replay(bank, EntriesOf(txs, perEntry: 64));
        Assert.True(outcome.DecodedAll, outcome.Describe());
        Assert.Equal(BlockRuleViolation.BlockCapacity, outcome.Violation);
        Assert.Equal(fits, outcome.ViolationIndex);
        Assert.Equal(0, bank.TouchedAccounts); // refused before anything ran
    }

    /// <summary>
    /// Before the byte budget, 40,960 transactions of up to 1,232 bytes could fill a block past what one
    /// slot's 32,768 shred indexes carry (≈ 29.2 MB): the broadcaster could not shred it whole, so the
    /// leader's slot was never sent. Admission now stops where the block, in entries of one
    /// transaction each (the most header bytes) plus its ticks, still shreds whole.
    /// </summary>
    [Fact]
    public void A_leader_never_fills_a_block_past_the_bytes_one_slots_shreds_carry()
    {
        using TestChain chain = new();
        Bank bank = NewBank(chain, (0, System(1_000_000_000_000)), (1, System(1_000_000)));
        Random random = new(11);
        byte[] Padded(int data) => Tx(random, 0, SystemInstruction.Transfer(TestChain.Key(0), TestChain.Key(1), 1), new Instruction(TestChain.Key(9), [], new byte[data])); // an unknown program: admission does not run it
        int padding = TransactionLimits.MaxTransactionSize - Padded(0).Length - 2; // the data length's shortvec grows by a byte
        byte[] NextTx() => Padded(padding);
        int size = NextTx().Length;
        Assert.InRange(size, 1_100, TransactionLimits.MaxTransactionSize);
        int fits = (int)(BlockCapacity.MaxTransactionBytesPerBlock / (size + BlockCapacity.EntryBytesPerTransaction));
        Assert.True((long)TransactionLimits.MaxTransactionsPerBlock * size > Shredder.MaxSlotBytes, "without the byte budget the transaction cap would let such a block outgrow its shreds");

        EntryAdmission admission = new();
        admission.BeginEntry(bank);
        List<byte[]> admitted = [];
        Admission verdict;
        while (true)
        {
            byte[] tx = NextTx();
            verdict = admission.Admit(bank, TestTransactions.View(tx));
            if (verdict != Admission.Admitted) break;
            admitted.Add(tx);
        }
        Assert.Equal(Admission.BlockFull, verdict);
        Assert.Equal(fits, admitted.Count);
        Assert.False(admission.BlockHasRoom);

        // The worst case of that block, every transaction in an entry of its own, then a slot's ticks, shreds whole.
        byte[] entries = EntriesOf([.. admitted], perEntry: 1);
        long ticks = 64L * EntryWriter.EncodedLength(0, 0);
        Assert.True(entries.Length + ticks <= Shredder.MaxSlotBytes, $"{entries.Length + ticks} bytes > {Shredder.MaxSlotBytes}");
        Shredder shredder = new(Keypair.Generate(), shredVersion: 1);
        shredder.BeginSlot(1, 0, Hash.Zero);
        Assert.True(shredder.TryAppend(entries));
        Assert.True(entries.Length - EntryWriter.EncodedLength(0, 0) <= admission.BlockBytes, "admission's count is an upper bound of the entries' bytes");
    }

    /// <summary>Entries of <paramref name="perEntry"/> transactions each, then a tick.</summary>
    private static byte[] EntriesOf(byte[][] txs, int perEntry)
    {
        byte[][] chunks = [.. txs.Chunk(perEntry).Select(c => c.SelectMany(t => t).ToArray())];
        int length = EntryWriter.EncodedLength(0, 0) + txs.Chunk(perEntry).Select((c, i) => EntryWriter.EncodedLength(c.Length, chunks[i].Length)).Sum();
        byte[] bytes = new byte[length];
        SpanWriter w = new(bytes);
        int n = 0;
        foreach (byte[][] chunk in txs.Chunk(perEntry)) EntryWriter.Write(ref w, 1, TestChain.HashOf("entry"), chunk.Length, chunks[n++]);
        EntryWriter.WriteTick(ref w, 1, TestChain.HashOf("tick"));
        return bytes;
    }

    /// <summary>One entry holding <paramref name="txs"/> followed by a tick (PoH hashes are not checked by replay).</summary>
    private static byte[] Entries(params byte[][] txs)
    {
        byte[] body = [.. txs.SelectMany(t => t)];
        byte[] bytes = new byte[EntryWriter.EncodedLength(txs.Length, body.Length) + EntryWriter.EncodedLength(0, 0)];
        SpanWriter w = new(bytes);
        EntryWriter.Write(ref w, 1, TestChain.HashOf("entry"), txs.Length, body);
        EntryWriter.WriteTick(ref w, 1, TestChain.HashOf("tick"));
        return bytes;
    }
}
